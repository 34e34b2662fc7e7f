package index

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/testenv"
)

func TestLookupFollowsAddsUpdatesAndDeletes(t *testing.T) {
	l := &fieldLookup{fn: func(o client.Object) []string { return nonEmpty(o.(*tenancyv1alpha1.Account).Spec.Login) },
		holders: map[valueKey]holders{}}
	acct := func(ns, name, login string) *tenancyv1alpha1.Account {
		return &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: tenancyv1alpha1.AccountSpec{Login: login}}
	}
	// As the informer does: a version is counted in when queued, out when the store replaces or
	// deletes it.
	queued := func(o client.Object) { l.count(o, 1) }
	h := l.handler()
	a, b := acct("x", "a", "one@x.example"), acct("y", "b", "one@x.example")
	ka, kb := client.ObjectKeyFromObject(a), client.ObjectKeyFromObject(b)
	queued(a)
	queued(b)
	h.OnUpdate(a, a) // a resync
	if got := keys(l.lookup("", "one@x.example")); !slices.Equal(got, []types.NamespacedName{ka, kb}) {
		t.Fatalf("two holders of a value: %v", got)
	}
	// a's login changes and changes back before the store has seen either change: the lookup
	// keeps a under each value some version of it holds, so no list ever misses it.
	a2, a3 := acct("x", "a", "two@x.example"), acct("x", "a", "one@x.example")
	queued(a2)
	queued(a3)
	h.OnUpdate(a, a2)
	if got := keys(l.lookup("", "one@x.example")); !slices.Equal(got, []types.NamespacedName{ka, kb}) {
		t.Fatalf("with a's change back queued: %v", got)
	}
	h.OnUpdate(a2, a3)
	if got := keys(l.lookup("", "two@x.example")); len(got) != 0 {
		t.Fatalf("a version no longer queued or stored still counts: %v", got)
	}
	h.OnDelete(toolscache.DeletedFinalStateUnknown{Key: "y/b", Obj: b})
	if got := keys(l.lookup("", "one@x.example")); !slices.Equal(got, []types.NamespacedName{ka}) || len(l.holders) != 1 {
		t.Fatalf("after b was deleted: %v, %d values kept", got, len(l.holders))
	}
	h.OnDelete(a3)
	if len(l.holders) != 0 {
		t.Fatalf("after every delete, %d values kept", len(l.holders))
	}
}

// listed is how many objects c lists into list with opts.
func listed(ctx context.Context, t *testing.T, c client.Reader, list client.ObjectList, opts ...client.ListOption) int {
	t.Helper()
	if err := c.List(ctx, list, opts...); err != nil {
		t.Fatal(err)
	}
	return meta.LenList(list)
}

func keys(h holders) []types.NamespacedName {
	out := make([]types.NamespacedName, 0, h.count())
	for i := range h.count() {
		out = append(out, h.at(i))
	}
	return out
}

