package keys

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
)

// Loader keeps a Store current from the key Secret on every replica, leader or not, so that
// each one verifies tokens signed after a rotation. It only reads; the Manager writes.
type Loader struct {
	// Client reads the Secret; the manager's cached client makes each poll a local lookup.
	Client client.Reader
	// Namespace is the operator's namespace, where the Secret lives.
	Namespace string
	// Store receives the sets read.
	Store *Store
	// Interval is how often the Secret is read; 0 means DefaultPollInterval.
	Interval time.Duration
}

// NeedLeaderElection reports false: every replica verifies tokens.
func (l *Loader) NeedLeaderElection() bool { return false }

// Start polls the Secret until ctx ends. A missing Secret (the leader has not created it yet)
// or a malformed one leaves the Store as it is.
func (l *Loader) Start(ctx context.Context) error {
	if l.Client == nil || l.Store == nil || l.Namespace == "" {
		return errors.New("keys: Loader needs a Client, a Store and a Namespace")
	}
	log := logf.FromContext(ctx).WithName("signing-keys-loader")
	key := types.NamespacedName{Namespace: l.Namespace, Name: SecretName}
	var (
		seen     string // resourceVersion last decoded: an unchanged Secret is not decoded again
		failures repeated
	)
	return poll(ctx, interval(l.Interval), func() {
		sec := &corev1.Secret{}
		err := l.Client.Get(ctx, key, sec)
		if apierrors.IsNotFound(err) {
			log.V(1).Info("waiting for the leader to create the signing key Secret", "secret", key.String())
			return
		}
		if err == nil && (sec.ResourceVersion == "" || sec.ResourceVersion != seen) {
			var set *Set
			if set, err = FromSecretData(sec.Data); err == nil {
				seen = sec.ResourceVersion
				if l.Store.Put(set) {
					log.Info("loaded the signing key set", "active", set.Active().ID, "keys", len(set.keys), "revision", set.revision)
				}
			}
		}
		if ctx.Err() == nil {
			failures.report(log, err, "signing key Secret not loaded; keeping the current set", "secret", key.String())
		}
	})
}
