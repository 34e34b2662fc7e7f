package keys

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/metrics"
)

// Annotations on the key Secret rotate on demand:
//
//	kubectl annotate secret tessera-signing-keys tenancy.tessera.dev/rotate=$(date +%s) --overwrite
//
// A compromised key is revoked with tenancyv1alpha1.AnnotationRevokeKey:
//
//	kubectl annotate secret tessera-signing-keys tenancy.tessera.dev/revoke-key=<kid> --overwrite
//
// The keys are tenancyv1alpha1.AnnotationRotate and tenancyv1alpha1.AnnotationRotated.

// DefaultPollInterval is how often the Manager and the Loader read the Secret when not told.
const DefaultPollInterval = 2 * time.Second

// Manager owns the key Secret. It is a leader-only Runnable: on start it creates the Secret
// with a fresh set when absent, then keeps the Store current, rotates on schedule and on demand,
// and revokes the keys the revoke annotation names. Every write is an Update carrying the resourceVersion read, retried on conflict, and
// each retry decides afresh from what it read, so no rotation is applied twice.
type Manager struct {
	// Client reads and writes the Secret. In production it is the manager's client, whose cache
	// holds Tessera-labelled Secrets only; the Secret is labelled accordingly.
	Client client.Client
	// Namespace is the operator's namespace, where the Secret lives.
	Namespace string
	// Store receives every set the Manager reads or writes.
	Store *Store
	// Algorithm is used for new sets and new keys; empty means DefaultAlgorithm. A change takes
	// effect at the next rotation.
	Algorithm Algorithm
	// RotationPeriod is the active key's lifetime, counted from its creation (so it survives
	// restarts); 0 never rotates on schedule.
	RotationPeriod time.Duration
	// PollInterval is how often the Secret is read for the rotate annotation, the schedule and
	// outside changes; 0 means DefaultPollInterval.
	PollInterval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NeedLeaderElection reports true: one replica writes the Secret.
func (m *Manager) NeedLeaderElection() bool { return true }

// Start runs until ctx ends. Failures (API errors, a malformed Secret) are logged and retried at
// the next poll; a malformed Secret is never overwritten, since that would invalidate every
// token it could still verify.
func (m *Manager) Start(ctx context.Context) error {
	if m.Client == nil || m.Store == nil || m.Namespace == "" {
		return errors.New("keys: Manager needs a Client, a Store and a Namespace")
	}
	if !m.algorithm().Valid() {
		return fmt.Errorf("keys: unsupported signing algorithm %q", m.Algorithm)
	}
	log := logf.FromContext(ctx).WithName("signing-keys")
	var failures repeated
	return poll(ctx, interval(m.PollInterval), func() {
		err := m.sync(ctx, log)
		if ctx.Err() == nil {
			failures.report(log, err, "signing key set not synced; retrying", "secret", m.key().String())
		}
	})
}

// Rotate makes a new active key now, retiring the current one.
func (m *Manager) Rotate(ctx context.Context) error {
	changed, err := m.update(ctx, func(_ *corev1.Secret, set *Set) (*Set, error) {
		return set.Rotate(m.algorithm(), m.now())
	})
	if changed {
		metrics.KeyRotations.Inc()
		logf.FromContext(ctx).WithName("signing-keys").Info("rotated the signing key", "reason", "Rotate called", "active", m.Store.Load().Active().ID)
	}
	return err
}

// Prune drops from the Secret every retired key for which keep reports false, i.e. that no
// token depends on any more. The Token controller calls it once the last token signed by a
// retired key has been renewed or has expired.
func (m *Manager) Prune(ctx context.Context, keep func(kid string) bool) error {
	var dropped []string
	changed, err := m.update(ctx, func(_ *corev1.Secret, set *Set) (*Set, error) {
		next := set.Prune(keep)
		dropped = dropped[:0]
		for _, k := range set.keys {
			if _, ok := next.Lookup(k.ID); !ok {
				dropped = append(dropped, k.ID)
			}
		}
		return next, nil
	})
	if changed {
		logf.FromContext(ctx).WithName("signing-keys").Info("pruned retired signing keys", "kids", dropped)
	}
	return err
}

// sync creates the Secret when absent, loads it, rotates when the annotation or the schedule
// asks, and revokes the keys the revoke annotation names.
func (m *Manager) sync(ctx context.Context, log logr.Logger) error {
	if created, err := m.ensure(ctx, log); created || err != nil {
		// A fresh Secret needs no rotation, and the cache may not show it yet.
		return err
	}
	var reason string
	var revoked []string
	changed, err := m.update(ctx, func(sec *corev1.Secret, set *Set) (*Set, error) {
		now := m.now()
		next := set
		var err error
		reason, revoked = "", nil
		want := sec.Annotations[tenancyv1alpha1.AnnotationRotate]
		switch {
		case want != "" && want != sec.Annotations[tenancyv1alpha1.AnnotationRotated]:
			sec.Annotations[tenancyv1alpha1.AnnotationRotated] = want
			reason = "requested by the " + tenancyv1alpha1.AnnotationRotate + " annotation"
			next, err = set.Rotate(m.algorithm(), now)
		case m.RotationPeriod > 0 && !now.Before(set.Active().CreatedAt.Add(m.RotationPeriod)):
			reason = "the rotation period " + m.RotationPeriod.String() + " has passed"
			next, err = set.Rotate(m.algorithm(), now)
		}
		if err != nil {
			return nil, err
		}
		return m.revoke(next, revokeList(sec), now, &revoked)
	})
	if changed {
		metrics.KeyRotations.Inc()
		set := m.Store.Load()
		if reason != "" {
			log.Info("rotated the signing key", "reason", reason, "active", set.Active().ID, "alg", string(set.Active().Algorithm))
		}
		if len(revoked) > 0 {
			log.Info("revoked signing keys", "kids", revoked, "reason", "requested by the "+tenancyv1alpha1.AnnotationRevokeKey+" annotation",
				"active", set.Active().ID)
		}
	}
	return err
}

// Revoke drops the key kid from the set now, so that nothing it signed verifies any more; when
// it is the active key, a new one becomes active first. An unknown kid changes nothing.
func (m *Manager) Revoke(ctx context.Context, kid string) error {
	var revoked []string
	changed, err := m.update(ctx, func(_ *corev1.Secret, set *Set) (*Set, error) {
		revoked = nil
		return m.revoke(set, []string{kid}, m.now(), &revoked)
	})
	if changed {
		logf.FromContext(ctx).WithName("signing-keys").Info("revoked signing keys", "kids", revoked, "reason", "Revoke called",
			"active", m.Store.Load().Active().ID)
	}
	return err
}

// revoke drops each of kids still in set, and appends those it dropped to revoked.
func (m *Manager) revoke(set *Set, kids []string, now time.Time, revoked *[]string) (*Set, error) {
	for _, kid := range kids {
		next, err := set.Revoke(kid, m.algorithm(), now)
		if err != nil {
			return nil, err
		}
		if next != set {
			*revoked = append(*revoked, kid)
		}
		set = next
	}
	return set, nil
}

// revokeList reads the kids the revoke annotation names.
func revokeList(sec *corev1.Secret) []string {
	var kids []string
	for kid := range strings.SplitSeq(sec.Annotations[tenancyv1alpha1.AnnotationRevokeKey], ",") {
		if kid = strings.TrimSpace(kid); kid != "" {
			kids = append(kids, kid)
		}
	}
	return kids
}

// errNotVisible: the Secret exists but the client's cache does not show it.
var errNotVisible = errors.New(SecretName + " exists but is not visible yet")

// ensure creates the Secret with a generated set when it does not exist, and reports whether
// it did.
func (m *Manager) ensure(ctx context.Context, log logr.Logger) (bool, error) {
	err := m.Client.Get(ctx, m.key(), &corev1.Secret{})
	if !apierrors.IsNotFound(err) {
		return false, err
	}
	set, err := Generate(m.algorithm(), m.now())
	if err != nil {
		return false, err
	}
	sec, err := NewSecret(m.Namespace, set)
	if err != nil {
		return false, err
	}
	if err := m.Client.Create(ctx, sec); err != nil {
		if apierrors.IsAlreadyExists(err) {
			// Either a lagging cache, or a Secret of that name without Tessera's label, which
			// the cache cannot see; the next poll tells them apart by finding it or not.
			return false, fmt.Errorf("%w (it must carry the label %s=%s): %w",
				errNotVisible, tenancyv1alpha1.LabelManagedBy, tenancyv1alpha1.ManagedByValue, err)
		}
		return false, fmt.Errorf("creating %s: %w", SecretName, err)
	}
	log.Info("created the signing key set", "kid", set.Active().ID, "alg", string(set.Active().Algorithm))
	m.Store.Put(set)
	return true, nil
}

// update reads the Secret, loads its set into the Store, and writes back what change returns
// when it is a different set (change may also edit the Secret's annotations). Conflicts are
// retried with a fresh read. It reports whether it wrote.
func (m *Manager) update(ctx context.Context, change func(*corev1.Secret, *Set) (*Set, error)) (bool, error) {
	changed := false
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		sec := &corev1.Secret{}
		if err := m.Client.Get(ctx, m.key(), sec); err != nil {
			return err
		}
		set, err := FromSecretData(sec.Data)
		if err != nil {
			return err
		}
		m.Store.Put(set)
		next, err := change(sec, set)
		if err != nil || next == set {
			return err
		}
		if sec.Data, err = next.SecretData(); err != nil {
			return err
		}
		// The resourceVersion read above makes this Update fail with a conflict if anyone wrote
		// in between.
		if err := m.Client.Update(ctx, sec); err != nil {
			return err
		}
		m.Store.Put(next)
		changed = true
		return nil
	})
	return changed, err
}

