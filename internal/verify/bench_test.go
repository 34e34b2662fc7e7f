package verify

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/cluster"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/keys"
	"github.com/tessera-dev/tessera/internal/testenv"
	"github.com/tessera-dev/tessera/internal/tree"
)

// BenchmarkVerifyToken measures VerifyToken on the manager's kind of cache (informers, the
// product's field indexes, Tessera-labelled Secrets only) filled from a real API server: a
// signature already checked, then the Token, its Secret and its Account looked up in memory.
func BenchmarkVerifyToken(b *testing.B) {
	ctx, direct, cached := benchCluster(b)
	set, err := keys.Generate(keys.ES256, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	raw := benchObjects(ctx, b, direct, set)
	store := &keys.Store{}
	store.Put(set)
	v := &Verifier{Keys: store, Cache: cached, Forest: benchForest(), Issuer: issuer}
	waitCached(b, func() error { _, err := v.VerifyToken(ctx, raw); return err })

	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.VerifyToken(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyPassword measures VerifyPassword on the same cache: "remembered" a login and
// password that matched before (passwords.go), "hashed" the same pair forgotten before each
// call, so a full argon2id verification.
func BenchmarkVerifyPassword(b *testing.B) {
	ctx, direct, cached := benchCluster(b)
	const login, plaintext = "owner@a.example", "bench-Passw0rd"
	acct := account("a")
	acct.Spec.Type = tenancyv1alpha1.AccountTypeUser
	for _, o := range []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: acct.Namespace}}, acct} {
		if err := direct.Create(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	if err := credential.Store(ctx, direct, acct, plaintext); err != nil {
		b.Fatal(err)
	}
	v := &Verifier{Cache: cached, Forest: benchForest()}
	waitCached(b, func() error { _, err := v.VerifyPassword(ctx, login, plaintext); return err })

	b.Run("remembered", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.VerifyPassword(ctx, login, plaintext); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hashed", func(b *testing.B) {
		key := v.passwords.key(login, plaintext)
		b.ReportAllocs()
		for b.Loop() {
			v.passwords.forget(key)
			if _, err := v.VerifyPassword(ctx, login, plaintext); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchCluster starts an API server and returns a direct client and the manager's kind of
// cached client on it; both stop with the benchmark.
func benchCluster(b *testing.B) (context.Context, client.Client, client.Client) {
	b.Helper()
	logf.SetLogger(logr.Discard())
	assets, err := testenv.AssetsDir()
	if err != nil {
		b.Fatal(err)
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets,
		CRDDirectoryPaths: []string{filepath.Join(testenv.RepoRoot(), "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = env.Stop() })
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)

	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		b.Fatal(err)
	}
	if err := tenancyv1alpha1.AddToScheme(scheme); err != nil {
		b.Fatal(err)
	}
	direct, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		b.Fatal(err)
	}
	managed := labels.SelectorFromSet(labels.Set{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue})
	cl, err := cluster.New(cfg, func(o *cluster.Options) {
		o.Scheme = scheme
		o.Cache.ByObject = map[client.Object]cache.ByObject{&corev1.Secret{}: {Label: managed}}
		o.Cache.DefaultTransform = cache.TransformStripManagedFields()
		o.NewCache = index.NewCache
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := index.Setup(ctx, cl.GetFieldIndexer()); err != nil {
		b.Fatal(err)
	}
	go func() { _ = cl.Start(ctx) }()
	return ctx, direct, cl.GetClient()
}

func benchForest() *tree.Forest {
	forest := &tree.Forest{}
	forest.Set(tree.Node{Name: "a"})
	return forest
}

// waitCached waits until check passes: the informers start on the first lookups.
func waitCached(b *testing.B, check func() error) {
	b.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			b.Fatal(err)
		}
	}
}

// benchObjects creates an Account, its Token and the Token's Secret as the controller leaves
// them, and returns the Token's JWT.
func benchObjects(ctx context.Context, b *testing.B, c client.Client, set *keys.Set) string {
	b.Helper()
	ns := tenancyv1alpha1.GroupNamespace("a")
	acct := account("a")
	acct.Spec.Type = tenancyv1alpha1.AccountTypeUser
	tok := token("a")
	tok.UID = ""
	for _, o := range []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, acct, tok} {
		if err := c.Create(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	tok.Status.SecretName = tok.Name + "-jwt"
	if err := c.Status().Update(ctx, tok); err != nil {
		b.Fatal(err)
	}
	raw, _, err := jwt.Sign(set, jwt.Claims{TokenID: tokenID, AccountID: acctID, VisibilityArea: "all", Issuer: issuer, IssuedAt: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: tok.Status.SecretName,
		Labels: map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue},
		OwnerReferences: []metav1.OwnerReference{{APIVersion: tenancyv1alpha1.GroupVersion.String(), Kind: "Token",
			Name: tok.Name, UID: tok.UID, Controller: new(true)}}},
		Data: map[string][]byte{tokenSecretKey: []byte(raw)}}
	if err := c.Create(ctx, s); err != nil {
		b.Fatal(err)
	}
	return raw
}
