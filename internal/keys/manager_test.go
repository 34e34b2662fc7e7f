package keys

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/cluster"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/testenv"
)

const tick = 100 * time.Millisecond

// managerEnv is one API server shared by the Manager subtests, each in its own namespace.
type managerEnv struct {
	// direct reads and writes the API server; cached reads Secrets from a cache that, as in
	// production, holds only Tessera-labelled Secrets.
	direct, cached client.Client

	mu sync.Mutex
	// material is every key's data seen in a Secret, to be looked for in the logs.
	material [][]byte
}

// TestManager runs the Manager and the Loader against a real API server. Missing control-plane
// binaries are a failure, never a skip.
func TestManager(t *testing.T) {
	assets, err := testenv.AssetsDir()
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logf.SetLogger(zap.New(zap.WriteTo(io.MultiWriter(logs, os.Stderr)), zap.UseDevMode(true)))

	env := &envtest.Environment{BinaryAssetsDirectory: assets}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Error(err)
		}
	})
	e := &managerEnv{}
	if e.direct, err = client.New(cfg, client.Options{}); err != nil {
		t.Fatal(err)
	}
	managed := labels.SelectorFromSet(labels.Set{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue})
	cl, err := cluster.New(cfg, func(o *cluster.Options) {
		o.Cache.ByObject = map[client.Object]cache.ByObject{&corev1.Secret{}: {Label: managed}}
		o.Cache.DefaultTransform = cache.TransformStripManagedFields()
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	clusterDone := make(chan struct{})
	go func() { defer close(clusterDone); _ = cl.Start(ctx) }()
	t.Cleanup(func() { cancel(); <-clusterDone })
	e.cached = cl.GetClient()

	t.Run("CreatesAndReuses", e.testCreatesAndReuses)
	t.Run("RotatesOnAnnotation", e.testRotatesOnAnnotation)
	t.Run("RotatesOnPeriod", e.testRotatesOnPeriod)
	t.Run("Prune", e.testPrune)
	t.Run("RevokesOnAnnotation", e.testRevokesOnAnnotation)
	t.Run("MalformedSecretIsLeftAlone", e.testMalformed)
	t.Run("TwoManagersRotateOnce", e.testTwoManagers)
	t.Run("Loader", e.testLoader)

	// Never log key material.
	out := logs.String()
	if strings.Contains(out, "PRIVATE KEY") {
		t.Fatal("the logs contain a PEM private key")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.material) == 0 {
		t.Fatal("no key material was collected")
	}
	for _, m := range e.material {
		for _, enc := range []string{string(m), base64.StdEncoding.EncodeToString(m), base64.RawURLEncoding.EncodeToString(m), fmt.Sprintf("%d", m)} {
			if strings.Contains(out, enc[:min(len(enc), 40)]) {
				t.Fatal("the logs contain key material")
			}
		}
	}
}

func (e *managerEnv) testCreatesAndReuses(t *testing.T) {
	ns := e.namespace(t, "create")
	store := &Store{}
	stop := run(t, &Manager{Client: e.cached, Namespace: ns, Store: store, PollInterval: tick})
	eventually(t, func() error { return loaded(store) })

	sec, set := e.read(t, ns)
	if sec.Labels[tenancyv1alpha1.LabelManagedBy] != tenancyv1alpha1.ManagedByValue {
		t.Fatalf("the Secret is not labelled for the cache: %v", sec.Labels)
	}
	if set.Active().ID != store.Load().Active().ID || set.Active().Algorithm != ES256 || len(set.Keys()) != 1 {
		t.Fatalf("Secret holds %v, Store %v", set, store.Load())
	}
	stop()

	// A restart, even with another algorithm configured, reuses the set and writes nothing.
	store2 := &Store{}
	stop = run(t, &Manager{Client: e.cached, Namespace: ns, Store: store2, PollInterval: tick, Algorithm: EdDSA})
	eventually(t, func() error { return loaded(store2) })
	if store2.Load().Active().ID != set.Active().ID {
		t.Fatalf("after a restart the active key is %s, was %s", store2.Load().Active().ID, set.Active().ID)
	}
	time.Sleep(5 * tick)
	if again, _ := e.read(t, ns); again.ResourceVersion != sec.ResourceVersion {
		t.Fatal("a restart wrote the Secret")
	}
	stop()
}

func (e *managerEnv) testRotatesOnAnnotation(t *testing.T) {
	ns := e.namespace(t, "annotation")
	store := &Store{}
	run(t, &Manager{Client: e.cached, Namespace: ns, Store: store, PollInterval: tick})
	eventually(t, func() error { return loaded(store) })
	first := store.Load().Active().ID

	for i, value := range []string{"1700000000", "1700000100"} {
		e.annotate(t, ns, value)
		var set *Set
		eventually(t, func() error {
			var sec *corev1.Secret
			sec, set = e.read(t, ns)
			if sec.Annotations[tenancyv1alpha1.AnnotationRotated] != value {
				return fmt.Errorf("rotated annotation is %q", sec.Annotations[tenancyv1alpha1.AnnotationRotated])
			}
			if store.Load().Active().ID != set.Active().ID {
				return errors.New("the Store does not have the rotated set")
			}
			return nil
		})
		if len(set.Keys()) != i+2 || set.Active().ID == first {
			t.Fatalf("after rotation %d: %v", i+1, set)
		}
		if old, ok := set.Lookup(first); !ok || !old.Retired() {
			t.Fatalf("the first key is gone or not retired: %v", set)
		}
		// The annotation, now recorded, does not rotate again.
		time.Sleep(5 * tick)
		if _, again := e.read(t, ns); again.Revision() != set.Revision() {
			t.Fatalf("rotated again without a new annotation: %v", again)
		}
	}
}

func (e *managerEnv) testRotatesOnPeriod(t *testing.T) {
	ns := e.namespace(t, "period")
	var clock atomic.Int64
	clock.Store(t0.Unix())
	now := func() time.Time { return time.Unix(clock.Load(), 0) }
	store := &Store{}
	run(t, &Manager{Client: e.cached, Namespace: ns, Store: store, PollInterval: tick, RotationPeriod: time.Hour, Now: now})
	eventually(t, func() error { return loaded(store) })
	first := store.Load().Active()
	if !first.CreatedAt.Equal(t0) {
		t.Fatalf("created at %s, want the Manager's clock", first.CreatedAt)
	}

	clock.Store(t0.Add(59 * time.Minute).Unix())
	time.Sleep(5 * tick)
	if store.Load().Active().ID != first.ID {
		t.Fatal("rotated before the period passed")
	}
	clock.Store(t0.Add(time.Hour).Unix())
	eventually(t, func() error {
		if store.Load().Active().ID == first.ID {
			return errors.New("not rotated")
		}
		return nil
	})
	second := store.Load().Active()
	if !second.CreatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("second key created at %s", second.CreatedAt)
	}
	// The period counts from the new key's creation.
	clock.Store(t0.Add(119 * time.Minute).Unix())
	time.Sleep(5 * tick)
	if store.Load().Active().ID != second.ID {
		t.Fatal("rotated again before the new key's period passed")
	}
	clock.Store(t0.Add(2 * time.Hour).Unix())
	eventually(t, func() error {
		if _, set := e.read(t, ns); len(set.Keys()) != 3 || set.Active().ID == second.ID {
			return fmt.Errorf("Secret holds %v", set)
		}
		return nil
	})
}

