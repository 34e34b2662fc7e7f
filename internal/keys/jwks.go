package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/base64"
)

// JWK is a public key in JSON Web Key form (RFC 7517; EC keys per RFC 7518 §6.2, Ed25519 keys
// per RFC 8037).
type JWK struct {
	// Kty is "EC" or "OKP".
	Kty string `json:"kty"`
	// Crv is "P-256" or "Ed25519".
	Crv string `json:"crv"`
	// X is the base64url x coordinate (EC) or the public key (OKP).
	X string `json:"x"`
	// Y is the base64url y coordinate; EC only.
	Y string `json:"y,omitempty"`
	// Use is always "sig".
	Use string `json:"use"`
	// Alg is the key's only algorithm.
	Alg string `json:"alg"`
	// Kid matches the kid of the tokens the key signed.
	Kid string `json:"kid"`
}

// JWKS is a JSON Web Key Set, served at /.well-known/jwks.json.
type JWKS struct {
	// Keys is never nil, so that an empty set encodes as [] rather than null.
	Keys []JWK `json:"keys"`
}

// JWKS returns the public keys of the set, active and retired, so that tokens signed by any key
// still in the set verify offline. HS256 secrets are never included.
func (s *Set) JWKS() JWKS {
	out := JWKS{Keys: make([]JWK, 0, len(s.keys))}
	b64 := base64.RawURLEncoding
	for _, k := range s.keys {
		jwk := JWK{Use: "sig", Alg: string(k.Algorithm), Kid: k.ID}
		switch pub := k.public.(type) {
		case *ecdsa.PublicKey:
			// Uncompressed point: 0x04 || X || Y, each 32 bytes, as JWK wants them.
			raw, err := pub.Bytes()
			if err != nil || len(raw) != 65 {
				continue
			}
			jwk.Kty, jwk.Crv, jwk.X, jwk.Y = "EC", "P-256", b64.EncodeToString(raw[1:33]), b64.EncodeToString(raw[33:])
		case ed25519.PublicKey:
			jwk.Kty, jwk.Crv, jwk.X = "OKP", "Ed25519", b64.EncodeToString(pub)
		default:
			continue
		}
		out.Keys = append(out.Keys, jwk)
	}
	return out
}
