package jwt

import (
	"errors"
	"fmt"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/tessera-dev/tessera/internal/keys"
)

// methods maps each key algorithm to its golang-jwt signing method. Nothing else is ever used
// to sign or verify, whatever a token's header says.
var methods = map[keys.Algorithm]gojwt.SigningMethod{
	keys.ES256: gojwt.SigningMethodES256,
	keys.EdDSA: gojwt.SigningMethodEdDSA,
	keys.HS256: gojwt.SigningMethodHS256,
}

// Sign signs c with the set's active key and returns the token and the key's id (for the
// Token's status). The token's header is {alg, kid, typ}; TokenID, AccountID, Issuer and
// IssuedAt are required.
func Sign(set *keys.Set, c Claims) (token string, kid string, err error) {
	if set == nil {
		return "", "", errors.New("jwt: no signing key set loaded")
	}
	if c.TokenID == "" || c.AccountID == "" || c.Issuer == "" || c.IssuedAt.IsZero() {
		return "", "", fmt.Errorf("%w: tokenId, accountId, iss and iat are required", ErrClaims)
	}
	key := set.Active()
	method, ok := methods[key.Algorithm]
	if !ok {
		return "", "", fmt.Errorf("%w: the active key's algorithm %q", ErrAlgorithm, key.Algorithm)
	}
	t := gojwt.NewWithClaims(method, c.toWire())
	t.Header["kid"] = key.ID
	token, err = t.SignedString(key.SigningKey())
	if err != nil {
		// golang-jwt's signing errors name types, never key bytes.
		return "", "", fmt.Errorf("jwt: signing with key %s: %w", key.ID, err)
	}
	return token, key.ID, nil
}
