package listindex

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTreeMatchesASortedSlice runs random inserts and deletes against a tree and a sorted slice
// and checks, after each, the length, membership, ranks and pages from random positions.
func TestTreeMatchesASortedSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tree := NewTree(cmp.Compare[int])
	var want []int
	for step := range 20000 {
		k := rng.IntN(3000)
		i, found := slices.BinarySearch(want, k)
		if rng.IntN(3) == 0 {
			if got := tree.Delete(k); got != found {
				t.Fatalf("step %d: Delete(%d) = %v, present %v", step, k, got, found)
			}
			if found {
				want = slices.Delete(want, i, i+1)
			}
		} else {
			if got := tree.Insert(k); got == found {
				t.Fatalf("step %d: Insert(%d) = %v, present %v", step, k, got, found)
			}
			if !found {
				want = slices.Insert(want, i, k)
			}
		}
		if tree.Len() != len(want) {
			t.Fatalf("step %d: Len %d, want %d", step, tree.Len(), len(want))
		}
		probe := rng.IntN(3100) - 50
		if r, _ := slices.BinarySearch(want, probe); tree.Rank(func(k int) bool { return k < probe }) != r {
			t.Fatalf("step %d: Rank(<%d) = %d, want %d", step, probe, tree.Rank(func(k int) bool { return k < probe }), r)
		}
		if _, in := slices.BinarySearch(want, probe); tree.Has(probe) != in {
			t.Fatalf("step %d: Has(%d) = %v", step, probe, !in)
		}
		from, limit := rng.IntN(len(want)+5)-2, rng.IntN(120)
		if got, w := page(tree, from, limit), window(want, from, limit); !slices.Equal(got, w) {
			t.Fatalf("step %d: Page(%d, %d) = %v, want %v", step, from, limit, got, w)
		}
	}
	var all []int
	tree.Ascend(0, func(k int) bool { all = append(all, k); return true })
	if !slices.Equal(all, want) {
		t.Fatal("a full walk differs from the slice")
	}
}

// page collects up to limit keys from position from.
func page(t *Tree[int], from, limit int) []int {
	var out []int
	if limit > 0 {
		t.Ascend(from, func(k int) bool { out = append(out, k); return len(out) < limit })
	}
	return out
}

func window(s []int, from, limit int) []int {
	from = max(from, 0)
	if limit <= 0 || from >= len(s) {
		return nil
	}
	return s[from:min(from+limit, len(s))]
}

func TestAscendStopsWhenYieldSaysSo(t *testing.T) {
	tree := NewTree(cmp.Compare[int])
	for k := range 100 {
		tree.Insert(k)
	}
	var got []int
	tree.Ascend(40, func(k int) bool { got = append(got, k); return len(got) < 3 })
	if !slices.Equal(got, []int{40, 41, 42}) {
		t.Fatalf("got %v", got)
	}
	tree.Ascend(100, func(int) bool { t.Fatal("a walk past the end yielded"); return false })
}
