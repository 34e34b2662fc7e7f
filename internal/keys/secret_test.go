package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// rotated is a set with one key of each algorithm, the HS256 one active.
func rotated(t testing.TB) *Set {
	s := generate_(t, ES256)
	s, _ = s.Rotate(EdDSA, t0.Add(time.Hour))
	s, err := s.Rotate(HS256, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func equalSets(t *testing.T, a, b *Set) {
	t.Helper()
	if a.id != b.id || a.revision != b.revision || a.active != b.active || len(a.keys) != len(b.keys) {
		t.Fatalf("sets differ: %v vs %v", a, b)
	}
	for i, x := range a.keys {
		y := b.keys[i]
		if x.ID != y.ID || x.Algorithm != y.Algorithm || !x.CreatedAt.Equal(y.CreatedAt) || (x.RetiredAt == nil) != (y.RetiredAt == nil) ||
			(x.RetiredAt != nil && !x.RetiredAt.Equal(*y.RetiredAt)) {
			t.Fatalf("key %d differs: %v vs %v", i, x, y)
		}
		switch k := x.private.(type) {
		case *ecdsa.PrivateKey:
			if !k.Equal(y.private) || !k.PublicKey.Equal(y.public) {
				t.Fatalf("key %s material differs", x.ID)
			}
		case ed25519.PrivateKey:
			if !k.Equal(y.private) || !k.Public().(ed25519.PublicKey).Equal(y.public) {
				t.Fatalf("key %s material differs", x.ID)
			}
		case []byte:
			if !bytes.Equal(k, y.private.([]byte)) || y.public != nil {
				t.Fatalf("key %s secret differs", x.ID)
			}
		}
	}
}

func TestSecretRoundTrip(t *testing.T) {
	for _, alg := range algs {
		t.Run(string(alg), func(t *testing.T) {
			s := generate_(t, alg)
			data, err := s.SecretData()
			if err != nil {
				t.Fatal(err)
			}
			back, err := FromSecretData(data)
			if err != nil {
				t.Fatal(err)
			}
			equalSets(t, s, back)
		})
	}
	t.Run("rotated", func(t *testing.T) {
		s := rotated(t)
		data, err := s.SecretData()
		if err != nil {
			t.Fatal(err)
		}
		if len(data) != 4 {
			t.Fatalf("data has %d entries, want metadata and 3 keys", len(data))
		}
		for name, v := range data {
			switch {
			case strings.HasSuffix(name, ".pem"):
				if !bytes.HasPrefix(v, []byte("-----BEGIN PRIVATE KEY-----\n")) {
					t.Fatalf("%s is not PKCS#8 PEM", name)
				}
			case strings.HasSuffix(name, ".hmac"):
				if len(v) != 32 {
					t.Fatalf("%s is %d bytes", name, len(v))
				}
			case name != "keys.json":
				t.Fatalf("unexpected entry %s", name)
			}
		}
		back, err := FromSecretData(data)
		if err != nil {
			t.Fatal(err)
		}
		equalSets(t, s, back)
	})
	t.Run("NewSecret", func(t *testing.T) {
		sec, err := NewSecret("tessera-system", generate_(t, ES256))
		if err != nil {
			t.Fatal(err)
		}
		if sec.Name != SecretName || sec.Namespace != "tessera-system" || sec.Labels[tenancyv1alpha1.LabelManagedBy] != tenancyv1alpha1.ManagedByValue {
			t.Fatalf("NewSecret = %v", sec.ObjectMeta)
		}
	})
}

func TestSecretMalformed(t *testing.T) {
	s := rotated(t)
	good, err := s.SecretData()
	if err != nil {
		t.Fatal(err)
	}
	ks := s.Keys()
	es, ed, hs := ks[0], ks[1], ks[2]
	pemOf := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, otherEd, _ := ed25519.GenerateKey(rand.Reader)

	// meta edits the metadata JSON as a generic map.
	meta := func(edit func(m map[string]any)) func(map[string][]byte) {
		return func(d map[string][]byte) {
			var m map[string]any
			if err := json.Unmarshal(d["keys.json"], &m); err != nil {
				t.Fatal(err)
			}
			edit(m)
			d["keys.json"], _ = json.Marshal(m)
		}
	}
	key := func(i int) func(m map[string]any) map[string]any {
		return func(m map[string]any) map[string]any { return m["keys"].([]any)[i].(map[string]any) }
	}
	cases := map[string]func(map[string][]byte){
		"no metadata":          func(d map[string][]byte) { delete(d, "keys.json") },
		"metadata not JSON":    func(d map[string][]byte) { d["keys.json"] = []byte("{") },
		"metadata trailing":    func(d map[string][]byte) { d["keys.json"] = append(d["keys.json"], []byte(" {}")...) },
		"metadata unknown key": meta(func(m map[string]any) { m["extra"] = 1 }),
		"wrong version":        meta(func(m map[string]any) { m["version"] = 2 }),
		"no set id":            meta(func(m map[string]any) { delete(m, "setID") }),
		"zero revision":        meta(func(m map[string]any) { m["revision"] = 0 }),
		"no keys":              meta(func(m map[string]any) { m["keys"] = []any{} }),
		"unknown active":       meta(func(m map[string]any) { m["active"] = "AAAAAAAAAAAAAAAAAAAAAA" }),
		"active retired":       meta(func(m map[string]any) { key(2)(m)["retired"] = t0.Format(time.RFC3339) }),
		"retired unretired":    meta(func(m map[string]any) { delete(key(0)(m), "retired") }),
		"bad alg":              meta(func(m map[string]any) { key(0)(m)["alg"] = "RS256" }),
		"alg none":             meta(func(m map[string]any) { key(2)(m)["alg"] = "none" }),
		"alg swapped":          meta(func(m map[string]any) { key(0)(m)["alg"] = "EdDSA" }),
		"bad kid":              meta(func(m map[string]any) { key(0)(m)["kid"] = "../etc" }),
		"no created":           meta(func(m map[string]any) { delete(key(1)(m), "created") }),
		"bad created":          meta(func(m map[string]any) { key(1)(m)["created"] = "yesterday" }),
		"duplicate key": meta(func(m map[string]any) {
			m["keys"] = append(m["keys"].([]any), key(0)(m))
		}),
		"missing pem":  func(d map[string][]byte) { delete(d, es.ID+".pem") },
		"missing hmac": func(d map[string][]byte) { delete(d, hs.ID+".hmac") },
		"short hmac":   func(d map[string][]byte) { d[hs.ID+".hmac"] = d[hs.ID+".hmac"][:31] },
		"pem garbage":  func(d map[string][]byte) { d[ed.ID+".pem"] = []byte("not a key") },
		"pem wrong type": func(d map[string][]byte) {
			d[ed.ID+".pem"] = bytes.Replace(d[ed.ID+".pem"], []byte("PRIVATE KEY"), []byte("EC PRIVATE KEY"), 2)
		},
		"pem trailing": func(d map[string][]byte) { d[ed.ID+".pem"] = append(d[ed.ID+".pem"], d[es.ID+".pem"]...) },
		"pem bad der": func(d map[string][]byte) {
			d[es.ID+".pem"] = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0x03, 1, 2, 3}})
		},
		"pem EdDSA as ES":   func(d map[string][]byte) { d[es.ID+".pem"] = pemOf(otherEd) },
		"pem P-384":         func(d map[string][]byte) { d[es.ID+".pem"] = pemOf(p384) },
		"pem for hmac key":  func(d map[string][]byte) { d[hs.ID+".pem"] = d[es.ID+".pem"]; delete(d, hs.ID+".hmac") },
		"unexpected entry":  func(d map[string][]byte) { d["stray.pem"] = d[es.ID+".pem"] },
		"entry of no key":   func(d map[string][]byte) { d[es.ID+".hmac"] = bytes.Repeat([]byte{1}, 32) },
		"empty data":        func(d map[string][]byte) { maps.DeleteFunc(d, func(string, []byte) bool { return true }) },
		"metadata is null":  func(d map[string][]byte) { d["keys.json"] = []byte("null") },
		"metadata is array": func(d map[string][]byte) { d["keys.json"] = []byte("[]") },
	}
	for name, corrupt := range cases {
		t.Run(name, func(t *testing.T) {
			d := maps.Clone(good)
			for k, v := range d {
				d[k] = bytes.Clone(v)
			}
			corrupt(d)
			got, err := FromSecretData(d)
			if !errors.Is(err, ErrMalformedSecret) || got != nil {
				t.Fatalf("FromSecretData = %v, %v; want ErrMalformedSecret", got, err)
			}
			// No key material in the message: neither PEM nor secret bytes.
			if msg := err.Error(); strings.Contains(msg, "BEGIN") || strings.Contains(msg, string(good[hs.ID+".hmac"][:8])) {
				t.Fatalf("error leaks key material: %s", msg)
			}
		})
	}
	if _, err := FromSecretData(nil); !errors.Is(err, ErrMalformedSecret) {
		t.Fatalf("FromSecretData(nil) = %v", err)
	}
}

// FuzzFromSecretData: no metadata can make decoding panic, and what decodes re-encodes to a
// set that decodes the same.
func FuzzFromSecretData(f *testing.F) {
	s := rotated(f)
	good, _ := s.SecretData()
	f.Add(good["keys.json"])
	f.Add([]byte(`{"version":1,"setID":"AAAAAAAAAAAA","revision":1,"active":"x","keys":[{"kid":"x"}]}`))
	f.Add([]byte(`{"version":1,"keys":null}`))
	f.Fuzz(func(t *testing.T, metadata []byte) {
		d := maps.Clone(good)
		d["keys.json"] = metadata
		set, err := FromSecretData(d)
		if err != nil {
			if !errors.Is(err, ErrMalformedSecret) || set != nil {
				t.Fatalf("error %v with set %v", err, set)
			}
			return
		}
		again, err := set.SecretData()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := FromSecretData(again); err != nil {
			t.Fatalf("a decoded set does not round-trip: %v", err)
		}
	})
}
