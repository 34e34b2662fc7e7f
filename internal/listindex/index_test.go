package listindex

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

var (
	epoch  = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	types3 = []tenancyv1alpha1.AccountType{"", tenancyv1alpha1.AccountTypeAdmin,
		tenancyv1alpha1.AccountTypeAdvancedUser, tenancyv1alpha1.AccountTypeUser}
)

// randomAccount is one of few names and creation seconds, so that keys collide and tie.
func randomAccount(rng *rand.Rand) *tenancyv1alpha1.Account {
	a := &tenancyv1alpha1.Account{}
	a.Namespace = fmt.Sprintf("tessera-g%d", rng.IntN(3))
	a.Name = fmt.Sprintf("a%d", rng.IntN(60))
	a.CreationTimestamp = metav1.NewTime(epoch.Add(time.Duration(rng.IntN(20)) * time.Second))
	a.Spec.Type = types3[rng.IntN(len(types3))]
	if rng.IntN(10) > 0 {
		a.Spec.AccountID = fmt.Sprintf("id-%02d", rng.IntN(40))
	}
	if rng.IntN(8) == 0 {
		now := metav1.NewTime(epoch)
		a.DeletionTimestamp = &now
	}
	return a
}

// copyAndSortRefs is the algorithm the indexes replace: keep the objects keep and w select,
// sort them by creation, then id, then key, and list their keys.
func copyAndSortRefs[T client.Object](all map[types.NamespacedName]T, keep func(T) bool, id func(T) string, w Window) []types.NamespacedName {
	var kept []T
	for _, o := range all {
		t := o.GetCreationTimestamp().Time
		if keep(o) && (w.Since == nil || !t.Before(*w.Since)) && (w.Before == nil || t.Before(*w.Before)) {
			kept = append(kept, o)
		}
	}
	slices.SortFunc(kept, func(x, y T) int {
		if c := x.GetCreationTimestamp().Compare(y.GetCreationTimestamp().Time); c != 0 {
			return c
		}
		if c := strings.Compare(id(x), id(y)); c != 0 {
			return c
		}
		return compareRefs(client.ObjectKeyFromObject(x), client.ObjectKeyFromObject(y))
	})
	out := make([]types.NamespacedName, len(kept))
	for i, o := range kept {
		out[i] = client.ObjectKeyFromObject(o)
	}
	return out
}

// listAccounts is the old list of the Accounts of type typ ("" any).
func listAccounts(all map[types.NamespacedName]*tenancyv1alpha1.Account, typ tenancyv1alpha1.AccountType, w Window) []types.NamespacedName {
	return copyAndSortRefs(all, func(a *tenancyv1alpha1.Account) bool {
		return a.DeletionTimestamp == nil && a.Spec.AccountID != "" &&
			(typ == "" || typ == a.Spec.Type || typ == tenancyv1alpha1.AccountTypeUser && a.Spec.Type == "")
	}, func(a *tenancyv1alpha1.Account) string { return a.Spec.AccountID }, w)
}

func randomWindow(rng *rand.Rand) Window {
	var w Window
	if rng.IntN(2) == 0 {
		t := epoch.Add(time.Duration(rng.IntN(24)-2) * time.Second)
		w.Since = &t
	}
	if rng.IntN(2) == 0 {
		t := epoch.Add(time.Duration(rng.IntN(24)-2) * time.Second)
		w.Before = &t
	}
	return w
}

// churn applies obj to the index and to the stand-in cache, or (one time in four) deletes it
// from both, and checks that the index reflects the cache.
func churn[T client.Object](t *testing.T, rng *rand.Rand, step int, cache map[types.NamespacedName]T, obj T,
	apply func(types.NamespacedName, T), reflects func(types.NamespacedName, T) bool) {
	t.Helper()
	ref := client.ObjectKeyFromObject(obj)
	if rng.IntN(4) == 0 {
		delete(cache, ref)
		var none T
		apply(ref, none)
	} else {
		cache[ref] = obj
		apply(ref, obj)
	}
	if !reflects(ref, cache[ref]) {
		t.Fatalf("step %d: the index does not reflect %s", step, ref)
	}
}

