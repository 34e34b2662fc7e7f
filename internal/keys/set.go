// Package keys holds Tessera's JWT signing key set: generation, rotation and pruning of keys,
// the public JWKS, persistence in a Secret, a lock-free Store for the hot path, and the
// Runnables that create, rotate and load the Secret.
package keys

import (
	"fmt"
	"strings"
	"time"
)

// Set is an immutable key set: one active key that signs, and retired keys kept so that tokens
// they signed still verify. Every change makes a new Set, so readers holding one never see it
// change. The zero Set is unusable; sets come from Generate, Rotate, Prune or FromSecretData.
type Set struct {
	// id names the set's lineage: kept across Rotate and Prune, new when a set is generated.
	// With revision it orders sets, so that a stale read cannot replace a newer set (Store.Put).
	id       string
	revision int64
	active   string
	// keys are ordered oldest first; a handful at most, so lookups scan.
	keys []Key
}

// normalize keeps times to the second in UTC, the precision of the Secret's metadata.
func normalize(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// Generate makes a fresh set with one active key of alg created at now.
func Generate(alg Algorithm, now time.Time) (*Set, error) {
	k, err := newKey(alg, normalize(now))
	if err != nil {
		return nil, err
	}
	id, err := randomID()
	if err != nil {
		return nil, err
	}
	return &Set{id: id, revision: 1, active: k.ID, keys: []Key{k}}, nil
}

// Active is the key that signs new tokens.
func (s *Set) Active() Key {
	k, _ := s.Lookup(s.active)
	return k
}

// Lookup finds a key, active or retired, by its id.
func (s *Set) Lookup(kid string) (Key, bool) {
	for i := range s.keys {
		if s.keys[i].ID == kid {
			return s.keys[i], true
		}
	}
	return Key{}, false
}

// Keys returns every key, oldest first. The slice is a copy.
func (s *Set) Keys() []Key {
	return append([]Key(nil), s.keys...)
}

// Revision counts the changes to the set since it was generated.
func (s *Set) Revision() int64 { return s.revision }

// Rotate returns a new Set whose new key of alg is active and whose previously active key is
// retired at now and kept for verification. s is unchanged.
func (s *Set) Rotate(alg Algorithm, now time.Time) (*Set, error) {
	now = normalize(now)
	k, err := newKey(alg, now)
	if err != nil {
		return nil, err
	}
	if _, taken := s.Lookup(k.ID); taken {
		return nil, fmt.Errorf("keys: generated key id %s is already in the set", k.ID)
	}
	n := &Set{id: s.id, revision: s.revision + 1, active: k.ID, keys: make([]Key, 0, len(s.keys)+1)}
	for _, old := range s.keys {
		if old.ID == s.active {
			retired := now
			old.RetiredAt = &retired
		}
		n.keys = append(n.keys, old)
	}
	n.keys = append(n.keys, k)
	return n, nil
}

// Prune returns a Set without the retired keys for which keep reports false, i.e. on which no
// token depends any more. The active key always stays. When nothing is dropped, or keep is nil,
// Prune returns s itself, so callers can tell that there is nothing to write.
func (s *Set) Prune(keep func(kid string) bool) *Set {
	if keep == nil {
		return s
	}
	kept := make([]Key, 0, len(s.keys))
	for _, k := range s.keys {
		if k.ID == s.active || keep(k.ID) {
			kept = append(kept, k)
		}
	}
	if len(kept) == len(s.keys) {
		return s
	}
	return &Set{id: s.id, revision: s.revision + 1, active: s.active, keys: kept}
}

// Revoke returns a Set without the key kid, so that nothing it signed verifies any more. When
// kid is the active key, a new key of alg becomes active first: a set always has one. When kid
// is not in the set, Revoke returns s itself, so callers can tell that there is nothing to write.
func (s *Set) Revoke(kid string, alg Algorithm, now time.Time) (*Set, error) {
	if _, ok := s.Lookup(kid); !ok {
		return s, nil
	}
	from := s
	if kid == s.active {
		var err error
		if from, err = s.Rotate(alg, now); err != nil {
			return nil, err
		}
	}
	n := &Set{id: from.id, revision: from.revision + 1, active: from.active, keys: make([]Key, 0, len(from.keys)-1)}
	for _, k := range from.keys {
		if k.ID != kid {
			n.keys = append(n.keys, k)
		}
	}
	return n, nil
}

// String describes the set by key ids only.
// It has a value receiver so that printing a Set or a *Set both go through it.
func (s Set) String() string {
	ids := make([]string, len(s.keys))
	for i, k := range s.keys {
		ids[i] = k.ID
	}
	return fmt.Sprintf("Set{revision=%d active=%s keys=[%s]}", s.revision, s.active, strings.Join(ids, " "))
}

// GoString keeps %#v from printing key material.
func (s Set) GoString() string { return s.String() }
