package rest

import (
	"context"

	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/verify"
)

// SessionOf authenticates raw, a sign-in session token of audience that the request carries
// somewhere other than the Authorization header (the portal's SESSION cookie, a query
// parameter). Errors are those of verify.Sessions.Verify.
func (a *Authenticator) SessionOf(ctx context.Context, raw, audience string) (*principal.Principal, error) {
	if a.Sessions == nil {
		return nil, verify.ErrUnavailable
	}
	s, err := a.Sessions.Verify(ctx, raw, audience)
	if err != nil {
		return nil, err
	}
	return a.attach(&principal.Principal{Account: s.Account, Credential: principal.Session, Session: s.Claims}, nil)
}
