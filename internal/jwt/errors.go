package jwt

import "errors"

// Verification errors. Verify wraps exactly one of them, with detail that never includes key
// material, so callers can tell them apart with errors.Is and still show a useful message.
var (
	// ErrMalformed: not a well-formed JWS compact token with the expected header and claims.
	ErrMalformed = errors.New("jwt: malformed token")
	// ErrAlgorithm: the header's alg is missing, unsupported (none, RS256, …) or not the
	// algorithm of the key its kid names.
	ErrAlgorithm = errors.New("jwt: algorithm not allowed")
	// ErrUnknownKey: the header has no kid, or it names no key of the set (never issued here,
	// or pruned after rotation).
	ErrUnknownKey = errors.New("jwt: unknown signing key")
	// ErrSignature: the signature does not verify with the key the kid names.
	ErrSignature = errors.New("jwt: invalid signature")
	// ErrExpired: exp has passed.
	ErrExpired = errors.New("jwt: token expired")
	// ErrIssuer: iss is not this issuer.
	ErrIssuer = errors.New("jwt: wrong issuer")
	// ErrClaims: required claims are missing or disagree (jti/tokenId, sub/accountId,
	// expirationTime/exp).
	ErrClaims = errors.New("jwt: invalid claims")
)
