package controllers

import (
	"context"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/keys"
)

// KeyPruner drops a retired signing key once no unexpired, undeleted Token's current JWT was
// signed by it. Rotation re-signs nothing, so a retired key verifies the JWTs handed out before
// it retired for as long as their Tokens live.
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
		if err := p.Prune(ctx); err != nil {
			log.Error(err, "pruning retired signing keys")
		}
	}
}

// Prune drops, once, every retired key no Token depends on any more.
func (p *KeyPruner) Prune(ctx context.Context) error {
	return p.Manager.Prune(ctx, func(kid string) bool { return p.inUse(ctx, kid) })
}

// retiredGrace keeps a freshly retired key whatever the cache says: a Token signed just before
// the rotation may not show its keyID in the cache yet, and the session JWTs of the ote-stack
// and identity APIs, which are no objects, live an hour.
const retiredGrace = 65 * time.Minute

// inUse reports whether an unexpired, undeleted Token's JWT was signed by kid, or kid was
// retired too recently to tell. On a read error it answers true: keeping a key too long is
// harmless, dropping it early breaks tokens.
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
		if t.DeletionTimestamp == nil && (t.Spec.ExpirationTime == nil || now.Before(t.Spec.ExpirationTime.Time)) {
			return true
		}
	}
	return false
}

// followKeys requeues, after each key set change, the Tokens whose JWT was signed by a key
// that left the set (revoked, or the Secret replaced), so that they are re-signed with the
// active key. A rotation requeues nothing: JWTs of retired keys stay as they are.
func (r *TokenReconciler) followKeys(ctx context.Context) error {
	var prev *keys.Set
	for {
		changed := r.Keys.Changed()
		set := r.Keys.Load()
		for _, kid := range removedKeys(prev, set) {
			list := &tenancyv1alpha1.TokenList{}
			if err := r.List(ctx, list, client.MatchingFields{index.TokenKeyID: kid}); err != nil {
				continue
			}
			for i := range list.Items {
				select {
				case r.rotated <- event.GenericEvent{Object: &list.Items[i]}:
				case <-ctx.Done():
					return nil
				}
			}
		}
		prev = set
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}

// removedKeys lists the kids of prev that next lacks.
func removedKeys(prev, next *keys.Set) []string {
	if prev == nil || next == nil {
		return nil
	}
	var out []string
	for _, k := range prev.Keys() {
		if _, ok := next.Lookup(k.ID); !ok {
			out = append(out, k.ID)
		}
	}
	return out
}
