package jwt

import (
	"fmt"
	"slices"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/tessera-dev/tessera/internal/keys"
)

// SessionType is the typ header of a session token. Together with the aud and tkt claims it keeps
// the two flavours of Tessera JWT apart: a session token lacks Luna's tokenId (so Verify refuses
// it), and a Luna token lacks aud, tkt and this typ (so VerifySession refuses it).
const SessionType = "tessera-session+jwt"

// sessionKind is the value of the tkt claim of every session token.
const sessionKind = "session"

// Session audiences: each API that signs people in accepts only its own.
const (
	// AudienceOTE is the audience of ote-stack's authorization tokens (/v1/authorization).
	AudienceOTE = "urn:tessera:session:ote-stack"
	// AudienceIdentity is the audience of the identity API's access tokens (/api/vX.Y.Z/access_token).
	AudienceIdentity = "urn:tessera:session:identity"
	// AudiencePortalSession is the audience of the portal's SESSION cookie (/api/1/login).
	AudiencePortalSession = "urn:tessera:session:portal"
	// AudiencePortal is the audience of the JWTs the portal issues to act as an administrator or
	// a user (/api/1/admins/{a}/jwt, /impersonate, /users/{u}/jwt), used as Bearer or ?jwt=.
	AudiencePortal = "urn:tessera:portal"
)

// SessionClaims are what a short-lived sign-in token asserts. No object stands behind a session:
// it is valid while signed by a key of the set, unexpired, not on the revocation list, and its
// Account may act.
type SessionClaims struct {
	// ID is the jti claim: a random UUID, the key of the revocation list.
	ID string
	// Subject is the sub claim: the Account's UUID (spec.accountID).
	Subject string
	// Audience is the aud claim: one of the Audience constants.
	Audience string
	// Issuer is the iss claim.
	Issuer string
	// Roles are the Account's roles at sign-in (the identity API shows them); informative only,
	// authorization always reads the Account.
	Roles []string
	// IssuedAt and ExpiresAt are iat and exp, to the second. Sessions always expire.
	IssuedAt  time.Time
	ExpiresAt time.Time
	// Portal holds the portal's claims (seed 002); nil for the other APIs' sessions.
	Portal *PortalClaims
}

// PortalClaims are the claims seed 002 shows in its JWTs, and what Tessera adds to them. Like
// Roles they describe; authorization resolves the Account by sub and the Admin by AdminID.
type PortalClaims struct {
	// Login is the uid claim: the Account's login at issue. Required: its presence marks the
	// portal's claims.
	Login string
	// Email and Name are the email and name claims (the Account's e-mail and display name).
	Email string
	Name  string
	// TenantID is the tenantId claim: the portal id of the Account's Group, as a string.
	TenantID string
	// Scope is the scope claim (an array; possibly empty).
	Scope []string
	// AdminID is the adminId claim: the portal id of the Admin grant the token acts as; 0 for a
	// user's token or a session that has not chosen one.
	AdminID int64
	// Actor is the login in the act claim (RFC 8693 §4.1) of an impersonation; "" otherwise.
	Actor string
}

// actorWire is the act claim.
type actorWire struct {
	Subject string `json:"sub"`
}

type sessionWire struct {
	ID        string             `json:"jti"`
	Subject   string             `json:"sub"`
	Audience  string             `json:"aud"`
	Issuer    string             `json:"iss"`
	Kind      string             `json:"tkt"`
	Roles     []string           `json:"roles"`
	IssuedAt  *gojwt.NumericDate `json:"iat"`
	ExpiresAt *gojwt.NumericDate `json:"exp"`
	// TokenID must stay absent: its presence marks a Luna token.
	TokenID *string `json:"tokenId,omitempty"`
	// The portal's claims, absent from the other APIs' sessions.
	Login     string             `json:"uid,omitempty"`
	Email     string             `json:"email,omitempty"`
	Name      string             `json:"name,omitempty"`
	TenantID  string             `json:"tenantId,omitempty"`
	Scope     []string           `json:"scope,omitempty"`
	AdminID   int64              `json:"adminId,omitempty"`
	Actor     *actorWire         `json:"act,omitempty"`
	NotBefore *gojwt.NumericDate `json:"nbf,omitempty"`
}

