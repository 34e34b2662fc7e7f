package listindex

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/memtest"
)

// benchStore stands for the informer's store: n Accounts by key, ten created per second.
func benchStore(n int) map[types.NamespacedName]*tenancyv1alpha1.Account {
	store := make(map[types.NamespacedName]*tenancyv1alpha1.Account, n)
	typs := []tenancyv1alpha1.AccountType{tenancyv1alpha1.AccountTypeUser, tenancyv1alpha1.AccountTypeAdvancedUser, tenancyv1alpha1.AccountTypeAdmin}
	for i := range n {
		a := &tenancyv1alpha1.Account{
			ObjectMeta: metav1.ObjectMeta{
				Namespace: fmt.Sprintf("tessera-g%d", i%50), Name: fmt.Sprintf("acct-%06d", i),
				CreationTimestamp: metav1.NewTime(epoch.Add(time.Duration(i/10) * time.Second)),
				Labels:            map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue},
				Finalizers:        []string{"tenancy.tessera.dev/account"},
				ResourceVersion:   fmt.Sprint(1000 + i),
			},
			Spec: tenancyv1alpha1.AccountSpec{
				Login: fmt.Sprintf("user%06d@tessera.example", i), Type: typs[i%len(typs)],
				AccountID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i*7919, i), Description: "a benchmark account",
			},
		}
		store[types.NamespacedName{Namespace: a.Namespace, Name: a.Name}] = a
	}
	return store
}

// copyAndSort is what GET /1/accounts did per request: the cache's List copies every Account
// (shallowly, as UnsafeDisableDeepCopy does), then the handler filters, sorts and slices.
func copyAndSort(store map[types.NamespacedName]*tenancyv1alpha1.Account, offset, limit int) []*tenancyv1alpha1.Account {
	items := make([]tenancyv1alpha1.Account, 0, len(store))
	for _, a := range store {
		items = append(items, *a)
	}
	out := make([]*tenancyv1alpha1.Account, 0, len(items))
	for i := range items {
		if a := &items[i]; a.DeletionTimestamp == nil && a.Spec.AccountID != "" {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(x, y *tenancyv1alpha1.Account) int {
		if c := x.CreationTimestamp.Compare(y.CreationTimestamp.Time); c != 0 {
			return c
		}
		return strings.Compare(x.Spec.AccountID, y.Spec.AccountID)
	})
	return out[offset:min(offset+limit, len(out))]
}

// fromIndex is what it does now: a page of keys from the index, each object read from the store.
func fromIndex(x *Accounts, store map[types.NamespacedName]*tenancyv1alpha1.Account, offset, limit int) []*tenancyv1alpha1.Account {
	refs, _ := x.Page("", Window{}, offset, limit)
	out := make([]*tenancyv1alpha1.Account, 0, len(refs))
	for _, ref := range refs {
		out = append(out, store[ref])
	}
	return out
}

// BenchmarkAccountsPage compares a page of 100 (the first, and one in the middle) from the
// index with the old copy-and-sort. Reproduce: go test ./internal/listindex -run '^$' -bench AccountsPage -benchmem
func BenchmarkAccountsPage(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		store := benchStore(n)
		x := NewAccounts()
		for ref, a := range store {
			x.Apply(ref, a)
		}
		for _, offset := range []int{0, n / 2} {
			want := copyAndSort(store, offset, 100)
			if got := fromIndex(x, store, offset, 100); !slices.EqualFunc(got, want, func(a, b *tenancyv1alpha1.Account) bool {
				return a.Name == b.Name
			}) {
				b.Fatalf("n=%d offset=%d: the index's page differs from the copy-and-sort's", n, offset)
			}
			b.Run(fmt.Sprintf("index/n=%d/offset=%d", n, offset), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					fromIndex(x, store, offset, 100)
				}
			})
			b.Run(fmt.Sprintf("copy-and-sort/n=%d/offset=%d", n, offset), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					copyAndSort(store, offset, 100)
				}
			})
		}
	}
}

// BenchmarkAccountsApply is the cost of one event: an Account whose type changes moves.
func BenchmarkAccountsApply(b *testing.B) {
	store := benchStore(100_000)
	x := NewAccounts()
	for ref, a := range store {
		x.Apply(ref, a)
	}
	a := store[types.NamespacedName{Namespace: "tessera-g0", Name: "acct-000000"}]
	moved := a.DeepCopy()
	moved.Spec.Type = tenancyv1alpha1.AccountTypeAdmin
	ref := types.NamespacedName{Namespace: a.Namespace, Name: a.Name}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			x.Apply(ref, moved)
		} else {
			x.Apply(ref, a)
		}
	}
}

// BenchmarkAccountsMemory fills the Accounts index with 100,000 Accounts and reports the live
// heap it holds per Account (its strings are the store's).
func BenchmarkAccountsMemory(b *testing.B) {
	store := benchStore(100_000)
	for range b.N {
		held := memtest.HeapHeldBy(func() any {
			x := NewAccounts()
			for ref, acct := range store {
				x.Apply(ref, acct)
			}
			return x
		})
		b.ReportMetric(float64(held)/float64(len(store)), "B/account")
	}
}

// BenchmarkMembersMemory fills the portal's Members index with 100,000 Accounts (a tenth of
// them granted by an Admin) and reports the live heap it holds per Account, and the cost of a
// prefix search that stops after 10 hits.
func BenchmarkMembersMemory(b *testing.B) {
	store := benchStore(100_000)
	for range b.N {
		var x *Members
		held := memtest.HeapHeldBy(func() any {
			x = NewMembers()
			i := 0
			for ref, acct := range store {
				x.ApplyAccount(ref, acct)
				if i%10 == 0 {
					adm := &tenancyv1alpha1.Admin{}
					adm.Spec.AccountRef.Name = ref.Name
					x.ApplyAdmin(types.NamespacedName{Namespace: ref.Namespace, Name: "adm-" + ref.Name}, adm)
				}
				i++
			}
			return x
		})
		b.ReportMetric(float64(held)/float64(len(store)), "B/account")
		began := time.Now()
		hits := 0
		x.Logins("user05", func(types.NamespacedName, string) bool { hits++; return hits < 10 })
		b.ReportMetric(float64(time.Since(began).Nanoseconds()), "ns/search")
	}
}
