package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/jwt"
)

// ErrSessionRevoked: the session was signed out.
var ErrSessionRevoked = errors.New("session revoked")

// Session is a verified sign-in session.
type Session struct {
	Account *tenancyv1alpha1.Account
	Claims  *jwt.SessionClaims
	// Token is the raw JWT.
	Token string
}

// Sessions issues and verifies the short-lived session tokens of the APIs that sign people in
// (ote-stack, identity). No object is written per sign-in: a session is its signed JWT, and a
// sign-out is one entry in the revocation list.
type Sessions struct {
	Verifier    *Verifier
	Revocations *SessionRevocations
}

// Issue signs a session for acct, valid for ttl, for audience.
// An Account being deleted gets none (ErrWrongPassword: to the caller it no longer exists).
func (s *Sessions) Issue(acct *tenancyv1alpha1.Account, audience string, ttl time.Duration) (string, *jwt.SessionClaims, error) {
	return s.IssuePortal(acct, audience, ttl, nil)
}

// IssuePortal is Issue with the portal's claims (nil for none): the portal's SESSION cookie
// (jwt.AudiencePortalSession) and the JWTs it issues (jwt.AudiencePortal). Their verification,
// revocation and sign-out are every session's.
func (s *Sessions) IssuePortal(acct *tenancyv1alpha1.Account, audience string, ttl time.Duration, portal *jwt.PortalClaims) (string, *jwt.SessionClaims, error) {
	if acct.DeletionTimestamp != nil {
		return "", nil, fmt.Errorf("%w: the account is being deleted", ErrWrongPassword)
	}
	set := s.Verifier.Keys.Load()
	if set == nil {
		return "", nil, ErrUnavailable
	}
	now := s.Verifier.now().UTC().Truncate(time.Second)
	c := &jwt.SessionClaims{ID: uuid.NewString(), Subject: acct.Spec.AccountID, Audience: audience,
		Issuer: s.Verifier.Issuer, Roles: append([]string{}, acct.Spec.Roles...), IssuedAt: now, ExpiresAt: now.Add(ttl),
		Portal: portal}
	tok, err := jwt.SignSession(set, *c)
	if err != nil {
		return "", nil, err
	}
	return tok, c, nil
}

// Verify checks a session token for audience: signature, expiry, revocation, and that its
// Account exists and may act (not disabled, approved, not locked). Errors wrap ErrInvalid,
// ErrExpired, ErrSessionRevoked, ErrAccountGone, ErrDisabled, ErrNotApproved, ErrLocked or
// ErrUnavailable. The Account is the cache's: callers must not modify it.
func (s *Sessions) Verify(ctx context.Context, raw, audience string) (*Session, error) {
	set := s.Verifier.Keys.Load()
	if set == nil {
		return nil, ErrUnavailable
	}
	claims, err := jwt.VerifySession(raw, set, s.Verifier.Issuer, audience, s.Verifier.now())
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return nil, fmt.Errorf("%w: %v", ErrExpired, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if s.Revocations != nil {
		revoked, err := s.Revocations.Revoked(ctx, claims.ID)
		if err != nil {
			return nil, err
		}
		if revoked {
			return nil, fmt.Errorf("%w: the session was signed out", ErrSessionRevoked)
		}
	}
	acct, err := s.Verifier.accountByID(ctx, claims.Subject)
	if err != nil {
		return nil, err
	}
	if err := s.Verifier.mayAct(acct); err != nil {
		return nil, err
	}
	return &Session{Account: acct, Claims: claims, Token: raw}, nil
}

// Revoke signs the session out on every replica.
func (s *Sessions) Revoke(ctx context.Context, c *jwt.SessionClaims) error {
	if s.Revocations == nil {
		return fmt.Errorf("%w: no revocation list", ErrUnavailable)
	}
	return s.Revocations.Revoke(ctx, c.ID, c.ExpiresAt)
}

// Spend uses up a single-use token (the portal's action tokens): ErrAlreadySpent when it was
// used already, on any replica.
func (s *Sessions) Spend(ctx context.Context, c *jwt.SessionClaims) error {
	if s.Revocations == nil {
		return fmt.Errorf("%w: no revocation list", ErrUnavailable)
	}
	return s.Revocations.Spend(ctx, c.ID, c.ExpiresAt)
}
