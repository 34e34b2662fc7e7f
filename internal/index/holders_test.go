package index

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/memtest"
)

// tokensOf is a lookup of spec.accountRef.name per namespace, as Setup registers, and a maker of
// Tokens naming one Account.
func tokensOf() (*fieldLookup, func(name string) *tenancyv1alpha1.Token) {
	l := &fieldLookup{fn: func(o client.Object) []string { return nonEmpty(o.(*tenancyv1alpha1.Token).Spec.AccountRef.Name) },
		namespaced: true, holders: map[valueKey]holders{}}
	return l, func(name string) *tenancyv1alpha1.Token {
		t := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: "x", Name: name}}
		t.Spec.AccountRef.Name = "owner"
		return t
	}
}

func sortedKeys(h holders) []types.NamespacedName {
	got := keys(h)
	slices.SortFunc(got, func(a, b types.NamespacedName) int { return strings.Compare(a.String(), b.String()) })
	return got
}

// One Account with many Tokens: past manyHolders the holders move to a map, and the lookup still
// follows every add, update and delete exactly.
func TestManyHoldersOfOneValue(t *testing.T) {
	l, tok := tokensOf()
	want := make([]types.NamespacedName, 0, 3*manyHolders)
	for i := range 3 * manyHolders {
		o := tok(fmt.Sprintf("t%03d", i))
		l.count(o, 1)
		want = append(want, client.ObjectKeyFromObject(o))
	}
	if h := l.holders[valueKey{"x", "owner"}]; !h.inMap() {
		t.Fatalf("%d holders are still kept inline", h.count())
	}
	if got := sortedKeys(l.lookup("x", "owner")); !slices.Equal(got, want) {
		t.Fatalf("lookup: %d holders, want %d", len(got), len(want))
	}
	// An update queues a new version, then the store lets the old one go: still one holder.
	h := l.handler()
	old, updated := tok("t000"), tok("t000")
	l.count(updated, 1)
	h.OnUpdate(old, updated)
	if got := sortedKeys(l.lookup("x", "owner")); !slices.Equal(got, want) {
		t.Fatalf("after an update: %d holders, want %d", len(got), len(want))
	}
	// A snapshot handed out stays as it was while the map changes.
	before := l.lookup("x", "owner")
	h.OnDelete(updated)
	if before.count() != len(want) {
		t.Fatalf("a snapshot changed under its reader: %d holders", before.count())
	}
	if got := sortedKeys(l.lookup("x", "owner")); !slices.Equal(got, want[1:]) {
		t.Fatalf("after a delete: %v", got)
	}
	for _, k := range want[1:] {
		h.OnDelete(tok(k.Name))
	}
	if len(l.holders) != 0 {
		t.Fatalf("after every delete, %d values kept", len(l.holders))
	}
}

// BenchmarkCountOneAccountsTokens is the lookup's cost per informer event of a Token whose
// Account already has n Tokens: constant in n (it was O(n), a copy of every holder per event).
//
//	go test ./internal/index -run XXX -bench CountOneAccountsTokens -benchmem
func BenchmarkCountOneAccountsTokens(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			l, tok := tokensOf()
			for i := range n {
				l.count(tok(fmt.Sprintf("t%d", i)), 1)
			}
			next := tok("next")
			b.ReportAllocs()
			for b.Loop() {
				l.count(next, 1) // queued
				l.count(next, -1)
			}
		})
	}
}

// BenchmarkLookupMemory fills a lookup of spec.accountRef.name, as Setup registers it, with
// 100,000 Tokens each naming an Account of its own (the common case: one holder per value), and
// reports the live heap it holds per Token.
//
//	go test ./internal/index -run XXX -bench LookupMemory
func BenchmarkLookupMemory(b *testing.B) {
	const n = 100_000
	tokens := make([]*tenancyv1alpha1.Token, n)
	for i := range tokens {
		t := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: "x", Name: fmt.Sprintf("t%06d", i)}}
		t.Spec.AccountRef.Name = t.Name
		tokens[i] = t
	}
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		l, _ := tokensOf()
		for _, t := range tokens {
			l.count(t, 1)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/token")
		runtime.KeepAlive(l)
	}
}

// BenchmarkSharedValueMemory is the live heap per Token of 100,000 Tokens, in 100 namespaces,
// all signed by one key: in a lookup of status.keyID, and in client-go's indexer as
// controller-runtime's IndexField builds it (each value once per namespace and once across
// namespaces). The ratio of the two, in one run, is what moving the field to the lookups saved.
//
//	go test ./internal/index -run XXX -bench SharedValueMemory
func BenchmarkSharedValueMemory(b *testing.B) {
	const n = 100_000
	keyID := func(o client.Object) []string { return nonEmpty(o.(*tenancyv1alpha1.Token).Status.KeyID) }
	tokens := make([]*tenancyv1alpha1.Token, n)
	for i := range tokens {
		t := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprintf("tenant-%02d", i%100), Name: fmt.Sprintf("token-%06d", i)}}
		t.Status.KeyID = "k1"
		tokens[i] = t
	}
	for range b.N {
		lookup := memtest.HeapHeldBy(func() any {
			l := &fieldLookup{fn: keyID, holders: map[valueKey]holders{}}
			for _, t := range tokens {
				l.count(t, 1)
			}
			return l
		})
		// The indexer's own store of the Tokens, which the informer keeps either way, is not
		// the index's cost.
		store := memtest.HeapHeldBy(func() any {
			x := toolscache.NewIndexer(toolscache.MetaNamespaceKeyFunc, toolscache.Indexers{})
			for _, t := range tokens {
				if err := x.Add(t); err != nil {
					b.Fatal(err)
				}
			}
			return x
		})
		indexer := memtest.HeapHeldBy(func() any {
			x := toolscache.NewIndexer(toolscache.MetaNamespaceKeyFunc, toolscache.Indexers{"field:" + TokenKeyID: func(o any) ([]string, error) {
				t := o.(*tenancyv1alpha1.Token)
				values := keyID(t)
				out := make([]string, 0, 2*len(values))
				for _, v := range values {
					out = append(out, t.Namespace+"/"+v, "__all_namespaces/"+v)
				}
				return out, nil
			}})
			for _, t := range tokens {
				if err := x.Add(t); err != nil {
					b.Fatal(err)
				}
			}
			return x
		})
		indexer -= store
		b.ReportMetric(float64(lookup)/n, "B/token(lookup)")
		b.ReportMetric(float64(indexer)/n, "B/token(controller-runtime)")
		b.ReportMetric(float64(lookup)/float64(indexer), "lookup/controller-runtime")
	}
}

// handler is the Cache's handler, counting out of l alone.
func (l *fieldLookup) handler() toolscache.ResourceEventHandler {
	return countOut(func(o client.Object) { l.count(o, -1) })
}
