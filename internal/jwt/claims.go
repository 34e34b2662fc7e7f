// Package jwt signs and verifies Tessera's tokens: JWS compact tokens carrying Luna's claims,
// signed by the active key of a keys.Set and verified only against keys of that set, found by
// the header's kid.
package jwt

import (
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// Claims are what a Tessera token asserts. Sign writes each fact once into both Luna's claims
// and the standard ones (tokenId and jti, accountId and sub, expirationTime and exp); Verify
// insists they agree.
type Claims struct {
	// TokenID is the Token's UUID: the tokenId and jti claims.
	TokenID string
	// AccountID is the Account's UUID: the accountId and sub claims.
	AccountID string
	// VisibilityArea is Luna's visibilityArea: "account" or "all".
	VisibilityArea string
	// Issuer is the iss claim.
	Issuer string
	// IssuedAt is the iat claim, to the second.
	IssuedAt time.Time
	// ExpiresAt is the exp claim and, as RFC 3339, the expirationTime claim; nil for an eternal
	// token, which has no exp and "expirationTime": null.
	ExpiresAt *time.Time
}

// wireClaims is the JSON payload. ExpirationTime has no omitempty: Luna's eternal tokens say
// null explicitly.
type wireClaims struct {
	TokenID        string             `json:"tokenId"`
	AccountID      string             `json:"accountId"`
	ExpirationTime *string            `json:"expirationTime"`
	VisibilityArea string             `json:"visibilityArea"`
	ID             string             `json:"jti"`
	Subject        string             `json:"sub"`
	IssuedAt       *gojwt.NumericDate `json:"iat"`
	ExpiresAt      *gojwt.NumericDate `json:"exp,omitempty"`
	Issuer         string             `json:"iss"`
}

// The gojwt.Claims interface. Verify validates the claims itself (Parser option
// WithoutClaimsValidation), with the caller's clock, so these only satisfy the type.

func (c *wireClaims) GetExpirationTime() (*gojwt.NumericDate, error) { return c.ExpiresAt, nil }
func (c *wireClaims) GetIssuedAt() (*gojwt.NumericDate, error)       { return c.IssuedAt, nil }
func (c *wireClaims) GetNotBefore() (*gojwt.NumericDate, error)      { return nil, nil }
func (c *wireClaims) GetIssuer() (string, error)                     { return c.Issuer, nil }
func (c *wireClaims) GetSubject() (string, error)                    { return c.Subject, nil }
func (c *wireClaims) GetAudience() (gojwt.ClaimStrings, error)       { return nil, nil }

// toWire lays c out as the payload.
func (c Claims) toWire() *wireClaims {
	w := &wireClaims{
		TokenID: c.TokenID, AccountID: c.AccountID, VisibilityArea: c.VisibilityArea,
		ID: c.TokenID, Subject: c.AccountID, Issuer: c.Issuer,
		IssuedAt: gojwt.NewNumericDate(c.IssuedAt),
	}
	if c.ExpiresAt != nil {
		exp := c.ExpiresAt.UTC().Truncate(time.Second)
		s := exp.Format(time.RFC3339)
		w.ExpiresAt, w.ExpirationTime = gojwt.NewNumericDate(exp), &s
	}
	return w
}
