package rest

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/verify"
)

// Authenticator turns a request's credentials into a principal, for every API alike: HTTP Basic
// with an Account's login and password, a Bearer Tessera JWT, or a sign-in session
// (sessions.go). Each API maps the errors to its own dialect (Classify).
type Authenticator struct {
	Verifier *verify.Verifier
	// Sessions verifies the sign-in sessions of ote-stack and the identity API; nil refuses them.
	Sessions *verify.Sessions
	// Directory is where principals read their Admin grants and the tree.
	Directory *principal.Directory
	limiter   *loginLimiter
}

// NewAuthenticator returns an Authenticator over v; principals read their grants from v's
// cache and tree.
func NewAuthenticator(v *verify.Verifier) *Authenticator {
	return &Authenticator{Verifier: v, Directory: &principal.Directory{Reader: v.Cache, Forest: v.Forest},
		limiter: newLoginLimiter()}
}

// ErrBadAuthorization reports an Authorization header that is neither Basic nor Bearer, or
// malformed.
var ErrBadAuthorization = errors.New("the Authorization header must be Basic (login:password) or Bearer (a Tessera token)")

// Authenticate returns who the request's credentials stand for, or (nil, nil) when it carries
// none. Errors are those of package verify, *ThrottledError, or ErrBadAuthorization.
func (a *Authenticator) Authenticate(r *http.Request) (*principal.Principal, error) {
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
		return a.attach(a.Verifier.VerifyToken(r.Context(), tok))
	case strings.EqualFold(scheme, "Basic"):
		login, password, ok := r.BasicAuth()
		if !ok {
			return nil, ErrBadAuthorization
		}
		return a.Password(r, login, password)
	}
	return nil, ErrBadAuthorization
}

// MaxLoginLength is the longest login an Account may have (its CRD says so), in characters.
const MaxLoginLength = 128

// Password checks a login and password under the login protections: a bounded number of hashes
// in flight and a lockout after repeated failures. Sign-in endpoints call it directly.
//
// A lockout in force refuses the login before anything else, even a password the verifier
// remembers from before the lockout: whoever sent the failures may be the one holding the
// password, and the lockout is meant to stop the login for a while, whoever asks. Otherwise a
// remembered password takes no hashing slot (it computes no hash) and counts as a success for
// the lockout like any right password.
func (a *Authenticator) Password(r *http.Request, login, password string) (_ *principal.Principal, err error) {
	defer func() { countSignIn(r, login, err) }()
	// No Account can hold such a login, so refusing it without a hash tells nobody anything.
	if !utf8.ValidString(login) || utf8.RuneCountInString(login) > MaxLoginLength {
		return nil, verify.ErrWrongPassword
	}
	k := a.limiter.key(login)
	if err := a.limiter.lockedOut(k); err != nil {
		return nil, err
	}
	p, err := a.Verifier.VerifyPasswordGated(r.Context(), login, password, func() (func(), error) { return a.limiter.acquire(k) })
	if _, throttled := errors.AsType[*ThrottledError](err); !throttled {
		a.limiter.result(k, !errors.Is(err, verify.ErrWrongPassword))
	}
	return a.attach(p, err)
}
