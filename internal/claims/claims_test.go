package claims

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

const ns = "tessera-system"

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func setup(t *testing.T, objs ...client.Object) (*Claims, client.Client, *clock) {
	t.Helper()
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, tenancyv1alpha1.AddToScheme} {
		if err := add(s); err != nil {
			t.Fatal(err)
		}
	}
	// The API server filters Tokens and Accounts by their selectable fields spec.tokenID and
	// spec.accountID; the fake by index.
	c := fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).
		WithIndex(&tenancyv1alpha1.Token{}, TokenID.Path, func(o client.Object) []string {
			return []string{o.(*tenancyv1alpha1.Token).Spec.TokenID}
		}).
		WithIndex(&tenancyv1alpha1.Account{}, AccountID.Path, func(o client.Object) []string {
			return []string{o.(*tenancyv1alpha1.Account).Spec.AccountID}
		}).Build()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return &Claims{Client: c, Namespace: ns, Now: clk.now}, c, clk
}

func account(namespace, name, login string) *tenancyv1alpha1.Account {
	return &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: tenancyv1alpha1.AccountSpec{Login: login}}
}

func holder(ns, name string) types.NamespacedName {
	return types.NamespacedName{Namespace: ns, Name: name}
}

func leases(t *testing.T, c client.Client) []coordinationv1.Lease {
	t.Helper()
	l := &coordinationv1.LeaseList{}
	if err := c.List(context.Background(), l, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	return l.Items
}

func TestLoginLeaseNamesAreUnchanged(t *testing.T) {
	// Claims made before generalization must still count.
	sum := sha256.Sum256([]byte("bob@example.com"))
	want := "login-" + hex.EncodeToString(sum[:20])
	if got := (Key{Field: AccountLogin, Value: "bob@example.com"}).LeaseName(); got != want {
		t.Fatalf("login lease name %s, want %s", got, want)
	}
	a, b := Key{Field: AccountID, Value: "x"}, Key{Field: AdminUUID, Value: "x"}
	if a.LeaseName() == b.LeaseName() {
		t.Fatal("one value of two fields must have two claims")
	}
}

func TestClaimIsExclusiveAndIdempotent(t *testing.T) {
	cl, c, _ := setup(t, account("t-a", "alice", "alice@example.com"))
	ctx := context.Background()
	key := Key{Field: AccountLogin, Value: "alice@example.com"}
	if err := cl.Claim(ctx, key, holder("t-a", "alice")); err != nil {
		t.Fatal(err)
	}
	if err := cl.Claim(ctx, key, holder("t-a", "alice")); err != nil {
		t.Fatalf("the holder claims again: %v", err)
	}
	err := cl.Claim(ctx, key, holder("t-b", "mallory"))
	if !IsTaken(err) || err.Error() != `login "alice@example.com" is already taken by Account t-a/alice` {
		t.Fatalf("got %v", err)
	}
	l := leases(t, c)
	if len(l) != 1 || l[0].Labels[tenancyv1alpha1.LabelClaim] != "Account.spec.login" ||
		l[0].Annotations[tenancyv1alpha1.AnnotationClaimValue] != "alice@example.com" {
		t.Fatalf("leases %+v", l)
	}
}

func TestConcurrentClaimsHaveOneWinner(t *testing.T) {
	cl, _, _ := setup(t)
	key := Key{Field: AccountID, Value: "8950722f-3fd4-4223-b48f-03f95f0e8dfb"}
	errs := make([]error, 10)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { errs[i] = cl.Claim(context.Background(), key, holder("t", fmt.Sprint("racer-", i))) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !IsTaken(err):
			t.Fatalf("a loser must see TakenError: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d winners", won)
	}
}

func TestStaleClaims(t *testing.T) {
	key := Key{Field: AccountLogin, Value: "x@example.com"}
	t.Run("holder gone: kept while young, then taken over", func(t *testing.T) {
		cl, _, clk := setup(t)
		ctx := context.Background()
		if err := cl.Claim(ctx, key, holder("t", "gone")); err != nil {
			t.Fatal(err)
		}
		if err := cl.Claim(ctx, key, holder("t", "next")); !IsTaken(err) {
			t.Fatalf("a young claim may be a create in flight: %v", err)
		}
		clk.add(StaleAfter + time.Second)
		if err := cl.Claim(ctx, key, holder("t", "next")); err != nil {
			t.Fatalf("stale claim not taken over: %v", err)
		}
	})
	t.Run("holder carries another value", func(t *testing.T) {
		cl, _, clk := setup(t, account("t", "renamed", "other@example.com"))
		ctx := context.Background()
		if err := cl.Claim(ctx, key, holder("t", "renamed")); err != nil {
			t.Fatal(err)
		}
		clk.add(StaleAfter + time.Second)
		if err := cl.Claim(ctx, key, holder("t", "next")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("holder carries it: never stale", func(t *testing.T) {
		cl, _, clk := setup(t, account("t", "live", "x@example.com"))
		ctx := context.Background()
		if err := cl.Claim(ctx, key, holder("t", "live")); err != nil {
			t.Fatal(err)
		}
		clk.add(time.Hour)
		if err := cl.Claim(ctx, key, holder("t", "next")); !IsTaken(err) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("holder being deleted: taken over at once", func(t *testing.T) {
		leaving := account("t", "leaving", "x@example.com")
		leaving.Finalizers = []string{"tenancy.tessera.dev/cleanup"}
		cl, c, _ := setup(t, leaving)
		ctx := context.Background()
		if err := cl.Claim(ctx, key, holder("t", "leaving")); err != nil {
			t.Fatal(err)
		}
		if err := c.Delete(ctx, leaving); err != nil {
			t.Fatal(err)
		}
		if err := cl.Claim(ctx, key, holder("t", "next")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("cluster-scoped holder", func(t *testing.T) {
		g := &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "acme"}, Spec: tenancyv1alpha1.GroupSpec{ID: 7}}
		cl, _, clk := setup(t, g)
		ctx := context.Background()
		gk := Key{Field: GroupNumericID, Value: "7"}
		if err := cl.Claim(ctx, gk, Holder(g)); err != nil {
			t.Fatal(err)
		}
		clk.add(time.Hour)
		err := cl.Claim(ctx, gk, holder("", "copy"))
		if !IsTaken(err) || !strings.HasPrefix(err.Error(), "id 7 is already taken by Group acme; leave spec.id out") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestClaimAllReleasesWhatItGotWhenOneFails(t *testing.T) {
	cl, c, _ := setup(t)
	ctx := context.Background()
	id := Key{Field: AccountID, Value: "8950722f-3fd4-4223-b48f-03f95f0e8dfb"}
	if err := cl.Claim(ctx, id, holder("t", "first")); err != nil {
		t.Fatal(err)
	}
	login := Key{Field: AccountLogin, Value: "second@example.com"}
	num := Key{Field: AccountNumericID, Value: "12"}
	err := cl.ClaimAll(ctx, []Key{login, id, num}, holder("t", "second"))
	if taken := Taken(err); len(taken) != 1 || taken[0].Key != id {
		t.Fatalf("got %v", err)
	}
	if l := leases(t, c); len(l) != 1 || l[0].Name != id.LeaseName() {
		t.Fatalf("a refused request left claims behind: %d leases", len(l))
	}
	// Two values taken: both are reported.
	if err := cl.ClaimAll(ctx, []Key{login, num}, holder("t", "third")); err != nil {
		t.Fatal(err)
	}
	if taken := Taken(cl.ClaimAll(ctx, []Key{login, id, num}, holder("t", "fourth"))); len(taken) != 3 {
		t.Fatalf("%d taken errors, want 3", len(taken))
	}
}

func TestCheckWritesNothing(t *testing.T) {
	cl, c, _ := setup(t)
	ctx := context.Background()
	key := Key{Field: TokenID, Value: "tok-1"}
	if err := cl.Check(ctx, []Key{key}, holder("t", "a")); err != nil {
		t.Fatal(err)
	}
	if len(leases(t, c)) != 0 {
		t.Fatal("a dry run wrote a claim")
	}
	if err := cl.Claim(ctx, key, holder("t", "a")); err != nil {
		t.Fatal(err)
	}
	if err := cl.Check(ctx, []Key{key}, holder("t", "b")); !IsTaken(err) {
		t.Fatalf("got %v", err)
	}
}

func TestCacheNamesAnUnclaimedHolder(t *testing.T) {
	// An Account created before its values were claimed has no Lease; the cache knows it.
	cl, c, _ := setup(t, account("t", "old", "old@example.com"))
	cl.Cache = indexed{c}
	err := cl.Claim(context.Background(), Key{Field: AccountLogin, Value: "old@example.com"}, holder("t", "new"))
	if !IsTaken(err) || !strings.Contains(err.Error(), "Account t/old") {
		t.Fatalf("got %v", err)
	}
}

// indexed stands in for the cache's field indexes: it lists everything and lets Cached filter
// by value.
type indexed struct{ client.Client }

func (r indexed) List(ctx context.Context, l client.ObjectList, _ ...client.ListOption) error {
	return r.Client.List(ctx, l)
}

func TestReleaseOnlyByHolder(t *testing.T) {
	a := account("t", "alice", "alice@example.com")
	a.Spec.AccountID, a.Spec.ID = "8950722f-3fd4-4223-b48f-03f95f0e8dfb", 3
	cl, c, _ := setup(t, a)
	ctx := context.Background()
	if err := cl.ClaimAll(ctx, Keys(a), Holder(a)); err != nil {
		t.Fatal(err)
	}
	if err := cl.Release(ctx, Key{Field: AccountLogin, Value: "alice@example.com"}, holder("t", "bob")); err != nil {
		t.Fatal(err)
	}
	if len(leases(t, c)) != 3 {
		t.Fatal("a non-holder released a claim")
	}
	if err := cl.ReleaseAll(ctx, a); err != nil {
		t.Fatal(err)
	}
	if l := leases(t, c); len(l) != 0 {
		t.Fatalf("%d claims left after ReleaseAll", len(l))
	}
}

func TestEmailIsClaimedOnlyForEmailLogins(t *testing.T) {
	a := account("t", "a", "a")
	a.Spec.Profile.Email = "Ann@Example.com"
	if keys := Keys(a); len(keys) != 1 || keys[0].Field != AccountLogin {
		t.Fatalf("unmarked Account: keys %v", keys)
	}
	marked := a.DeepCopy()
	marked.Labels = map[string]string{tenancyv1alpha1.LabelEmailLogin: "true"}
	keys := NewKeys(a, marked)
	if len(keys) != 1 || keys[0].Field != AccountEmail || keys[0].Value != "ann@example.com" {
		t.Fatalf("marking must claim the lower-cased e-mail: %v", keys)
	}
	if keys := NewKeys(marked, marked.DeepCopy()); len(keys) != 0 {
		t.Fatalf("an unchanged object claims nothing: %v", keys)
	}
}

func TestSweepDeletesOnlyStaleClaims(t *testing.T) {
	live := account("t", "live", "live@example.com")
	cl, c, clk := setup(t, live)
	ctx := context.Background()
	for _, h := range []types.NamespacedName{holder("t", "live"), holder("t", "gone")} {
		login := "live@example.com"
		if h.Name == "gone" {
			login = "gone@example.com"
		}
		if err := cl.Claim(ctx, Key{Field: AccountLogin, Value: login}, h); err != nil {
			t.Fatal(err)
		}
	}
	s := &Sweeper{Claims: cl}
	if n, err := s.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("young claims swept: %d, %v", n, err)
	}
	clk.add(StaleAfter + time.Second)
	if n, err := s.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("swept %d, %v; want 1", n, err)
	}
	l := leases(t, c)
	if len(l) != 1 || *l[0].Spec.HolderIdentity != "t/live" {
		t.Fatalf("left %+v", l)
	}
	if err := c.Get(ctx, client.ObjectKeyFromObject(&l[0]), &coordinationv1.Lease{}); apierrors.IsNotFound(err) {
		t.Fatal("live claim swept")
	}
}

func TestLiveTokenWithoutClaimIsTaken(t *testing.T) {
	// A Token whose tokenID the defaulter generated holds no Lease; the API server knows it.
	tok := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: "t", Name: "gen"},
		Spec: tenancyv1alpha1.TokenSpec{TokenID: "tok-gen"}}
	cl, c, _ := setup(t, tok)
	ctx := context.Background()
	key := Key{Field: TokenID, Value: "tok-gen"}
	if err := cl.Check(ctx, []Key{key}, holder("t", "copy")); !IsTaken(err) || !strings.Contains(err.Error(), "Token t/gen") {
		t.Fatalf("dry run: got %v", err)
	}
	if err := cl.ClaimAll(ctx, []Key{key}, holder("t", "copy")); !IsTaken(err) {
		t.Fatalf("got %v", err)
	}
	if err := cl.Claim(ctx, key, holder("t", "copy")); !IsTaken(err) {
		t.Fatalf("got %v", err)
	}
	if n := len(leases(t, c)); n != 0 {
		t.Fatalf("a refused claim left %d Leases", n)
	}
	if err := cl.Claim(ctx, key, holder("t", "gen")); err != nil {
		t.Fatalf("the holder itself: %v", err)
	}
}

func TestProver(t *testing.T) {
	p := NewProver()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p.Now = func() time.Time { return now }
	proof := p.Prove("ns", "a", "id-1")
	if !p.Verify("ns", "a", "id-1", proof) {
		t.Fatal("own proof refused")
	}
	for _, c := range [][3]string{{"ns", "b", "id-1"}, {"other", "a", "id-1"}, {"ns", "a", "id-2"}} {
		if p.Verify(c[0], c[1], c[2], proof) {
			t.Fatalf("proof accepted for %v", c)
		}
	}
	if NewProver().Verify("ns", "a", "id-1", proof) {
		t.Fatal("another key accepted the proof")
	}
	now = now.Add(StaleAfter + time.Second)
	if p.Verify("ns", "a", "id-1", proof) {
		t.Fatal("an old proof accepted")
	}
}
