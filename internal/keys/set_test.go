package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	t0   = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	algs = []Algorithm{ES256, EdDSA, HS256}
)

func generate_(t testing.TB, alg Algorithm) *Set {
	t.Helper()
	s, err := Generate(alg, t0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGenerate(t *testing.T) {
	for _, alg := range algs {
		t.Run(string(alg), func(t *testing.T) {
			s := generate_(t, alg)
			k := s.Active()
			if k.Algorithm != alg || !kidPattern.MatchString(k.ID) || len(k.ID) != 22 || k.Retired() || !k.CreatedAt.Equal(t0) {
				t.Fatalf("active key = %v", k)
			}
			if got, ok := s.Lookup(k.ID); !ok || got.ID != k.ID {
				t.Fatalf("Lookup(active) = %v, %v", got, ok)
			}
			switch alg {
			case ES256:
				_, priv := k.SigningKey().(*ecdsa.PrivateKey)
				_, pub := k.VerifyKey().(*ecdsa.PublicKey)
				if !priv || !pub {
					t.Fatalf("ES256 key types: %T / %T", k.SigningKey(), k.VerifyKey())
				}
			case EdDSA:
				_, priv := k.SigningKey().(ed25519.PrivateKey)
				_, pub := k.VerifyKey().(ed25519.PublicKey)
				if !priv || !pub {
					t.Fatalf("EdDSA key types: %T / %T", k.SigningKey(), k.VerifyKey())
				}
			case HS256:
				secret, ok := k.SigningKey().([]byte)
				if !ok || len(secret) != 32 || k.PublicKey() != nil {
					t.Fatalf("HS256 key: secret %d bytes, public %T", len(secret), k.PublicKey())
				}
			}
		})
	}
	if _, err := Generate("RS256", t0); err == nil {
		t.Fatal("Generate(RS256) succeeded")
	}
	a, b := generate_(t, ES256), generate_(t, ES256)
	if a.Active().ID == b.Active().ID || a.id == b.id {
		t.Fatal("two generated sets share ids")
	}
}

func TestRotateKeepsOldKeyAndLeavesSetUnchanged(t *testing.T) {
	s := generate_(t, ES256)
	old := s.Active()
	later := t0.Add(time.Hour + 500*time.Millisecond)
	r, err := s.Rotate(EdDSA, later)
	if err != nil {
		t.Fatal(err)
	}
	if s.Active().ID != old.ID || len(s.Keys()) != 1 || s.Active().Retired() {
		t.Fatalf("Rotate changed the original set: %v", s)
	}
	if r.Active().ID == old.ID || r.Active().Algorithm != EdDSA || r.Revision() != s.Revision()+1 {
		t.Fatalf("rotated set = %v", r)
	}
	kept, ok := r.Lookup(old.ID)
	if !ok || !kept.Retired() || !kept.RetiredAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("old key in rotated set = %v, %v; want retired at the rotation, to the second", kept, ok)
	}
	if _, err := r.Rotate("none", later); err == nil {
		t.Fatal("Rotate(none) succeeded")
	}
}

func TestPrune(t *testing.T) {
	s := generate_(t, ES256)
	first := s.Active().ID
	s, _ = s.Rotate(ES256, t0.Add(time.Hour))
	second := s.Active().ID
	s, _ = s.Rotate(ES256, t0.Add(2*time.Hour))
	active := s.Active().ID

	if p := s.Prune(func(string) bool { return true }); p != s {
		t.Fatal("Prune that keeps everything must return the same set")
	}
	if p := s.Prune(nil); p != s {
		t.Fatal("Prune(nil) must return the same set")
	}
	p := s.Prune(func(kid string) bool { return kid == second })
	if _, ok := p.Lookup(first); ok {
		t.Fatal("first key not pruned")
	}
	if _, ok := p.Lookup(second); !ok {
		t.Fatal("second key pruned though a token depends on it")
	}
	if p.Active().ID != active || p.Revision() != s.Revision()+1 {
		t.Fatalf("pruned set = %v", p)
	}
	// keep says no for every key, the active one included: the active key stays.
	p = s.Prune(func(string) bool { return false })
	if ks := p.Keys(); len(ks) != 1 || ks[0].ID != active {
		t.Fatalf("after pruning everything: %v", p)
	}
}

func TestNoKeyMaterialInStrings(t *testing.T) {
	for _, alg := range algs {
		s := generate_(t, alg)
		s, _ = s.Rotate(alg, t0.Add(time.Hour))
		k := s.Active()
		var material string // how fmt would print the secret part
		switch priv := k.SigningKey().(type) {
		case *ecdsa.PrivateKey:
			raw, _ := priv.Bytes()
			material = fmt.Sprintf("%d", raw[:8])[1:20]
		case ed25519.PrivateKey:
			material = fmt.Sprintf("%d", []byte(priv[:8]))[1:20]
		case []byte:
			material = fmt.Sprintf("%d", priv[:8])[1:20]
		}
		for _, out := range []string{
			fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k),
			fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), fmt.Sprintf("%v %#v", *s, *s),
			fmt.Sprintf("%v %#v", s.Keys(), s.Keys()),
		} {
			if !strings.Contains(out, k.ID) {
				t.Fatalf("%s: printed key or set lacks the kid: %s", alg, out)
			}
			// Random kids may contain "0x" by chance: look for internals outside them.
			rest := out
			for _, key := range s.Keys() {
				rest = strings.ReplaceAll(rest, key.ID, "<kid>")
			}
			if strings.Contains(rest, "PrivateKey") || strings.Contains(rest, "0x") || strings.Contains(rest, material) {
				t.Fatalf("%s: printed key or set shows internals: %s", alg, out)
			}
		}
	}
}

func TestRevoke(t *testing.T) {
	s := generate_(t, ES256)
	first := s.Active().ID
	s, _ = s.Rotate(ES256, t0.Add(time.Hour))
	second := s.Active().ID

	if r, err := s.Revoke("not-a-key-id", ES256, t0); err != nil || r != s {
		t.Fatalf("revoking an unknown kid = %v, %v; want the same set", r, err)
	}
	// A retired key leaves; the active one stays active.
	r, err := s.Revoke(first, ES256, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Lookup(first); ok || r.Active().ID != second || len(r.Keys()) != 1 || r.Revision() <= s.Revision() {
		t.Fatalf("after revoking the retired key: %v", r)
	}
	if _, ok := s.Lookup(first); !ok {
		t.Fatal("Revoke changed the original set")
	}
	// The active key leaves only after a new one of alg took its place, and is not kept retired.
	r, err = s.Revoke(second, EdDSA, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	active := r.Active()
	if _, ok := r.Lookup(second); ok || active.ID == second || active.ID == first || active.Algorithm != EdDSA || active.Retired() {
		t.Fatalf("after revoking the active key: %v", r)
	}
	if k, ok := r.Lookup(first); !ok || !k.Retired() || len(r.Keys()) != 2 {
		t.Fatalf("revoking the active key dropped another: %v", r)
	}
	if _, err := FromSecretData(mustData(t, r)); err != nil {
		t.Fatalf("a revoked set does not round-trip: %v", err)
	}
}

func mustData(t *testing.T, s *Set) map[string][]byte {
	t.Helper()
	d, err := s.SecretData()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