func (e *managerEnv) testPrune(t *testing.T) {
	m := e.started(t, "prune")
	ns, store := m.Namespace, m.Store
	ctx := context.Background()
	k1 := store.Load().Active().ID
	for range 2 {
		if err := m.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	_, set := e.read(t, ns)
	ks := set.Keys()
	if len(ks) != 3 || ks[0].ID != k1 {
		t.Fatalf("after two rotations: %v", set)
	}
	k2, k3 := ks[1].ID, ks[2].ID

	// A token still depends on k2.
	if err := m.Prune(ctx, func(kid string) bool { return kid == k2 }); err != nil {
		t.Fatal(err)
	}
	sec, set := e.read(t, ns)
	if _, ok := set.Lookup(k1); ok || len(set.Keys()) != 2 || set.Active().ID != k3 {
		t.Fatalf("after pruning k1: %v", set)
	}
	if _, ok := store.Load().Lookup(k1); ok {
		t.Fatal("the Store still has the pruned key")
	}
	if _, ok := sec.Data[k1+pemSuffix]; ok {
		t.Fatal("the pruned key's material is still in the Secret")
	}
	// Nothing to prune: no write.
	if err := m.Prune(ctx, func(string) bool { return true }); err != nil {
		t.Fatal(err)
	}
	if again, _ := e.read(t, ns); again.ResourceVersion != sec.ResourceVersion {
		t.Fatal("a Prune that dropped nothing wrote the Secret")
	}
	// No token depends on anything: only the active key stays.
	if err := m.Prune(ctx, func(string) bool { return false }); err != nil {
		t.Fatal(err)
	}
	if _, set = e.read(t, ns); len(set.Keys()) != 1 || set.Active().ID != k3 {
		t.Fatalf("after pruning everything: %v", set)
	}
}

func (e *managerEnv) testRevokesOnAnnotation(t *testing.T) {
	m := e.started(t, "revoke")
	ns, store := m.Namespace, m.Store
	ctx := context.Background()
	k1 := store.Load().Active().ID
	if err := m.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	k2 := store.Load().Active().ID

	// The retired k1 and the active k2 at once: a new key becomes active, neither stays.
	e.annotateWith(t, ns, tenancyv1alpha1.AnnotationRevokeKey, k1+", "+k2)
	var sec *corev1.Secret
	var set *Set
	eventually(t, func() error {
		sec, set = e.read(t, ns)
		if _, ok := set.Lookup(k1); ok {
			return fmt.Errorf("k1 is still in %v", set)
		}
		if _, ok := set.Lookup(k2); ok {
			return fmt.Errorf("k2 is still in %v", set)
		}
		if store.Load().String() != set.String() {
			return errors.New("the Store does not have the revoked set")
		}
		return nil
	})
	if len(set.Keys()) != 1 || set.Active().Retired() {
		t.Fatalf("after revoking both keys: %v", set)
	}
	for _, kid := range []string{k1, k2} {
		if _, ok := sec.Data[kid+pemSuffix]; ok {
			t.Fatalf("the revoked key %s's material is still in the Secret", kid)
		}
	}
	// The annotation stays and names no key any more: nothing is written again.
	time.Sleep(5 * tick)
	if again, _ := e.read(t, ns); again.ResourceVersion != sec.ResourceVersion {
		t.Fatal("a revoke annotation naming no key in the set wrote the Secret")
	}
	// Revoke, called, does the same for the active key.
	k3 := set.Active().ID
	if err := m.Revoke(ctx, k3); err != nil {
		t.Fatal(err)
	}
	if _, set = e.read(t, ns); len(set.Keys()) != 1 || set.Active().ID == k3 {
		t.Fatalf("after Revoke of the active key: %v", set)
	}
}

func (e *managerEnv) testMalformed(t *testing.T) {
	ns := e.namespace(t, "malformed")
	bad := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: SecretName, Namespace: ns,
			Labels: map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue}},
		Data: map[string][]byte{metadataKey: []byte("{")},
	}
	if err := e.direct.Create(context.Background(), bad); err != nil {
		t.Fatal(err)
	}
	store, loaderStore := &Store{}, &Store{}
	run(t, &Manager{Client: e.cached, Namespace: ns, Store: store, PollInterval: tick})
	run(t, &Loader{Client: e.cached, Namespace: ns, Store: loaderStore, Interval: tick})
	time.Sleep(10 * tick)
	if store.Load() != nil || loaderStore.Load() != nil {
		t.Fatal("a malformed Secret produced a key set")
	}
	sec := &corev1.Secret{}
	if err := e.direct.Get(context.Background(), client.ObjectKeyFromObject(bad), sec); err != nil {
		t.Fatal(err)
	}
	if sec.ResourceVersion != bad.ResourceVersion {
		t.Fatal("the Manager overwrote a malformed Secret")
	}

	// Repaired by hand, it is loaded as it is, not replaced.
	good, err := Generate(EdDSA, t0)
	if err != nil {
		t.Fatal(err)
	}
	if sec.Data, err = good.SecretData(); err != nil {
		t.Fatal(err)
	}
	if err := e.direct.Update(context.Background(), sec); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		for _, s := range []*Store{store, loaderStore} {
			if err := loaded(s); err != nil {
				return err
			}
			if s.Load().Active().ID != good.Active().ID {
				return errors.New("loaded another set")
			}
		}
		return nil
	})
}

