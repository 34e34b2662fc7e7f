package rest

import (
	"context"

	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/verify"
)

// PortalJWT authenticates a JWT the portal issued (/api/1/admins/{a}/jwt, /impersonate,
// /users/{u}/jwt: audience jwt.AudiencePortal), however the request carried it. Errors are
// those of verify.Sessions.Verify: the Account must still exist and may act (a locked,
// disabled or deleted Account's tokens fail).
func (a *Authenticator) PortalJWT(ctx context.Context, raw string) (*principal.Principal, error) {
	if a.Sessions == nil {
		return nil, verify.ErrUnavailable
	}
	s, err := a.Sessions.Verify(ctx, raw, jwt.AudiencePortal)
	if err != nil {
		return nil, err
	}
	return a.attach(&principal.Principal{Account: s.Account, Credential: principal.Session, Session: s.Claims}, nil)
}
