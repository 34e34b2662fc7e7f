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

// inUse reports whether an unexpired Token's JWT was signed by kid. On a read error it answers
// true: keeping a key too long is harmless, dropping it early breaks tokens.
func (p *KeyPruner) inUse(ctx context.Context, kid string) bool {
	toks := &tenancyv1alpha1.TokenList{}
	if err := p.Client.List(ctx, toks, client.MatchingFields{index.TokenKeyID: kid}, client.UnsafeDisableDeepCopy); err != nil {
		return true
	}
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	for _, t := range toks.Items {
		if t.Spec.ExpirationTime == nil || now.Before(t.Spec.ExpirationTime.Time) {
			return true
		}
	}
	return false
}