// A namespaced lookup answers per namespace, and across namespaces when asked.
func TestNamespacedLookupKeepsNamespacesApart(t *testing.T) {
	l := &fieldLookup{fn: func(o client.Object) []string { return nonEmpty(o.(*tenancyv1alpha1.Token).Spec.AccountRef.Name) },
		namespaced: true, holders: map[valueKey]holders{}}
	tok := func(ns, name string) *tenancyv1alpha1.Token {
		t := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
		t.Spec.AccountRef.Name = "owner"
		return t
	}
	x1, x2, y1 := tok("x", "t1"), tok("x", "t2"), tok("y", "t1")
	for _, o := range []*tenancyv1alpha1.Token{x1, x2, y1} {
		l.count(o, 1)
	}
	kx1, kx2, ky1 := client.ObjectKeyFromObject(x1), client.ObjectKeyFromObject(x2), client.ObjectKeyFromObject(y1)
	if got := keys(l.lookup("x", "owner")); !slices.Equal(got, []types.NamespacedName{kx1, kx2}) {
		t.Fatalf("namespace x: %v", got)
	}
	if got := keys(l.lookup("y", "owner")); !slices.Equal(got, []types.NamespacedName{ky1}) {
		t.Fatalf("namespace y: %v", got)
	}
	got := keys(l.lookup("", "owner"))
	slices.SortFunc(got, func(a, b types.NamespacedName) int { return strings.Compare(a.String(), b.String()) })
	if !slices.Equal(got, []types.NamespacedName{kx1, kx2, ky1}) {
		t.Fatalf("all namespaces: %v", got)
	}
	l.handler().OnDelete(x1)
	if got := keys(l.lookup("x", "owner")); !slices.Equal(got, []types.NamespacedName{kx2}) {
		t.Fatalf("namespace x after a delete: %v", got)
	}
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
	testenv.Eventually(t, "both Accounts by login", func() bool {
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

	for _, ns := range []string{"x", "y"} {
		tok := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "t"}}
		tok.Spec.AccountRef.Name = "a"
		if err := c.Create(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	tokens := func(opts ...client.ListOption) int {
		return listed(ctx, t, cached, &tenancyv1alpha1.TokenList{}, opts...)
	}
	testenv.Eventually(t, "the Tokens by Account", func() bool {
		return tokens(client.InNamespace("x"), client.MatchingFields{TokenAccount: "a"}) == 1 &&
			tokens(client.MatchingFields{TokenAccount: "a"}) == 2 &&
			tokens(client.InNamespace("x"), client.MatchingFields{TokenAccount: "b"}) == 0
	})

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
	testenv.Eventually(t, "the rename and the delete", func() bool {
		return len(names(client.MatchingFields{AccountLogin: "a@x.example"})) == 0 &&
			slices.Equal(names(client.MatchingFields{AccountLogin: "renamed@x.example"}), []string{"x/a"}) &&
			len(names(client.MatchingFields{AccountNumericID: "8"})) == 0
	})
}

// cluster starts an API server with Tessera's CRDs and returns a direct client and a started
// Cache with Setup's indexes.
func cluster(t *testing.T) (context.Context, client.Client, cache.Cache) {
	t.Helper()
	ctx, cfg, scheme, direct := testenv.APIServer(t)
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

// Values many objects share (the key that signed Tokens across namespaces, the password Secret
// several Accounts of a namespace take) are listed from their lookups too, past manyHolders,
// and follow a status write that changes them.
func TestCacheListsBySharedValues(t *testing.T) {
	ctx, c, cached := cluster(t)
	for _, ns := range []string{"x", "y"} {
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	const n = 2 * manyHolders // per namespace: the map form
	for _, ns := range []string{"x", "y"} {
		for i := range n {
			a := &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("a%02d", i)},
				Spec: tenancyv1alpha1.AccountSpec{Login: fmt.Sprintf("a%02d@%s.example", i, ns),
					PasswordSecretRef: &tenancyv1alpha1.PasswordSecretReference{Name: "shared"}}}
			if err := c.Create(ctx, a); err != nil {
				t.Fatal(err)
			}
			tok := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("t%02d", i)}}
			tok.Spec.AccountRef.Name = a.Name
			if err := c.Create(ctx, tok); err != nil {
				t.Fatal(err)
			}
			tok.Status.KeyID = "k1"
			if err := c.Status().Update(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
	}
	accounts := func(opts ...client.ListOption) int {
		return listed(ctx, t, cached, &tenancyv1alpha1.AccountList{}, opts...)
	}
	signedBy := func(kid string) int {
		return listed(ctx, t, cached, &tenancyv1alpha1.TokenList{}, client.MatchingFields{TokenKeyID: kid})
	}
	testenv.Eventually(t, "every Account of the shared Secret and every Token of k1", func() bool {
		return accounts(client.InNamespace("x"), client.MatchingFields{AccountPasswordSecret: "shared"}) == n &&
			accounts(client.InNamespace("y"), client.MatchingFields{AccountPasswordSecret: "shared"}) == n &&
			signedBy("k1") == 2*n
	})
	if got := accounts(client.InNamespace("x"), client.MatchingFields{AccountPasswordSecret: "other"}); got != 0 {
		t.Fatalf("Accounts of a Secret none takes: %d", got)
	}
	// Keys answers the same without reading the objects, per namespace.
	keys, ok := cached.(*Cache).Keys(&tenancyv1alpha1.Account{}, "x", AccountPasswordSecret, "shared")
	if !ok || len(keys) != n || slices.ContainsFunc(keys, func(k types.NamespacedName) bool { return k.Namespace != "x" }) {
		t.Fatalf("the keys of x's Accounts of the shared Secret: %v (lookup %v)", keys, ok)
	}
	if _, ok := cached.(*Cache).Keys(&tenancyv1alpha1.Account{}, "x", "spec.description", "shared"); ok {
		t.Fatal("Keys answered for a field without a lookup")
	}

	// A re-sign with another key moves a Token from k1 to k2.
	tok := &tenancyv1alpha1.Token{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: "y", Name: "t00"}, tok); err != nil {
		t.Fatal(err)
	}
	tok.Status.KeyID = "k2"
	if err := c.Status().Update(ctx, tok); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "the re-signed Token under its new key", func() bool {
		return signedBy("k1") == 2*n-1 && signedBy("k2") == 1
	})
}