func (e *managerEnv) testTwoManagers(t *testing.T) {
	ns := e.namespace(t, "two")
	a, b := &Store{}, &Store{}
	// Two replicas briefly both leading (a leader change): one Secret, one rotation.
	run(t, &Manager{Client: e.cached, Namespace: ns, Store: a, PollInterval: tick, Algorithm: HS256})
	run(t, &Manager{Client: e.cached, Namespace: ns, Store: b, PollInterval: tick, Algorithm: HS256})
	eventually(t, func() error {
		if err := errors.Join(loaded(a), loaded(b)); err != nil {
			return err
		}
		if a.Load().Active().ID != b.Load().Active().ID {
			return errors.New("the two Managers hold different sets")
		}
		return nil
	})
	if _, set := e.read(t, ns); len(set.Keys()) != 1 {
		t.Fatalf("two Managers created %v", set)
	}
	e.annotate(t, ns, "now")
	eventually(t, func() error {
		sec, set := e.read(t, ns)
		if sec.Annotations[tenancyv1alpha1.AnnotationRotated] != "now" {
			return errors.New("not rotated")
		}
		if a.Load().Active().ID != set.Active().ID || b.Load().Active().ID != set.Active().ID {
			return errors.New("a Store lags")
		}
		return nil
	})
	time.Sleep(5 * tick)
	if _, set := e.read(t, ns); len(set.Keys()) != 2 || set.Revision() != 2 {
		t.Fatalf("two Managers rotated more than once: %v", set)
	}
}

