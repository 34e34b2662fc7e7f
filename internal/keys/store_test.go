package keys

import (
	"sync"
	"testing"
	"time"
)

func TestStore(t *testing.T) {
	var st Store
	if st.Load() != nil || st.Check(nil) == nil {
		t.Fatal("an empty Store must have no set and not be ready")
	}
	changed := st.Changed()
	s1 := generate_(t, ES256)
	if !st.Put(s1) || st.Load() != s1 || st.Check(nil) != nil {
		t.Fatal("first Put not installed")
	}
	select {
	case <-changed:
	default:
		t.Fatal("Changed not closed by the first Put")
	}

	changed = st.Changed()
	s2, _ := s1.Rotate(ES256, t0.Add(time.Hour))
	if !st.Put(s2) || st.Load() != s2 {
		t.Fatal("newer revision not installed")
	}
	if st.Put(s1) || st.Load() != s2 {
		t.Fatal("an older revision of the same set replaced a newer one")
	}
	if st.Put(s2) || st.Put(nil) {
		t.Fatal("re-putting the current set, or nil, reported a change")
	}
	<-changed
	changed = st.Changed()

	// Same revision, different content (a hand edit): installed.
	s3, _ := s1.Rotate(ES256, t0.Add(time.Hour))
	if !st.Put(s3) {
		t.Fatal("a different set of equal revision was refused")
	}
	// Another lineage (the Secret was recreated) replaces even at a lower revision.
	fresh := generate_(t, EdDSA)
	if !st.Put(fresh) || st.Load() != fresh {
		t.Fatal("a new lineage was refused")
	}
	select {
	case <-changed:
	default:
		t.Fatal("Changed not closed")
	}
}

func TestStoreConcurrent(t *testing.T) {
	var st Store
	sets := make([]*Set, 1, 51)
	sets[0] = generate_(t, ES256)
	for i := range 50 {
		next, _ := sets[i].Rotate(ES256, t0.Add(time.Duration(i+1)*time.Hour))
		sets = append(sets, next)
	}
	var wg sync.WaitGroup
	for _, s := range sets {
		wg.Go(func() { st.Put(s) })
		wg.Go(func() {
			if cur := st.Load(); cur != nil {
				cur.Active()
			}
		})
	}
	wg.Wait()
	if st.Load() != sets[len(sets)-1] {
		t.Fatalf("after concurrent Puts the Store holds revision %d, want the newest", st.Load().Revision())
	}
}
