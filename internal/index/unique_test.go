package index

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/testenv"
)

func TestUniqueLookupFollowsAddsUpdatesAndDeletes(t *testing.T) {
	l := &uniqueLookup{fn: func(o client.Object) []string { return nonEmpty(o.(*tenancyv1alpha1.Account).Spec.Login) },
		holders: map[string]holders{}}
	acct := func(ns, name, login string) *tenancyv1alpha1.Account {
		return &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: tenancyv1alpha1.AccountSpec{Login: login}}
	}
	a, b := acct("x", "a", "one@x.example"), acct("y", "b", "one@x.example")
	ka, kb := client.ObjectKeyFromObject(a), client.ObjectKeyFromObject(b)
	l.apply(ka, nil, a)
	l.apply(kb, nil, b)
	l.apply(ka, a, a) // a resync
	if got := keys(l.lookup("one@x.example")); !slices.Equal(got, []types.NamespacedName{ka, kb}) {
		t.Fatalf("two holders of a value: %v", got)
	}
	a2 := acct("x", "a", "two@x.example")
	l.apply(ka, a, a2)
	if got := keys(l.lookup("one@x.example")); !slices.Equal(got, []types.NamespacedName{kb}) {
		t.Fatalf("after a's login changed: %v", got)
	}
	l.apply(kb, b, nil)
	if got := keys(l.lookup("one@x.example")); len(got) != 0 || len(l.holders) != 1 {
		t.Fatalf("after b was deleted: %v, %d values kept", got, len(l.holders))
	}
	if got := keys(l.lookup("two@x.example")); !slices.Equal(got, []types.NamespacedName{ka}) {
		t.Fatalf("a's new login: %v", got)
	}
}

func keys(h holders) []types.NamespacedName {
	out := make([]types.NamespacedName, 0, h.count())
	for i := range h.count() {
		out = append(out, h.at(i))
	}
	return out
}

// The cache's lists by a unique field answer as controller-runtime's indexes did, on a real API
// server: by value, within a namespace when asked, following updates and deletes.
func TestCacheListsByUniqueFields(t *testing.T) {
	ctx, c, cached := cluster(t)
	for _, o := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "y"}},
		&tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: "x", Name: "a"},
			Spec: tenancyv1alpha1.AccountSpec{Login: "a@x.example", ID: 7}},
		&tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: "y", Name: "b"},
			Spec: tenancyv1alpha1.AccountSpec{Login: "b@y.example", ID: 8}},
	} {
		if err := c.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	names := func(opts ...client.ListOption) []string {
		l := &tenancyv1alpha1.AccountList{}
		if err := cached.List(ctx, l, opts...); err != nil {
			t.Fatal(err)
		}
		out := make([]string, 0, len(l.Items))
		for _, a := range l.Items {
			out = append(out, a.Namespace+"/"+a.Name)
		}
		return out
	}
	eventually(t, "both Accounts by login", func() bool {
		return slices.Equal(names(client.MatchingFields{AccountLogin: "a@x.example"}), []string{"x/a"}) &&
			slices.Equal(names(client.MatchingFields{AccountLogin: "b@y.example"}), []string{"y/b"})
	})
	if got := names(client.MatchingFields{AccountNumericID: "8"}); !slices.Equal(got, []string{"y/b"}) {
		t.Fatalf("by numeric id: %v", got)
	}
	if got := names(client.MatchingFields{AccountLogin: "b@y.example"}, client.InNamespace("x")); len(got) != 0 {
		t.Fatalf("another namespace's Account: %v", got)
	}
	if got := names(client.MatchingFields{AccountLogin: "nobody@x.example"}); len(got) != 0 {
		t.Fatalf("an unknown login: %v", got)
	}

	a := &tenancyv1alpha1.Account{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: "x", Name: "a"}, a); err != nil {
		t.Fatal(err)
	}
	a.Spec.Login = "renamed@x.example"
	if err := c.Update(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: "y", Name: "b"}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the rename and the delete", func() bool {
		return len(names(client.MatchingFields{AccountLogin: "a@x.example"})) == 0 &&
			slices.Equal(names(client.MatchingFields{AccountLogin: "renamed@x.example"}), []string{"x/a"}) &&
			len(names(client.MatchingFields{AccountNumericID: "8"})) == 0
	})
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never saw %s", what)
		}
	}
}

// cluster starts an API server with Tessera's CRDs and returns a direct client and a started
// Cache with Setup's indexes.
func cluster(t *testing.T) (context.Context, client.Client, cache.Cache) {
	t.Helper()
	assets, err := testenv.AssetsDir()
	if err != nil {
		t.Fatal(err)
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets,
		CRDDirectoryPaths: []string{filepath.Join(testenv.RepoRoot(), "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, tenancyv1alpha1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	direct, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := NewCache(cfg, cache.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	if err := Setup(ctx, ca); err != nil {
		t.Fatal(err)
	}
	go func() { _ = ca.Start(ctx) }()
	if !ca.WaitForCacheSync(ctx) {
		t.Fatal("the cache did not sync")
	}
	return ctx, direct, ca
}