func (m *Manager) key() types.NamespacedName {
	return types.NamespacedName{Namespace: m.Namespace, Name: SecretName}
}

func (m *Manager) algorithm() Algorithm {
	if m.Algorithm == "" {
		return DefaultAlgorithm
	}
	return m.Algorithm
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func interval(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultPollInterval
	}
	return d
}

// poll runs f now and then every d until ctx ends.
func poll(ctx context.Context, d time.Duration, f func()) error {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		f()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// repeated logs a failure that recurs at every poll once, at error level, and its repetitions
// only at V(1), so that a broken Secret does not flood the log. errNotVisible, usually a cache
// that lags a create, is logged at info level and escalated only if it persists.
type repeated struct {
	last  string
	count int
}

func (r *repeated) report(log logr.Logger, err error, msg string, kv ...any) {
	switch {
	case err == nil:
		if r.last != "" {
			log.Info("recovered", kv...)
		}
		r.last, r.count = "", 0
	case err.Error() == r.last:
		r.count++
		if r.count == 5 && errors.Is(err, errNotVisible) {
			log.Error(err, msg, kv...)
			return
		}
		log.V(1).Info(msg, append(kv, "error", r.last)...)
	default:
		r.last, r.count = err.Error(), 1
		if errors.Is(err, errNotVisible) {
			log.Info(msg, append(kv, "error", r.last)...)
			return
		}
		log.Error(err, msg, kv...)
	}
}
