package index

import (
	"iter"
	"slices"

	"k8s.io/apimachinery/pkg/types"
)

// manyHolders is the number of holders of one value from which they are kept in a map. The
// inline form copies its slice on every event, O(holders): fine for the one holder of a login,
// but one Account's Tokens (the lookup of spec.accountRef.name) may number thousands, and a
// burst of them then cost the manager a copy of the whole list per event, O(n²) in all.
const manyHolders = 8

// holder is an object holding a value, with the number of its versions (queued or stored)
// that hold it.
type holder struct {
	key      types.NamespacedName
	versions int32
}

// holders are the objects holding a value: almost always one, so the first is kept inline
// (versions 0 when there is none) and the rest, when there are more, behind one pointer: a
// lookup keeps one holders per value of each object (five per Account and Token), and the
// pointer keeps that at 48 bytes where the two forms inline took 72.
type holders struct {
	first holder
	rest  *moreHolders
}

// moreHolders are the holders after the first. A few are kept in a slice that is copied, with
// its moreHolders, never changed in place, so that a lookup may hand them out as they are. From
// manyHolders on, many holds them all instead (first and more are then empty); it is changed in
// place under the lookup's lock, and snapshot copies it out for readers.
type moreHolders struct {
	more []holder
	many map[types.NamespacedName]int32
}

// inMap reports whether h is in the map form.
func (h holders) inMap() bool { return h.rest != nil && h.rest.many != nil }

// more is the inline form's holders after the first.
func (h holders) more() []holder {
	if h.rest == nil {
		return nil
	}
	return h.rest.more
}

func (h holders) count() int {
	if h.inMap() {
		return len(h.rest.many)
	}
	if h.first.versions == 0 {
		return 0
	}
	return 1 + len(h.more())
}

// at is the i-th holder of the inline form (which snapshot returns).
func (h holders) at(i int) types.NamespacedName {
	if i == 0 {
		return h.first.key
	}
	return h.rest.more[i-1].key
}

// in yields the holders of the inline form in namespace ("" for all).
func (h holders) in(namespace string) iter.Seq[types.NamespacedName] {
	return func(yield func(types.NamespacedName) bool) {
		for i := range h.count() {
			if key := h.at(i); (namespace == "" || key.Namespace == namespace) && !yield(key) {
				return
			}
		}
	}
}

// snapshot is h in the inline form, safe to read after the lookup's lock is released.
func (h holders) snapshot() holders {
	if !h.inMap() {
		return h
	}
	var s holders
	more := make([]holder, 0, len(h.rest.many)-1)
	for key, versions := range h.rest.many {
		if s.first.versions == 0 {
			s.first = holder{key, versions}
		} else {
			more = append(more, holder{key, versions})
		}
	}
	return s.withMore(more)
}

// withMore is h with more as its holders after the first (a new moreHolders: the old one may
// be in a reader's hands).
func (h holders) withMore(more []holder) holders {
	h.rest = nil
	if len(more) > 0 {
		h.rest = &moreHolders{more: more}
	}
	return h
}

// counted is h with delta more versions of key; a holder left with none is dropped. The inline
// holders after the first are copied, never changed in place: lookup's callers may be reading
// them.
func (h holders) counted(key types.NamespacedName, delta int32) holders {
	if h.inMap() {
		many := h.rest.many
		if v := many[key] + delta; v > 0 {
			many[key] = v
		} else {
			delete(many, key)
		}
		return h
	}
	more := h.more()
	switch i := slices.IndexFunc(more, func(o holder) bool { return o.key == key }); {
	case h.first.versions > 0 && h.first.key == key:
		h.first.versions += delta
	case i >= 0:
		more = slices.Clone(more)
		more[i].versions += delta
		if more[i].versions <= 0 {
			more = slices.Delete(more, i, i+1)
		}
		h = h.withMore(more)
	case delta > 0 && h.first.versions == 0:
		h.first = holder{key, delta}
	case delta > 0 && 1+len(more) >= manyHolders:
		return h.toMany(holder{key, delta})
	case delta > 0:
		h = h.withMore(append(slices.Clip(more), holder{key, delta}))
	}
	if h.first.versions <= 0 {
		h.first = holder{}
		if more := h.more(); len(more) > 0 {
			h.first = more[0]
			h = h.withMore(more[1:])
		}
	}
	return h
}

// toMany is h and next in the map form.
func (h holders) toMany(next holder) holders {
	many := make(map[types.NamespacedName]int32, 2*manyHolders)
	many[h.first.key] = h.first.versions
	for _, o := range h.more() {
		many[o.key] = o.versions
	}
	many[next.key] = next.versions
	return holders{rest: &moreHolders{many: many}}
}
