package listindex

import (
	"cmp"
	"math"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// Window bounds creation times: Since inclusive, Before exclusive; a nil bound is open.
type Window struct{ Since, Before *time.Time }

// nanos is t in Unix nanoseconds, clamped to int64: keys hold creation times (set by the API
// server, well inside 1678-2262) so, and a clamped query bound still orders the same against
// them.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// key is an index key: what object it lists, created when.
type key interface {
	comparable
	ref() types.NamespacedName
	at() int64
}

// listing remembers each listed object's key, so that a change moves it.
type listing[K comparable] map[types.NamespacedName]K

// set makes k (when ok; else nothing) ref's key: out takes the old key out of the orders, in
// puts the new one in; nothing happens when the key stays.
func (l listing[K]) set(ref types.NamespacedName, k K, ok bool, out, in func(K)) {
	old, had := l[ref]
	if had && ok && old == k {
		return
	}
	if had {
		out(old)
		delete(l, ref)
	}
	if ok {
		in(k)
		l[ref] = k
	}
}

// reflects reports whether ref's key is k (when ok; else that ref is not listed).
func (l listing[K]) reflects(ref types.NamespacedName, k K, ok bool) bool {
	old, had := l[ref]
	return had == ok && old == k
}

// pageWithin returns the objects at [offset, offset+limit) of those in t created within w, and
// how many those are, in O(log n + limit). part narrows them to one partition of t's order: it
// compares a key's partition with the one wanted (nil: the whole tree).
func pageWithin[K key](t *Tree[K], part func(K) int, w Window, offset, limit int) ([]types.NamespacedName, int) {
	// below is a prefix of the order for Rank: the keys of earlier partitions, and those of the
	// partition created before bound (with no bound: all of them when open, else none).
	below := func(bound *time.Time, open bool) func(K) bool {
		var b int64
		if bound != nil {
			b = nanos(*bound)
		}
		return func(k K) bool {
			if part != nil {
				if c := part(k); c != 0 {
					return c < 0
				}
			}
			if bound == nil {
				return open
			}
			return k.at() < b
		}
	}
	lo, hi := t.Rank(below(w.Since, false)), t.Rank(below(w.Before, true))
	total := max(hi-lo, 0)
	if offset < 0 || offset >= total || limit <= 0 {
		return nil, total
	}
	out := make([]types.NamespacedName, 0, min(limit, total-offset))
	t.Ascend(lo+offset, func(k K) bool {
		out = append(out, k.ref())
		return len(out) < cap(out)
	})
	return out, total
}

func compareRefs(a, b types.NamespacedName) int {
	if c := cmp.Compare(a.Namespace, b.Namespace); c != 0 {
		return c
	}
	return cmp.Compare(a.Name, b.Name)
}
