package rest

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tessera-dev/tessera/internal/verify"
)

// Authenticator turns a request's credentials into a principal, for every API alike: HTTP Basic
// with an Account's login and password, or a Bearer Tessera JWT. Each API maps the errors to its
// own dialect.
type Authenticator struct {
	Verifier *verify.Verifier
	limiter  *loginLimiter
}

// NewAuthenticator returns an Authenticator over v.
func NewAuthenticator(v *verify.Verifier) *Authenticator {
	return &Authenticator{Verifier: v, limiter: newLoginLimiter()}
}

// ErrBadAuthorization reports an Authorization header that is neither Basic nor Bearer, or
// malformed.
var ErrBadAuthorization = errors.New("the Authorization header must be Basic (login:password) or Bearer (a Tessera token)")

// Authenticate returns who the request's credentials stand for, or (nil, nil) when it carries
// none. Errors are those of package verify, *ThrottledError, or ErrBadAuthorization.
func (a *Authenticator) Authenticate(r *http.Request) (*verify.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil
	}
	scheme, rest, _ := strings.Cut(h, " ")
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		tok := strings.TrimSpace(rest)
		if tok == "" {
			return nil, ErrBadAuthorization
		}
		return a.Verifier.VerifyToken(r.Context(), tok)
	case strings.EqualFold(scheme, "Basic"):
		login, password, ok := r.BasicAuth()
		if !ok {
			return nil, ErrBadAuthorization
		}
		return a.Password(r, login, password)
	}
	return nil, ErrBadAuthorization
}

// Password checks a login and password under the login protections: a bounded number of hashes
// in flight and a lockout after repeated failures. Sign-in endpoints call it directly.
func (a *Authenticator) Password(r *http.Request, login, password string) (_ *verify.Principal, err error) {
	defer func() { countSignIn(r, login, err) }()
	release, err := a.limiter.acquire(login)
	if err != nil {
		return nil, err
	}
	p, err := a.Verifier.VerifyPassword(r.Context(), login, password)
	release()
	a.limiter.result(login, !errors.Is(err, verify.ErrWrongPassword))
	return p, err
}
