package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
)

// Algorithm is a JWS signing algorithm (RFC 7518 / RFC 8037 name) a key set can use.
type Algorithm string

// The algorithms Tessera signs with.
const (
	// ES256 is ECDSA on P-256 with SHA-256: the default, small signatures, public keys in JWKS.
	ES256 Algorithm = "ES256"
	// EdDSA is Ed25519: fast and deterministic, public keys in JWKS.
	EdDSA Algorithm = "EdDSA"
	// HS256 is HMAC-SHA-256 with a shared secret: only Tessera can verify, nothing is published.
	HS256 Algorithm = "HS256"

	// DefaultAlgorithm is used when none is configured.
	DefaultAlgorithm = ES256
)

// hmacSecretLen is the HS256 secret size: RFC 7518 §3.2 asks for at least the hash's 256 bits.
const hmacSecretLen = 32

// Valid reports whether a is one of the supported algorithms.
func (a Algorithm) Valid() bool {
	return a == ES256 || a == EdDSA || a == HS256
}

// Asymmetric reports whether keys of this algorithm have a public half that may be published.
func (a Algorithm) Asymmetric() bool {
	return a == ES256 || a == EdDSA
}

// ParseAlgorithm turns a configuration value into an Algorithm; empty means DefaultAlgorithm.
func ParseAlgorithm(s string) (Algorithm, error) {
	if s == "" {
		return DefaultAlgorithm, nil
	}
	if a := Algorithm(s); a.Valid() {
		return a, nil
	}
	return "", fmt.Errorf("keys: unsupported signing algorithm %q (want %s, %s or %s)", s, ES256, EdDSA, HS256)
}

// generate makes fresh key material: the signing half and, for asymmetric algorithms, the
// public half.
func generate(alg Algorithm) (private, public any, err error) {
	switch alg {
	case ES256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		return k, &k.PublicKey, nil
	case EdDSA:
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		return priv, pub, nil
	case HS256:
		secret := make([]byte, hmacSecretLen)
		if _, err := rand.Read(secret); err != nil {
			return nil, nil, err
		}
		return secret, nil, nil
	}
	return nil, nil, fmt.Errorf("keys: unsupported signing algorithm %q", alg)
}
