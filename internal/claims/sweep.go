package claims

import (
	"cmp"
	"context"
	"time"

	"github.com/go-logr/logr"
	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// SweepPeriod is how often the Sweeper looks for stale claims by default: rare enough that a
// sweep of 100,000 claims (paged, holders read from the cache) is negligible load.
const SweepPeriod = 10 * time.Minute

// sweepPage is how many Leases one List of a sweep reads.
const sweepPage = 500

// Sweeper deletes stale claims in the background. Tokens, Groups and Admins release nothing
// when they are deleted (only the Account finalizer releases its claims), and a write refused
// after admission leaves its claims behind; stale takeover frees such a value for the next
// object that asks, but random UUIDs are never asked for again, so without the sweep their
// Leases would pile up in etcd. It runs on the leader only.
type Sweeper struct {
	// Claims lists and deletes the Leases; its Cache, when set, spares most holder reads.
	Claims *Claims
	// Period between sweeps; 0 means SweepPeriod.
	Period time.Duration
	// Log reports sweeps that deleted something or failed.
	Log logr.Logger
}

// NeedLeaderElection implements manager.LeaderElectionRunnable: one replica sweeps.
func (s *Sweeper) NeedLeaderElection() bool { return true }

// Start sweeps every Period until ctx ends.
func (s *Sweeper) Start(ctx context.Context) error {
	t := time.NewTicker(cmp.Or(s.Period, SweepPeriod))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if n, err := s.Sweep(ctx); err != nil {
				s.Log.Error(err, "sweeping stale claims", "deleted", n)
			} else if n > 0 {
				s.Log.Info("deleted stale claims", "count", n)
			}
		}
	}
}

// Sweep deletes every claim that is stale now and returns how many it deleted.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	c := s.Claims
	deleted, cont := 0, ""
	for {
		list := &coordinationv1.LeaseList{}
		if err := c.Client.List(ctx, list, client.InNamespace(c.Namespace), client.HasLabels{tenancyv1alpha1.LabelClaim},
			client.Limit(sweepPage), client.Continue(cont)); err != nil {
			return deleted, err
		}
		for i := range list.Items {
			ok, err := s.sweepOne(ctx, &list.Items[i])
			if err != nil {
				return deleted, err
			}
			if ok {
				deleted++
			}
		}
		if cont = list.Continue; cont == "" {
			return deleted, nil
		}
	}
}

// sweepOne deletes lease if it is a stale claim. The cache rules out the common case (a live
// holder carrying the value) without an API call; the API server confirms the rest.
func (s *Sweeper) sweepOne(ctx context.Context, lease *coordinationv1.Lease) (bool, error) {
	c := s.Claims
	f := fieldsByLabel[lease.Labels[tenancyv1alpha1.LabelClaim]]
	key := Key{Field: f, Value: lease.Annotations[tenancyv1alpha1.AnnotationClaimValue]}
	if f == nil || key.Value == "" || key.LeaseName() != lease.Name {
		return false, nil // not a claim this version understands
	}
	if lease.Spec.AcquireTime != nil && c.now().Sub(lease.Spec.AcquireTime.Time) < StaleAfter {
		return false, nil
	}
	holder := holderOf(lease)
	if ns, name, ok := splitHolder(holder); ok && c.Cache != nil {
		obj := f.newObject()
		if err := c.Cache.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, obj); err == nil &&
			obj.GetDeletionTimestamp() == nil && f.value(obj) == key.Value {
			return false, nil
		}
	}
	stale, err := c.stale(ctx, lease, key, holder)
	if err != nil || !stale {
		return false, err
	}
	err = c.Client.Delete(ctx, lease, client.Preconditions{ResourceVersion: &lease.ResourceVersion})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return false, nil // taken over or released meanwhile
	}
	return err == nil, err
}
