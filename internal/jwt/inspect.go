package jwt

import "fmt"

// Inspect reads the kid and the claims of a token WITHOUT checking its signature, issuer or
// expiry. It is for tokens Tessera stored itself (a Token's Secret), to tell which key signed
// them and what they assert; anything presented by a caller goes through Verify.
func Inspect(token string) (kid string, c Claims, err error) {
	if len(token) > maxTokenLen {
		return "", Claims{}, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, maxTokenLen)
	}
	var w wireClaims
	t, _, err := parser.ParseUnverified(token, &w)
	if err != nil {
		return "", Claims{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	kid, _ = t.Header["kid"].(string)
	c = Claims{TokenID: w.TokenID, AccountID: w.AccountID, VisibilityArea: w.VisibilityArea, Issuer: w.Issuer}
	if w.IssuedAt != nil {
		c.IssuedAt = w.IssuedAt.UTC()
	}
	if w.ExpiresAt != nil {
		exp := w.ExpiresAt.UTC()
		c.ExpiresAt = &exp
	}
	return kid, c, nil
}

// SameAssertions reports whether a and b assert the same token: ids, visibility, issuer and
// expiry (to the second, as signed). The issue time is not compared.
func SameAssertions(a, b Claims) bool {
	if a.TokenID != b.TokenID || a.AccountID != b.AccountID || a.VisibilityArea != b.VisibilityArea || a.Issuer != b.Issuer {
		return false
	}
	if a.ExpiresAt == nil || b.ExpiresAt == nil {
		return a.ExpiresAt == nil && b.ExpiresAt == nil
	}
	return a.ExpiresAt.Unix() == b.ExpiresAt.Unix()
}
