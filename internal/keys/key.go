package keys

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"regexp"
	"time"
)

// Key is one signing key. The key material is unexported and Key's String hides it, so that a
// Key printed or logged by mistake leaks nothing.
type Key struct {
	// ID is the key id (the JWT header's kid): 16 random bytes, base64url without padding.
	ID string
	// Algorithm is the only algorithm this key may sign or verify with.
	Algorithm Algorithm
	// CreatedAt is when the key was generated, to the second.
	CreatedAt time.Time
	// RetiredAt is when the key stopped being the active key; nil for the active key.
	RetiredAt *time.Time

	// private is *ecdsa.PrivateKey (ES256), ed25519.PrivateKey (EdDSA) or the HMAC secret []byte.
	private any
	// public is *ecdsa.PublicKey or ed25519.PublicKey; nil for HS256, whose secret is not public.
	public any
}

// kidPattern bounds key ids to base64url characters, so they are safe as Secret data keys and
// in JWT headers. Generated ids are 22 characters.
var kidPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

// newKey generates a key of alg created at now.
func newKey(alg Algorithm, now time.Time) (Key, error) {
	private, public, err := generate(alg)
	if err != nil {
		return Key{}, err
	}
	id, err := randomID()
	if err != nil {
		return Key{}, err
	}
	return Key{ID: id, Algorithm: alg, CreatedAt: now, private: private, public: public}, nil
}

// randomID returns 16 random bytes, base64url without padding.
func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("keys: reading random id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// SigningKey is what golang-jwt signs with: *ecdsa.PrivateKey, ed25519.PrivateKey or, for
// HS256, the secret []byte, which callers must not modify.
func (k Key) SigningKey() any { return k.private }

// PublicKey is the public half of an asymmetric key (*ecdsa.PublicKey or ed25519.PublicKey), or
// nil for HS256.
func (k Key) PublicKey() any { return k.public }

// VerifyKey is what golang-jwt verifies with: the public key, or for HS256 the secret.
func (k Key) VerifyKey() any {
	if k.Algorithm == HS256 {
		return k.private
	}
	return k.public
}

// Retired reports whether the key no longer signs and is kept only to verify.
func (k Key) Retired() bool { return k.RetiredAt != nil }

// String describes the key without its material.
func (k Key) String() string {
	retired := "active"
	if k.RetiredAt != nil {
		retired = "retired " + k.RetiredAt.Format(time.RFC3339)
	}
	return fmt.Sprintf("Key{kid=%s alg=%s created=%s %s}", k.ID, k.Algorithm, k.CreatedAt.Format(time.RFC3339), retired)
}

// GoString keeps %#v from printing the key material.
func (k Key) GoString() string { return k.String() }
