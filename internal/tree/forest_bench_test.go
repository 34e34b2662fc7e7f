package tree

import (
	"strconv"
	"testing"
)

// wideForest builds 10,000 Groups: a root, 100 partners, 99 companies under each, and their
// Info is asked from the deepest level, as admission and status do.
func wideForest() *Forest {
	f := &Forest{}
	f.Set(Node{Name: "root"})
	for p := range 100 {
		partner := "p" + strconv.Itoa(p)
		f.Set(Node{Name: partner, Parent: "root"})
		for c := range 99 {
			f.Set(Node{Name: partner + "-c" + strconv.Itoa(c), Parent: partner})
		}
	}
	return f
}

func BenchmarkForestInfo(b *testing.B) {
	f := wideForest()
	b.ResetTimer()
	for b.Loop() {
		if _, ok := f.Info("p57-c42"); !ok {
			b.Fatal("missing")
		}
	}
}

func BenchmarkForestLockPartner(b *testing.B) {
	f := wideForest()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		// Locking and unlocking a partner reports its 99 companies as affected.
		if got := f.Set(Node{Name: "p57", Parent: "root", Locked: i%2 == 0}); len(got) != 100 {
			b.Fatalf("affected %d", len(got))
		}
	}
}

func BenchmarkForestLock(b *testing.B) {
	f := wideForest()
	b.ResetTimer()
	for b.Loop() {
		if _, _, ok := f.Lock("p57-c42"); !ok {
			b.Fatal("missing")
		}
	}
}
