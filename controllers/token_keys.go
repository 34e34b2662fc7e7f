package controllers

import (
	"context"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/keys"
)

// KeyPruner drops retired signing keys once no unexpired Token's current JWT was signed by
// them: a rotation re-signs every Token, after which the old key has nothing left to verify.
type KeyPruner struct {
	Client  client.Reader
	Manager *keys.Manager
	// Keys is the current set, to tell how long ago a key was retired.
	Keys *keys.Store
	// Interval between checks; 0 means a minute.
	Interval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NeedLeaderElection reports true: the Manager, which writes the key Secret, runs on the leader.
func (p *KeyPruner) NeedLeaderElection() bool { return true }

// Start prunes on every interval until ctx ends.
func (p *KeyPruner) Start(ctx context.Context) error {
	interval := p.Interval
	if interval == 0 {
		interval = time.Minute
	}
	log := logf.FromContext(ctx).WithName("key-pruner")
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := p.Manager.Prune(ctx, func(kid string) bool { return p.inUse(ctx, kid) }); err != nil {
			log.Error(err, "pruning retired signing keys")
		}
	}
}

// retiredGrace keeps a freshly retired key whatever the cache says: a Token re-signed a moment
// ago may not show its new keyID in the cache yet, and its old JWT may still be in use.
const retiredGrace = 5 * time.Minute

// inUse reports whether an unexpired Token's JWT was signed by kid, or kid was retired too
// recently to tell. On a read error it answers true: keeping a key too long is harmless,
// dropping it early breaks tokens.
func (p *KeyPruner) inUse(ctx context.Context, kid string) bool {
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	if set := p.Keys.Load(); set != nil {
		if k, ok := set.Lookup(kid); ok && k.RetiredAt != nil && now.Sub(*k.RetiredAt) < retiredGrace {
			return true
		}
	}
	toks := &tenancyv1alpha1.TokenList{}
	if err := p.Client.List(ctx, toks, client.MatchingFields{index.TokenKeyID: kid}, client.UnsafeDisableDeepCopy); err != nil {
		return true
	}
	for _, t := range toks.Items {
		if t.Spec.ExpirationTime == nil || now.Before(t.Spec.ExpirationTime.Time) {
			return true
		}
	}
	return false
}
