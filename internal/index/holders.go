package index

import (
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
// (versions 0 when there is none), and a few more in a slice that is copied, never changed in
// place, so that a lookup may hand it out as it is. From manyHolders on, many holds them all
// instead (first and more are then empty); it is changed in place under the lookup's lock, and
// snapshot copies it out for readers.
type holders struct {
	first holder
	more  []holder
	many  map[types.NamespacedName]int32
}

func (h holders) count() int {
	if h.many != nil {
		return len(h.many)
	}
	if h.first.versions == 0 {
		return 0
	}
	return 1 + len(h.more)
}

// at is the i-th holder of the inline form (which snapshot returns).
func (h holders) at(i int) types.NamespacedName {
	if i == 0 {
		return h.first.key
	}
	return h.more[i-1].key
}

// snapshot is h in the inline form, safe to read after the lookup's lock is released.
func (h holders) snapshot() holders {
	if h.many == nil {
		return h
	}
	s := holders{more: make([]holder, 0, len(h.many)-1)}
	for key, versions := range h.many {
		if s.first.versions == 0 {
			s.first = holder{key, versions}
		} else {
			s.more = append(s.more, holder{key, versions})
		}
	}
	return s
}

// counted is h with delta more versions of key; a holder left with none is dropped. The inline
// more is copied, never changed in place: lookup's callers may be reading it.
func (h holders) counted(key types.NamespacedName, delta int32) holders {
	if h.many != nil {
		if v := h.many[key] + delta; v > 0 {
			h.many[key] = v
		} else {
			delete(h.many, key)
		}
		return h
	}
	switch i := slices.IndexFunc(h.more, func(o holder) bool { return o.key == key }); {
	case h.first.versions > 0 && h.first.key == key:
		h.first.versions += delta
	case i >= 0:
		h.more = slices.Clone(h.more)
		h.more[i].versions += delta
		if h.more[i].versions <= 0 {
			h.more = slices.Delete(h.more, i, i+1)
		}
	case delta > 0 && h.first.versions == 0:
		h.first = holder{key, delta}
	case delta > 0 && 1+len(h.more) >= manyHolders:
		return h.toMany(holder{key, delta})
	case delta > 0:
		h.more = append(slices.Clip(h.more), holder{key, delta})
	}
	if h.first.versions <= 0 {
		h.first = holder{}
		if len(h.more) > 0 {
			h.first, h.more = h.more[0], h.more[1:]
		}
	}
	if len(h.more) == 0 {
		h.more = nil
	}
	return h
}

// toMany is h and next in the map form.
func (h holders) toMany(next holder) holders {
	many := make(map[types.NamespacedName]int32, 2*manyHolders)
	many[h.first.key] = h.first.versions
	for _, o := range h.more {
		many[o.key] = o.versions
	}
	many[next.key] = next.versions
	return holders{many: many}
}
