package jwt

import (
	"errors"
	"fmt"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/tessera-dev/tessera/internal/keys"
)

// maxTokenLen bounds the work an anonymous caller can cause: Tessera's tokens are a few hundred
// bytes.
const maxTokenLen = 8 << 10

// parser is built once: it is read-only, so safe for concurrent use. Only Tessera's three
// algorithms pass (alg=none, RS*, PS* never reach a key); strict base64 leaves a token one
// encoding; the claims are checked by Verify with the caller's clock rather than by the
// library's validator.
var parser = gojwt.NewParser(
	gojwt.WithValidMethods([]string{string(keys.ES256), string(keys.EdDSA), string(keys.HS256)}),
	gojwt.WithoutClaimsValidation(),
	gojwt.WithStrictDecoding(),
)

// refusedHeaders would let a token name its own key or demand extensions we do not implement
// (RFC 7515 §4.1). Tessera never sets them, so their presence means a forged token.
var refusedHeaders = [...]string{"jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256", "crit"}

// Verify checks token against set and returns its claims. The key is the one the header's kid
// names among the set's keys, never one the token supplies, and the header's alg must be that
// key's algorithm exactly; then the signature, iss, exp (no leeway: expired at exp, to the
// second, on every replica) and the agreement of the paired claims are checked. Errors wrap
// one of ErrMalformed, ErrAlgorithm, ErrUnknownKey, ErrSignature, ErrExpired, ErrIssuer and
// ErrClaims.
func Verify(token string, set *keys.Set, issuer string, now time.Time) (*Claims, error) {
	var w wireClaims
	if _, err := parseSigned(token, set, &w); err != nil {
		return nil, err
	}
	return w.claims(issuer, now)
}

// parseSigned parses token into claims and checks its signature with the key its kid names;
// the claims themselves are the caller's to check.
func parseSigned(token string, set *keys.Set, claims gojwt.Claims) (*gojwt.Token, error) {
	if set == nil {
		return nil, fmt.Errorf("%w: no signing key set loaded", ErrUnknownKey)
	}
	if len(token) > maxTokenLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, maxTokenLen)
	}
	var keyErr error
	t, err := parser.ParseWithClaims(token, claims, func(t *gojwt.Token) (any, error) {
		key, err := keyFor(t, set)
		keyErr = err
		return key, err
	})
	if err != nil {
		return nil, classify(t, err, keyErr)
	}
	return t, nil
}

// keyFor is the Keyfunc: the verification key for t, chosen by kid alone.
func keyFor(t *gojwt.Token, set *keys.Set) (any, error) {
	for _, h := range refusedHeaders {
		if _, ok := t.Header[h]; ok {
			return nil, fmt.Errorf("%w: header parameter %q is not accepted", ErrMalformed, h)
		}
	}
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return nil, fmt.Errorf("%w: the header has no kid", ErrUnknownKey)
	}
	key, ok := set.Lookup(kid)
	if !ok {
		return nil, fmt.Errorf("%w: kid %q is not in the key set", ErrUnknownKey, truncate(kid))
	}
	// Identity, not name: the method must be the very one this package uses for the key's
	// algorithm, so an HS256 header can never turn a public key into an HMAC secret.
	if t.Method != methods[key.Algorithm] {
		return nil, fmt.Errorf("%w: key %s is %s, the header says %s", ErrAlgorithm, kid, key.Algorithm, truncate(t.Method.Alg()))
	}
	return key.VerifyKey(), nil
}

// classify maps golang-jwt's errors to this package's.
func classify(t *gojwt.Token, err, keyErr error) error {
	switch {
	case keyErr != nil:
		return keyErr
	case errors.Is(err, gojwt.ErrTokenMalformed) || t == nil:
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	case t.Method == nil || !allowed(t.Method):
		return fmt.Errorf("%w: %v", ErrAlgorithm, err)
	case errors.Is(err, gojwt.ErrTokenSignatureInvalid):
		return ErrSignature
	default:
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
}

func allowed(m gojwt.SigningMethod) bool {
	for _, ours := range methods {
		if m == ours {
			return true
		}
	}
	return false
}

// claims checks the payload of a token whose signature verified and converts it.
func (w *wireClaims) claims(issuer string, now time.Time) (*Claims, error) {
	if w.Issuer != issuer {
		return nil, fmt.Errorf("%w: %q", ErrIssuer, truncate(w.Issuer))
	}
	if w.TokenID == "" || w.AccountID == "" || w.IssuedAt == nil {
		return nil, fmt.Errorf("%w: tokenId, accountId and iat are required", ErrClaims)
	}
	if w.ID != w.TokenID || w.Subject != w.AccountID {
		return nil, fmt.Errorf("%w: jti and sub must equal tokenId and accountId", ErrClaims)
	}
	c := &Claims{
		TokenID: w.TokenID, AccountID: w.AccountID, VisibilityArea: w.VisibilityArea,
		Issuer: w.Issuer, IssuedAt: w.IssuedAt.UTC(),
	}
	if w.ExpirationTime == nil && w.ExpiresAt == nil {
		return c, nil // eternal
	}
	if w.ExpirationTime == nil || w.ExpiresAt == nil {
		return nil, fmt.Errorf("%w: expirationTime and exp must both be set or both absent", ErrClaims)
	}
	named, err := time.Parse(time.RFC3339, *w.ExpirationTime)
	if err != nil || named.Unix() != w.ExpiresAt.Unix() {
		return nil, fmt.Errorf("%w: expirationTime does not match exp", ErrClaims)
	}
	exp := w.ExpiresAt.UTC()
	if !now.Before(exp) {
		return nil, fmt.Errorf("%w at %s", ErrExpired, exp.Format(time.RFC3339))
	}
	c.ExpiresAt = &exp
	return c, nil
}

// truncate keeps attacker-chosen strings short in error messages.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