// checkPage compares a random page and the total with the old algorithm's list.
func checkPage(t *testing.T, rng *rand.Rand, step int, want []types.NamespacedName, page func(offset, limit int) ([]types.NamespacedName, int)) {
	t.Helper()
	offset, limit := rng.IntN(len(want)+3), 1+rng.IntN(20)
	got, total := page(offset, limit)
	if total != len(want) || !slices.Equal(got, refsWindow(want, offset, limit)) {
		t.Fatalf("step %d: page (%d, %d) = %v of %d, want %v of %d", step, offset, limit,
			got, total, refsWindow(want, offset, limit), len(want))
	}
}

func refsWindow(s []types.NamespacedName, offset, limit int) []types.NamespacedName {
	if offset >= len(s) {
		return nil
	}
	return s[offset:min(offset+limit, len(s))]
}

// TestAccountsPageLikeTheCopyAndSort adds, changes (moving keys: type, creation, id, deletion)
// and deletes Accounts at random and compares every page and total with the old algorithm's.
func TestAccountsPageLikeTheCopyAndSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := NewAccounts()
	cache := map[types.NamespacedName]*tenancyv1alpha1.Account{}
	for step := range 5000 {
		churn(t, rng, step, cache, randomAccount(rng), x.Apply, x.Reflects)
		typ, w := types3[rng.IntN(len(types3))], randomWindow(rng)
		checkPage(t, rng, step, listAccounts(cache, typ, w), func(offset, limit int) ([]types.NamespacedName, int) {
			return x.Page(typ, w, offset, limit)
		})
		if n := len(listAccounts(cache, "", Window{})); x.Len() != n {
			t.Fatalf("step %d: Len %d, want %d", step, x.Len(), n)
		}
	}
}

func TestAccountsReflectsOnlyTheCurrentState(t *testing.T) {
	x := NewAccounts()
	a := &tenancyv1alpha1.Account{Spec: tenancyv1alpha1.AccountSpec{AccountID: "id", Type: tenancyv1alpha1.AccountTypeUser}}
	a.Namespace, a.Name = "ns", "a"
	ref := types.NamespacedName{Namespace: "ns", Name: "a"}
	if x.Reflects(ref, a) || !x.Reflects(ref, nil) {
		t.Fatal("an empty index reflects an Account, or not its absence")
	}
	x.Apply(ref, a)
	moved := a.DeepCopy()
	moved.Spec.Type = tenancyv1alpha1.AccountTypeAdmin
	if !x.Reflects(ref, a) || x.Reflects(ref, moved) || x.Reflects(ref, nil) {
		t.Fatal("the index reflects a state it has not seen")
	}
	x.Apply(ref, moved)
	if got, _ := x.Page(tenancyv1alpha1.AccountTypeUser, Window{}, 0, 10); len(got) != 0 {
		t.Fatalf("the Account is still listed under its old type: %v", got)
	}
	if got, _ := x.Page(tenancyv1alpha1.AccountTypeAdmin, Window{}, 0, 10); !slices.Equal(got, []types.NamespacedName{ref}) {
		t.Fatalf("the Account is not listed under its new type: %v", got)
	}
}

func TestWindowBoundsFarOutsideTheNanosecondRange(t *testing.T) {
	x := NewAccounts()
	a := &tenancyv1alpha1.Account{Spec: tenancyv1alpha1.AccountSpec{AccountID: "id"}}
	a.Namespace, a.Name, a.CreationTimestamp = "ns", "a", metav1.NewTime(epoch)
	x.Apply(types.NamespacedName{Namespace: "ns", Name: "a"}, a)
	early, late := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		w    Window
		want int
	}{{Window{Since: &early}, 1}, {Window{Before: &late}, 1}, {Window{Since: &late}, 0}, {Window{Before: &early}, 0}} {
		if _, total := x.Page("", c.w, 0, 10); total != c.want {
			t.Fatalf("window %v..%v: %d, want %d", c.w.Since, c.w.Before, total, c.want)
		}
	}
}
