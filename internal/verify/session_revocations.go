package verify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/util/retry"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// RevokedSessionsConfigMap is the one ConfigMap, in the operator's namespace, that lists the
// revoked session tokens: data maps each revoked jti to its exp (Unix seconds). Entries past
// their exp are pruned on every write, so the list stays as long as the sign-outs of one
// session lifetime.
const RevokedSessionsConfigMap = "tessera-revoked-sessions"

// DefaultMaxRevokedSessions bounds the list (about 60 bytes an entry, well under a ConfigMap's
// 1 MiB). A sign-out that would exceed it fails rather than drop an unexpired revocation.
const DefaultMaxRevokedSessions = 12000

// ErrRevocationListFull refuses a sign-out while the list holds DefaultMaxRevokedSessions
// unexpired entries.
var ErrRevocationListFull = errors.New("too many sessions were signed out recently; try again later")

// freshReadTimeout bounds one read of the list from the API server.
const freshReadTimeout = 5 * time.Second

// SessionRevocations is the revocation list of session tokens. Every replica watches that
// single ConfigMap. A sign-out is written to the API server before it is answered, and a
// session that the watched copy does not list is checked against the API server (current), so
// the very next request after a sign-out is refused on every replica, whatever its watch lags.
type SessionRevocations struct {
	// Reader reads the ConfigMap; it should be a cache (NewSessionRevocations builds one).
	Reader client.Reader
	// Client writes the ConfigMap to the API server; APIReader reads it there before a write
	// (never through a cache that would watch every ConfigMap).
	Client    client.Client
	APIReader client.Reader
	Namespace string
	// Max bounds the entries; 0 means DefaultMaxRevokedSessions.
	Max int
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	synced atomic.Bool
	mu     sync.Mutex
	// local holds this replica's own revocations until its watch has delivered them.
	local map[string]time.Time

	// roundMu guards the reads of the API server that Revoked callers share: reading is set
	// while one is in flight, next is the one that starts after it.
	roundMu sync.Mutex
	reading bool
	next    *round
}

// round is one read of the list from the API server, shared by every caller that joined it
// before it started; cm is nil when the ConfigMap does not exist.
type round struct {
	done chan struct{}
	cm   *corev1.ConfigMap
	err  error
}

// revocationCache runs the ConfigMap watch on every replica.
type revocationCache struct {
	cache.Cache
	r *SessionRevocations
}

func (c *revocationCache) NeedLeaderElection() bool { return false }

func (c *revocationCache) Start(ctx context.Context) error {
	go func() {
		if c.WaitForCacheSync(ctx) {
			c.r.synced.Store(true)
		}
	}()
	return c.Cache.Start(ctx)
}

// NewSessionRevocations builds the revocation list of the operator running in namespace: a
// cache that watches only the revocation ConfigMap (by namespace, name and label), added to mgr
// so that it runs on every replica, and writes through mgr's client.
func NewSessionRevocations(mgr ctrl.Manager, namespace string) (*SessionRevocations, error) {
	c, err := cache.New(mgr.GetConfig(), cache.Options{
		Scheme:     mgr.GetScheme(),
		HTTPClient: mgr.GetHTTPClient(),
		Mapper:     mgr.GetRESTMapper(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.ConfigMap{}: {
				Namespaces: map[string]cache.Config{namespace: {}},
				Label:      labels.SelectorFromSet(labels.Set{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue}),
				Field:      fields.OneTermEqualSelector("metadata.name", RevokedSessionsConfigMap),
			},
		},
	})
	if err != nil {
		return nil, err
	}
	r := &SessionRevocations{Reader: c, Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Namespace: namespace}
	// Start the informer now rather than at the first read.
	if _, err := c.GetInformer(context.Background(), &corev1.ConfigMap{}); err != nil {
		return nil, err
	}
	if err := mgr.Add(&revocationCache{Cache: c, r: r}); err != nil {
		return nil, err
	}
	return r, nil
}

// MarkSynced declares the Reader ready; NewSessionRevocations does it when its cache has synced.
func (r *SessionRevocations) MarkSynced() { r.synced.Store(true) }

// Revoked reports whether the session jti is on the list. It fails closed (ErrUnavailable)
// while the list has not been read yet.
func (r *SessionRevocations) Revoked(ctx context.Context, jti string) (bool, error) {
	r.mu.Lock()
	_, mine := r.local[jti]
	r.mu.Unlock()
	if mine {
		return true, nil
	}
	if !r.synced.Load() {
		return false, fmt.Errorf("%w: the session revocation list is not loaded yet", ErrUnavailable)
	}
	cm, err := r.cached(ctx)
	if err != nil {
		return false, err
	}
	if _, revoked := cm.Data[jti]; revoked {
		return true, nil
	}
	// The watched copy may lag a sign-out that another replica has already answered.
	if cm, err = r.current(ctx); err != nil {
		return false, fmt.Errorf("%w: reading the session revocation list: %v", ErrUnavailable, err)
	}
	_, revoked := cm.Data[jti]
	return revoked, nil
}

