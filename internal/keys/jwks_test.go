package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"
)

func TestJWKS(t *testing.T) {
	s := generate_(t, ES256)
	es := s.Active()
	s, _ = s.Rotate(EdDSA, t0.Add(time.Hour))
	ed := s.Active()
	s, _ = s.Rotate(HS256, t0.Add(2*time.Hour))
	hs := s.Active()

	raw, err := json.Marshal(s.JWKS())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Keys) != 2 {
		t.Fatalf("JWKS has %d keys, want the ES256 and EdDSA ones: %s", len(doc.Keys), raw)
	}
	b64 := base64.RawURLEncoding
	for _, jwk := range doc.Keys {
		if jwk["use"] != "sig" || jwk["kid"] == hs.ID || jwk["d"] != "" || jwk["k"] != "" {
			t.Fatalf("bad JWK %v", jwk)
		}
		x, _ := b64.DecodeString(jwk["x"])
		switch jwk["kid"] {
		case es.ID:
			y, _ := b64.DecodeString(jwk["y"])
			if jwk["kty"] != "EC" || jwk["crv"] != "P-256" || jwk["alg"] != "ES256" || len(x) != 32 || len(y) != 32 {
				t.Fatalf("bad EC JWK %v", jwk)
			}
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
			if err != nil || !pub.Equal(es.PublicKey()) {
				t.Fatalf("EC JWK does not rebuild the public key: %v", err)
			}
		case ed.ID:
			if jwk["kty"] != "OKP" || jwk["crv"] != "Ed25519" || jwk["alg"] != "EdDSA" || jwk["y"] != "" || !ed25519.PublicKey(x).Equal(ed.PublicKey()) {
				t.Fatalf("bad OKP JWK %v", jwk)
			}
		default:
			t.Fatalf("unexpected kid in %v", jwk)
		}
	}

	// An HS256-only set publishes an empty list, not null.
	raw, _ = json.Marshal(generate_(t, HS256).JWKS())
	if string(raw) != `{"keys":[]}` {
		t.Fatalf("HS256 set JWKS = %s", raw)
	}
}
