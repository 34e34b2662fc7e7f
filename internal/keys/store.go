package keys

import (
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
)

// Store holds the current key set for signers and verifiers. Load is a single atomic read, so
// the verification hot path takes no lock. The zero Store is empty and ready to use.
type Store struct {
	current atomic.Pointer[Set]

	mu sync.Mutex
	// changed is closed, and replaced, whenever Put installs a different set.
	changed chan struct{}
}

// Load returns the current set, or nil before the first Put.
func (s *Store) Load() *Set { return s.current.Load() }

// Put installs set unless it is older than the current one: the Manager and a Loader may both
// feed one Store, and a read that raced with a rotation must not undo it. Sets of a different
// lineage (the Secret was deleted and recreated) always replace. Put reports whether set was
// installed.
func (s *Store) Put(set *Set) bool {
	if set == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.current.Load()
	if cur != nil && cur.id == set.id {
		if set.revision < cur.revision || (set.revision == cur.revision && sameKeys(cur, set)) {
			return false
		}
	}
	s.current.Store(set)
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
	return true
}

// Changed returns a channel that is closed at the next Put that installs a set (the first
// load, a rotation, a prune). Consumers such as the Token controller wait on it, then call
// Changed again.
func (s *Store) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

// errNotLoaded is what Check reports before the first set arrives.
var errNotLoaded = errors.New("the signing key set is not loaded yet")

// Check is a healthz.Checker: ready once a set is loaded, so that a replica receives traffic
// only when it can verify tokens.
func (s *Store) Check(*http.Request) error {
	if s.Load() == nil {
		return errNotLoaded
	}
	return nil
}

// sameKeys reports whether two sets have the same active key and the same keys, ids and
// retirement alike (a hand edit that forgot to bump the revision still differs).
func sameKeys(a, b *Set) bool {
	return a.active == b.active && slices.EqualFunc(a.keys, b.keys, func(x, y Key) bool {
		return x.ID == y.ID && (x.RetiredAt == nil) == (y.RetiredAt == nil)
	})
}
