package portal

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/rest"
)

// Sign-in and sign-out: POST /login with a login and password, GET /login?jwt= with a portal
// JWT, GET and POST /logout. Both sign-ins set the SESSION cookie (sessions.go). Unknown login
// and wrong password are one 401; the shared lockout answers 423 with Retry-After, too many
// password hashes in flight 429. The seed's ApplicationAccountServer bodies answer where it
// shows them (postLoginApp, getLoginApp); the IP allow-list's refusal is its own 403 body.

func (a *API) loginRoutes() []route {
	return []route{
		{"POST /login", openPolicy, a.postLogin},
		{"GET /login", openPolicy, a.getLogin},
		// Ending a session is no privilege: whoever holds one may, with or without a role.
		{"GET /logout", anyCaller, a.getLogout},
		{"POST /logout", anyCaller, a.postLogout},
	}
}

// The statuses the seed answers with an ApplicationAccountServer body on each sign-in.
var (
	postLoginApp = []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound, http.StatusUnsupportedMediaType}
	getLoginApp  = []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}
)

// loginAnswer is POST /login's 200.
type loginAnswer struct {
	Message  string    `json:"message"`
	ClientIP string    `json:"client_ip"`
	Accounts []profile `json:"accounts"`
}

func (a *API) postLogin(w http.ResponseWriter, r *http.Request, _ *caller) error {
	return inAppDialect(a.passwordLogin(w, r), postLoginApp...)
}

func (a *API) getLogin(w http.ResponseWriter, r *http.Request, _ *caller) error {
	return inAppDialect(a.jwtLogin(w, r), getLoginApp...)
}

// passwordLogin signs in with username and password; user_id picks one of the Account's
// profiles by its id (without it, the session acts with all the Account's grants).
func (a *API) passwordLogin(w http.ResponseWriter, r *http.Request) error {
	if a.Auth == nil {
		return newErr(http.StatusServiceUnavailable, "authentication is not configured")
	}
	var body struct {
		Username *string `json:"username"`
		Password *string `json:"password"`
		UserID   *int64  `json:"user_id"`
	}
	if err := rest.DecodeJSON(r, &body); err != nil {
		return err
	}
	switch {
	case body.Username == nil || *body.Username == "":
		return errBadField("username", "is required")
	case body.Password == nil || *body.Password == "":
		return errBadField("password", "is required")
	}
	p, err := a.Auth.Password(r, *body.Username, *body.Password)
	if err != nil {
		return lockedOut(err)
	}
	if err := a.admitAddress(r, p); err != nil {
		return err
	}
	profiles, err := a.profilesOf(r.Context(), p)
	if err != nil {
		return err
	}
	var adminID int64
	if body.UserID != nil {
		if adminID, err = pickGrant(r.Context(), p, profiles, *body.UserID); err != nil {
			return err
		}
	}
	claims := portalClaims(p.Account, profiles[0].Group.ID, adminID)
	if err := a.startSession(w, r, p.Account, claims, SessionTTL); err != nil {
		return err
	}
	ip := ""
	if addr := clientAddr(r, a.TrustedProxies); addr.IsValid() {
		ip = addr.String()
	}
	writeJSON(w, http.StatusOK, loginAnswer{Message: "Success", ClientIP: ip, Accounts: profiles})
	return nil
}

// pickGrant is the Admin id the profile with id userID acts as: an Account with grants has one
// profile per grant, by the Admin's id; one without has its own, by the Account's id (0).
func pickGrant(ctx context.Context, p *principal.Principal, profiles []profile, userID int64) (int64, error) {
	grants, err := p.Grants(ctx) // read once already, by profilesOf
	if err != nil {
		return 0, err
	}
	for _, pr := range profiles {
		if pr.ID == userID && len(grants) == 0 {
			return 0, nil
		}
		if pr.ID == userID {
			return pr.ID, nil
		}
	}
	return 0, errNotFound("could not resolve target tenant: login %s has no account %d", p.Account.Spec.Login, userID)
}

// jwtLogin exchanges a portal JWT (GET /admins/{a}/jwt, /impersonate, /users/{u}/jwt) for a
// session acting as the same grant, with the same scope and actor, that ends when the JWT
// would have: the exchange never extends what the JWT allowed.
func (a *API) jwtLogin(w http.ResponseWriter, r *http.Request) error {
	if a.Auth == nil {
		return newErr(http.StatusServiceUnavailable, "authentication is not configured")
	}
	raw := r.URL.Query()["jwt"]
	if len(raw) != 1 || raw[0] == "" {
		return errBadParam("jwt", "one portal JWT is required")
	}
	p, err := a.Auth.SessionOf(r.Context(), raw[0], jwt.AudiencePortal)
	if err != nil {
		return err
	}
	jc := p.Session.Portal
	if jc == nil {
		return newErr(http.StatusUnauthorized, "the token is not a portal JWT")
	}
	if err := a.admitAddress(r, p); err != nil {
		return err
	}
	pr, err := a.currentProfile(r.Context(), p)
	if err != nil {
		return err
	}
	ttl := min(SessionTTL, time.Until(p.Session.ExpiresAt))
	if ttl < time.Second {
		return newErr(http.StatusUnauthorized, "the JWT expires now; ask for a new one")
	}
	claims := portalClaims(p.Account, pr.Group.ID, jc.AdminID)
	claims.Scope, claims.Actor = jc.Scope, jc.Actor
	if err := a.startSession(w, r, p.Account, claims, ttl); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pr)
	return nil
}

// getLogout ends the session: 200 "Success".
func (a *API) getLogout(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := a.logout(w, r, c); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, "Success")
	return nil
}

// postLogout ends the session: 204.
func (a *API) postLogout(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := a.logout(w, r, c); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// logout revokes the request's SESSION, on every replica at once (the revocation list), and
// drops the cookie. The Account's other sessions stay. A request authenticated otherwise has no
// session to end; it only drops the cookie.
func (a *API) logout(w http.ResponseWriter, r *http.Request, c *caller) error {
	if s := portalSession(c.Principal); s != nil {
		if err := a.Auth.Sessions.Revoke(r.Context(), s); err != nil {
			return err
		}
	}
	a.clearSession(w, r)
	return nil
}

// lockedOut renders the shared lockout as the portal documents it, 423 with Retry-After;
// every other error stays as it is (too many hashes in flight: 429).
func lockedOut(err error) error {
	var th *rest.ThrottledError
	if !errors.As(err, &th) || !th.Lockout {
		return err
	}
	e := newErr(http.StatusLocked, "%s", th.Reason)
	e.Header = http.Header{"Retry-After": {rest.RetryAfterHeader(th.RetryAfter)}}
	return e
}
