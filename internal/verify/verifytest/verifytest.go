// Package verifytest sets up what the verifier's benchmarks (package verify, and the REST
// handlers in front of it) measure against: a real API server with Tessera's CRDs, the
// manager's kind of cache on it, and an Account with a Token whose JWT its Secret holds.
package verifytest

import (
	"context"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/cluster"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/keys"
	"github.com/tessera-dev/tessera/internal/testenv"
	"github.com/tessera-dev/tessera/internal/tree"
)

// The Token's fixed facts.
const (
	Issuer    = "https://tessera.example"
	TokenID   = "7f3c2a9e-1b4d-4c8e-9f0a-2d6b5e8c1a3f"
	AccountID = "0b1e4d2c-8a7f-4e3b-9c6d-5f2a1e0b9d8c"
	// Group is the Group whose namespace holds the objects.
	Group = "a"
)

// Cluster starts an API server and returns a direct client and the manager's kind of cached
// client on it (index.Cache with the product's indexes, Tessera-labelled Secrets only, managed
// fields stripped); both stop with the benchmark.
func Cluster(tb testing.TB) (context.Context, client.Client, client.Client) {
	tb.Helper()
	logf.SetLogger(logr.Discard())
	ctx, cfg, scheme, direct := testenv.APIServer(tb)
	managed := labels.SelectorFromSet(labels.Set{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue})
	cl, err := cluster.New(cfg, func(o *cluster.Options) {
		o.Scheme = scheme
		o.Cache.ByObject = map[client.Object]cache.ByObject{&corev1.Secret{}: {Label: managed}}
		o.Cache.DefaultTransform = cache.TransformStripManagedFields()
		o.NewCache = index.NewCache
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := index.Setup(ctx, cl.GetFieldIndexer()); err != nil {
		tb.Fatal(err)
	}
	go func() { _ = cl.Start(ctx) }()
	return ctx, direct, cl.GetClient()
}

// Forest is the tenant tree of Group alone, unlocked.
func Forest() *tree.Forest {
	forest := &tree.Forest{}
	forest.Set(tree.Node{Name: Group})
	return forest
}

// WaitCached waits until check passes: the informers start on the first lookups.
func WaitCached(tb testing.TB, check func() error) {
	tb.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal(err)
		}
	}
}

// TokenObjects creates Group's namespace, an Account, its Token and the Token's Secret as the
// controller leaves them, and returns the Token's JWT and a key store holding the fresh ES256
// key that signed it (a Verifier's Keys).
func TokenObjects(ctx context.Context, tb testing.TB, c client.Client) (string, *keys.Store) {
	tb.Helper()
	set, err := keys.Generate(keys.ES256, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	ns := tenancyv1alpha1.GroupNamespace(Group)
	acct := &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "owner"},
		Spec: tenancyv1alpha1.AccountSpec{Login: "owner@" + Group + ".example", AccountID: AccountID,
			Type: tenancyv1alpha1.AccountTypeUser}}
	tok := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "tok"},
		Spec: tenancyv1alpha1.TokenSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: "owner"}, TokenID: TokenID,
			VisibilityArea: tenancyv1alpha1.VisibilityAll,
			Permissions: tenancyv1alpha1.TokenPermissions{Token: []tenancyv1alpha1.CRUDVerb{"view"},
				Custom: map[string]tenancyv1alpha1.CustomPermission{"my_perm": {"view"}}}}}
	for _, o := range []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, acct, tok} {
		if err := c.Create(ctx, o); err != nil {
			tb.Fatal(err)
		}
	}
	tok.Status.SecretName = tok.Name + "-jwt"
	if err := c.Status().Update(ctx, tok); err != nil {
		tb.Fatal(err)
	}
	raw, _, err := jwt.Sign(set, jwt.Claims{TokenID: TokenID, AccountID: AccountID, VisibilityArea: "all", Issuer: Issuer,
		IssuedAt: time.Now()})
	if err != nil {
		tb.Fatal(err)
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: tok.Status.SecretName,
		Labels: map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue},
		OwnerReferences: []metav1.OwnerReference{{APIVersion: tenancyv1alpha1.GroupVersion.String(), Kind: "Token",
			Name: tok.Name, UID: tok.UID, Controller: new(true)}}},
		Data: map[string][]byte{tenancyv1alpha1.TokenSecretKey: []byte(raw)}}
	if err := c.Create(ctx, s); err != nil {
		tb.Fatal(err)
	}
	store := &keys.Store{}
	store.Put(set)
	return raw, store
}