func (e *managerEnv) testLoader(t *testing.T) {
	ns := e.namespace(t, "loader")
	l := &Loader{Client: e.cached, Namespace: ns, Store: &Store{}, Interval: tick}
	if l.NeedLeaderElection() || !(&Manager{}).NeedLeaderElection() {
		t.Fatal("the Loader must run on every replica, the Manager on the leader only")
	}
	run(t, l)
	time.Sleep(3 * tick)
	if l.Store.Load() != nil {
		t.Fatal("the Loader invented a set")
	}
	m := &Manager{Client: e.cached, Namespace: ns, Store: &Store{}, PollInterval: tick}
	run(t, m)
	follows := func() error {
		if err := loaded(l.Store); err != nil {
			return err
		}
		if got, want := l.Store.Load().String(), m.Store.Load().String(); got != want {
			return fmt.Errorf("Loader has %s, Manager %s", got, want)
		}
		return nil
	}
	eventually(t, follows)
	if err := m.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, follows)
	if err := m.Prune(context.Background(), func(string) bool { return false }); err != nil {
		t.Fatal(err)
	}
	eventually(t, follows)
	if n := len(l.Store.Load().Keys()); n != 1 {
		t.Fatalf("the Loader's set has %d keys after Prune", n)
	}
}

// started runs a Manager in a new namespace and waits until it has a set.
func (e *managerEnv) started(t *testing.T, name string) *Manager {
	t.Helper()
	m := &Manager{Client: e.cached, Namespace: e.namespace(t, name), Store: &Store{}, PollInterval: tick}
	run(t, m)
	eventually(t, func() error { return loaded(m.Store) })
	return m
}

// namespace creates a namespace for one subtest.
func (e *managerEnv) namespace(t *testing.T, name string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "keys-" + name}}
	if err := e.direct.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

// read gets the Secret from the API server and decodes it.
func (e *managerEnv) read(t *testing.T, ns string) (*corev1.Secret, *Set) {
	t.Helper()
	sec := &corev1.Secret{}
	if err := e.direct.Get(context.Background(), types.NamespacedName{Namespace: ns, Name: SecretName}, sec); err != nil {
		t.Fatal(err)
	}
	set, err := FromSecretData(sec.Data)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	for name, v := range sec.Data {
		if name != metadataKey {
			e.material = append(e.material, bytes.TrimPrefix(v, []byte("-----BEGIN PRIVATE KEY-----\n")))
		}
	}
	e.mu.Unlock()
	return sec, set
}

// annotate does what `kubectl annotate secret tessera-signing-keys tenancy.tessera.dev/rotate=<value> --overwrite` does.
func (e *managerEnv) annotate(t *testing.T, ns, value string) {
	t.Helper()
	e.annotateWith(t, ns, tenancyv1alpha1.AnnotationRotate, value)
}

// annotateWith sets one annotation on the key Secret, as kubectl annotate --overwrite does.
func (e *managerEnv) annotateWith(t *testing.T, ns, name, value string) {
	t.Helper()
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: SecretName, Namespace: ns}}
	patch := fmt.Appendf(nil, `{"metadata":{"annotations":{%q:%q}}}`, name, value)
	if err := e.direct.Patch(context.Background(), sec, client.RawPatch(types.MergePatchType, patch)); err != nil {
		t.Fatal(err)
	}
}

// run starts a Runnable until the test ends or the returned stop is called.
func run(t *testing.T, r interface{ Start(context.Context) error }) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Start(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Start returned %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func loaded(s *Store) error {
	if s.Load() == nil {
		return errors.New("no set loaded")
	}
	return nil
}

func eventually(t *testing.T, f func() error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(tick / 2)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