func (c *sessionWire) GetExpirationTime() (*gojwt.NumericDate, error) { return c.ExpiresAt, nil }
func (c *sessionWire) GetIssuedAt() (*gojwt.NumericDate, error)       { return c.IssuedAt, nil }
func (c *sessionWire) GetNotBefore() (*gojwt.NumericDate, error)      { return nil, nil }
func (c *sessionWire) GetIssuer() (string, error)                     { return c.Issuer, nil }
func (c *sessionWire) GetSubject() (string, error)                    { return c.Subject, nil }
func (c *sessionWire) GetAudience() (gojwt.ClaimStrings, error) {
	return gojwt.ClaimStrings{c.Audience}, nil
}

// SignSession signs c with the set's active key. Every field but Roles is required.
func SignSession(set *keys.Set, c SessionClaims) (string, error) {
	if set == nil {
		return "", fmt.Errorf("jwt: no signing key set loaded")
	}
	if c.ID == "" || c.Subject == "" || c.Audience == "" || c.Issuer == "" || c.IssuedAt.IsZero() || c.ExpiresAt.IsZero() {
		return "", fmt.Errorf("%w: jti, sub, aud, iss, iat and exp are required", ErrClaims)
	}
	key := set.Active()
	method, ok := methods[key.Algorithm]
	if !ok {
		return "", fmt.Errorf("%w: the active key's algorithm %q", ErrAlgorithm, key.Algorithm)
	}
	roles := c.Roles
	if roles == nil {
		roles = []string{}
	}
	w := &sessionWire{
		ID: c.ID, Subject: c.Subject, Audience: c.Audience, Issuer: c.Issuer, Kind: sessionKind, Roles: roles,
		IssuedAt:  gojwt.NewNumericDate(c.IssuedAt.UTC().Truncate(time.Second)),
		ExpiresAt: gojwt.NewNumericDate(c.ExpiresAt.UTC().Truncate(time.Second)),
	}
	if p := c.Portal; p != nil {
		w.Login, w.Email, w.Name, w.TenantID, w.AdminID = p.Login, p.Email, p.Name, p.TenantID, p.AdminID
		w.Scope, w.NotBefore = append([]string{}, p.Scope...), w.IssuedAt
		if p.Actor != "" {
			w.Actor = &actorWire{Subject: p.Actor}
		}
	}
	t := gojwt.NewWithClaims(method, w)
	t.Header["kid"] = key.ID
	t.Header["typ"] = SessionType
	token, err := t.SignedString(key.SigningKey())
	if err != nil {
		return "", fmt.Errorf("jwt: signing with key %s: %w", key.ID, err)
	}
	return token, nil
}

// VerifySession checks a session token against set as Verify checks Luna tokens — key by kid
// only, alg exactly that key's, refused header parameters, iss, exp without leeway — and in
// addition the typ header, the tkt claim and that aud is audience. Errors wrap the same
// sentinels as Verify's.
func VerifySession(token string, set *keys.Set, issuer, audience string, now time.Time) (*SessionClaims, error) {
	var w sessionWire
	t, err := parseSigned(token, set, &w)
	if err != nil {
		return nil, err
	}
	if typ, _ := t.Header["typ"].(string); typ != SessionType {
		return nil, fmt.Errorf("%w: not a session token", ErrClaims)
	}
	if w.Kind != sessionKind || w.TokenID != nil {
		return nil, fmt.Errorf("%w: not a session token", ErrClaims)
	}
	if w.Issuer != issuer {
		return nil, fmt.Errorf("%w: %q", ErrIssuer, truncate(w.Issuer))
	}
	if w.Audience != audience {
		return nil, fmt.Errorf("%w: the token is for audience %q", ErrClaims, truncate(w.Audience))
	}
	if w.ID == "" || w.Subject == "" || w.IssuedAt == nil || w.ExpiresAt == nil {
		return nil, fmt.Errorf("%w: jti, sub, iat and exp are required", ErrClaims)
	}
	exp := w.ExpiresAt.UTC()
	if !now.Before(exp) {
		return nil, fmt.Errorf("%w at %s", ErrExpired, exp.Format(time.RFC3339))
	}
	c := &SessionClaims{ID: w.ID, Subject: w.Subject, Audience: w.Audience, Issuer: w.Issuer,
		Roles: slices.Clone(w.Roles), IssuedAt: w.IssuedAt.UTC(), ExpiresAt: exp}
	if w.Login != "" {
		c.Portal = &PortalClaims{Login: w.Login, Email: w.Email, Name: w.Name, TenantID: w.TenantID,
			Scope: slices.Clone(w.Scope), AdminID: w.AdminID}
		if w.Actor != nil {
			c.Portal.Actor = w.Actor.Subject
		}
	}
	return c, nil
}
