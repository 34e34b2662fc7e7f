package rest

import (
	"net/http"

	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/verify"
)

// Session authenticates a sign-in session of audience (jwt.AudienceOTE, jwt.AudienceIdentity)
// carried in the Authorization header, raw or as "Bearer <token>". It returns (nil, nil) when
// the request carries no Authorization header; errors are those of verify.Sessions.Verify, or
// ErrBadAuthorization.
func (a *Authenticator) Session(r *http.Request, audience string) (*principal.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil
	}
	tok := SessionToken(h)
	if tok == "" {
		return nil, ErrBadAuthorization
	}
	if a.Sessions == nil {
		return nil, verify.ErrUnavailable
	}
	s, err := a.Sessions.Verify(r.Context(), tok, audience)
	if err != nil {
		return nil, err
	}
	return a.attach(&principal.Principal{Account: s.Account, Credential: principal.Session, Session: s.Claims}, nil)
}

// attach gives a verified principal the directory its grants are read from.
func (a *Authenticator) attach(p *principal.Principal, err error) (*principal.Principal, error) {
	if p != nil && err == nil {
		p.In(a.Directory)
	}
	return p, err
}
