package listindex

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

func randomToken(rng *rand.Rand) *tenancyv1alpha1.Token {
	tok := &tenancyv1alpha1.Token{}
	tok.Namespace = fmt.Sprintf("tessera-g%d", rng.IntN(2))
	tok.Name = fmt.Sprintf("t%d", rng.IntN(80))
	tok.CreationTimestamp = metav1.NewTime(epoch.Add(time.Duration(rng.IntN(20)) * time.Second))
	tok.Spec.AccountRef.Name = fmt.Sprintf("a%d", rng.IntN(6))
	if rng.IntN(10) > 0 {
		tok.Spec.TokenID = fmt.Sprintf("id-%02d", rng.IntN(50))
	}
	if rng.IntN(8) == 0 {
		now := metav1.NewTime(epoch)
		tok.DeletionTimestamp = &now
	}
	return tok
}

// listTokens is the copy-and-sort the index replaces: the live Tokens of owner (nil: of every
// live Account) created within w.
func listTokens(toks map[types.NamespacedName]*tenancyv1alpha1.Token, live map[types.NamespacedName]bool,
	owner *types.NamespacedName, w Window) []types.NamespacedName {
	return copyAndSortRefs(toks, func(tok *tenancyv1alpha1.Token) bool {
		o := types.NamespacedName{Namespace: tok.Namespace, Name: tok.Spec.AccountRef.Name}
		return tok.DeletionTimestamp == nil && tok.Spec.TokenID != "" && (owner == nil && live[o] || owner != nil && o == *owner)
	}, func(tok *tenancyv1alpha1.Token) string { return tok.Spec.TokenID }, w)
}

// TestTokensPageLikeTheCopyAndSort interleaves Token changes with their Accounts appearing,
// being deleted and coming back, and compares every page with the old algorithm's.
func TestTokensPageLikeTheCopyAndSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := NewTokens()
	toks := map[types.NamespacedName]*tenancyv1alpha1.Token{}
	live := map[types.NamespacedName]bool{}
	for step := range 6000 {
		if rng.IntN(5) == 0 {
			o := types.NamespacedName{Namespace: fmt.Sprintf("tessera-g%d", rng.IntN(2)), Name: fmt.Sprintf("a%d", rng.IntN(6))}
			var acct *tenancyv1alpha1.Account
			switch rng.IntN(3) {
			case 0: // gone
			case 1:
				acct = &tenancyv1alpha1.Account{}
				now := metav1.NewTime(epoch)
				acct.DeletionTimestamp = &now
			default:
				acct = &tenancyv1alpha1.Account{}
			}
			live[o] = acct != nil && acct.DeletionTimestamp == nil
			x.ApplyAccount(o, acct)
			if x.OwnerLive(o) != live[o] {
				t.Fatalf("step %d: OwnerLive(%s) = %v", step, o, !live[o])
			}
		} else {
			churn(t, rng, step, toks, randomToken(rng), x.Apply, x.Reflects)
		}
		var owner *types.NamespacedName
		if rng.IntN(2) == 0 {
			owner = &types.NamespacedName{Namespace: fmt.Sprintf("tessera-g%d", rng.IntN(2)), Name: fmt.Sprintf("a%d", rng.IntN(7))}
		}
		w := randomWindow(rng)
		checkPage(t, rng, step, listTokens(toks, live, owner, w), func(offset, limit int) ([]types.NamespacedName, int) {
			return x.Page(owner, w, offset, limit)
		})
	}
}

// TestTokensUnderConcurrentEvents feeds Token and Account events from two goroutines (the two
// informers' handlers) while readers page, then checks the final pages (run with -race).
func TestTokensUnderConcurrentEvents(t *testing.T) {
	x := NewTokens()
	toks := make([]*tenancyv1alpha1.Token, 0, 2000)
	rng := rand.New(rand.NewPCG(7, 8))
	for range cap(toks) {
		toks = append(toks, randomToken(rng))
	}
	owners := make([]types.NamespacedName, 0, 12)
	for g := range 2 {
		for a := range 6 {
			owners = append(owners, types.NamespacedName{Namespace: fmt.Sprintf("tessera-g%d", g), Name: fmt.Sprintf("a%d", a)})
		}
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
					refs, total := x.Page(nil, Window{}, 0, 50)
					if len(refs) > min(total, 50) {
						t.Errorf("a page of %d of %d", len(refs), total)
					}
				}
			}
		})
	}
	var writers sync.WaitGroup
	writers.Go(func() {
		for _, tok := range toks {
			x.Apply(client.ObjectKeyFromObject(tok), tok)
		}
	})
	writers.Go(func() {
		for i := range 3000 {
			acct := &tenancyv1alpha1.Account{}
			if i%3 == 0 {
				acct = nil
			}
			x.ApplyAccount(owners[i%len(owners)], acct)
		}
		for _, o := range owners[:6] {
			x.ApplyAccount(o, &tenancyv1alpha1.Account{})
		}
		for _, o := range owners[6:] {
			x.ApplyAccount(o, nil)
		}
	})
	writers.Wait()
	close(done)
	readers.Wait()

	cache := map[types.NamespacedName]*tenancyv1alpha1.Token{}
	for _, tok := range toks {
		cache[client.ObjectKeyFromObject(tok)] = tok
	}
	live := map[types.NamespacedName]bool{}
	for _, o := range owners[:6] {
		live[o] = true
	}
	want := listTokens(cache, live, nil, Window{})
	if got, total := x.Page(nil, Window{}, 0, len(want)+1); total != len(want) || !slices.Equal(got, want) {
		t.Fatalf("after concurrent events: %d tokens listed, want %d", total, len(want))
	}
}