// cached is the watched copy of the list; an empty ConfigMap when there is none.
func (r *SessionRevocations) cached(ctx context.Context) (*corev1.ConfigMap, error) {
	cm := &corev1.ConfigMap{}
	err := r.Reader.Get(ctx, r.key(), cm, client.UnsafeDisableDeepCopy)
	if apierrors.IsNotFound(err) {
		return &corev1.ConfigMap{}, nil
	}
	return cm, err
}

// current returns the list as the API server held it at some moment after the call: from a
// read that started after the call did. Concurrent callers share reads, at most one in flight
// per replica, so a busy replica adds about one small API request per round trip, not one per
// session request; the caller waits for one or two of them.
func (r *SessionRevocations) current(ctx context.Context) (*corev1.ConfigMap, error) {
	r.roundMu.Lock()
	rd := r.next
	if rd == nil {
		rd = &round{done: make(chan struct{})}
		r.next = rd
		if !r.reading {
			r.startRoundLocked()
		}
	}
	r.roundMu.Unlock()
	select {
	case <-rd.done:
		return rd.cm, rd.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// startRoundLocked starts the next round; the round after it starts when it ends.
func (r *SessionRevocations) startRoundLocked() {
	rd := r.next
	r.next, r.reading = nil, true
	go func() {
		// Not a caller's context: the round serves every caller that joined it.
		ctx, cancel := context.WithTimeout(context.Background(), freshReadTimeout)
		rd.cm, rd.err = r.read(ctx)
		cancel()
		close(rd.done)
		r.roundMu.Lock()
		defer r.roundMu.Unlock()
		r.reading = false
		if r.next != nil {
			r.startRoundLocked()
		}
	}()
}

// read asks the API server for the list's metadata and returns the watched copy when it is
// that version, the usual case; otherwise (a write the watch has not delivered yet) it reads
// the whole list from the API server.
func (r *SessionRevocations) read(ctx context.Context) (*corev1.ConfigMap, error) {
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ConfigMap"))
	if err := r.APIReader.Get(ctx, r.key(), meta); err != nil {
		if apierrors.IsNotFound(err) {
			return &corev1.ConfigMap{}, nil
		}
		return nil, err
	}
	if cm, err := r.cached(ctx); err == nil && cm.ResourceVersion == meta.ResourceVersion {
		return cm, nil
	}
	cm := &corev1.ConfigMap{}
	if err := r.APIReader.Get(ctx, r.key(), cm); err != nil {
		if apierrors.IsNotFound(err) {
			return &corev1.ConfigMap{}, nil
		}
		return nil, err
	}
	return cm, nil
}

func (r *SessionRevocations) key() client.ObjectKey {
	return client.ObjectKey{Namespace: r.Namespace, Name: RevokedSessionsConfigMap}
}

// Revoke puts jti, which expires at exp, on the list: optimistic concurrency against other
// replicas, entries past their exp pruned on the way. Revoking twice is harmless.
func (r *SessionRevocations) Revoke(ctx context.Context, jti string, exp time.Time) error {
	return r.put(ctx, jti, exp, false)
}

// ErrAlreadySpent: a single-use token's jti was on the list already.
var ErrAlreadySpent = errors.New("the token has been used already")

// Spend puts jti on the list as Revoke does, but fails with ErrAlreadySpent when it was there
// already: of concurrent spends of one token, on any replica, exactly one succeeds (the list is
// written with optimistic concurrency, so the loser rereads it and finds the jti).
func (r *SessionRevocations) Spend(ctx context.Context, jti string, exp time.Time) error {
	return r.put(ctx, jti, exp, true)
}

func (r *SessionRevocations) put(ctx context.Context, jti string, exp time.Time, once bool) error {
	now := r.now()
	if !now.Before(exp) {
		return nil // expired already: nothing to revoke
	}
	max := r.Max
	if max <= 0 {
		max = DefaultMaxRevokedSessions
	}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cm := &corev1.ConfigMap{}
		err := r.APIReader.Get(ctx, r.key(), cm)
		create := apierrors.IsNotFound(err)
		if err != nil && !create {
			return err
		}
		if create {
			cm = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: r.Namespace, Name: RevokedSessionsConfigMap,
				Labels: map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue}}}
		}
		if cm.Data == nil {
			cm.Data = map[string]string{}
		}
		for k, v := range cm.Data {
			if sec, err := strconv.ParseInt(v, 10, 64); err != nil || !now.Before(time.Unix(sec, 0)) {
				delete(cm.Data, k)
			}
		}
		_, listed := cm.Data[jti]
		switch {
		case listed && once:
			return ErrAlreadySpent
		case !listed && len(cm.Data) >= max:
			return ErrRevocationListFull
		}
		cm.Data[jti] = strconv.FormatInt(exp.Unix(), 10)
		if create {
			err := r.Client.Create(ctx, cm)
			if apierrors.IsAlreadyExists(err) {
				return apierrors.NewConflict(corev1.Resource("configmaps"), RevokedSessionsConfigMap, err)
			}
			return err
		}
		return r.Client.Update(ctx, cm)
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.local == nil {
		r.local = map[string]time.Time{}
	}
	for k, e := range r.local {
		if !now.Before(e) {
			delete(r.local, k)
		}
	}
	r.local[jti] = exp
	return nil
}

func (r *SessionRevocations) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
