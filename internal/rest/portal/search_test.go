package portal

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestFoldedMatchesAsToLower checks the search's allocation-free matching against
// strings.ToLower, on ASCII and on names that are not.
func TestFoldedMatchesAsToLower(t *testing.T) {
	names := []string{"Acme", "ACME corp", "acme", "Ac", "", "Ärger GmbH", "ärger", "İstanbul", "K\u212a", "zeta 07"}
	prefixes := []string{"", "a", "acme", "acme corp", "är", "ärger gmbh", "i̇s", "kk", "zeta 07", "zeta 0"}
	for _, n := range names {
		for _, p := range prefixes {
			if got, want := foldedHasPrefix(n, p), strings.HasPrefix(strings.ToLower(n), p); got != want {
				t.Errorf("foldedHasPrefix(%q, %q) = %v, want %v", n, p, got, want)
			}
			if got, want := foldedEqual(n, p), strings.ToLower(n) == p; got != want {
				t.Errorf("foldedEqual(%q, %q) = %v, want %v", n, p, got, want)
			}
			if got, want := compareFolded(n, p), strings.Compare(strings.ToLower(n), strings.ToLower(p)); got != want {
				t.Errorf("compareFolded(%q, %q) = %d, want %d", n, p, got, want)
			}
		}
	}
}

// TestLeastNKeepsTheFirstInOrder checks leastN against sorting everything.
func TestLeastNKeepsTheFirstInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, n := range []int{1, 3, 10} {
		all := make([]int, 200)
		l := leastN[int]{n: n, cmp: cmp.Compare[int]}
		for i := range all {
			all[i] = rng.IntN(50)
			l.add(all[i])
		}
		slices.Sort(all)
		if !slices.Equal(l.items, all[:n]) {
			t.Errorf("n=%d: %v, want %v", n, l.items, all[:n])
		}
	}
}
