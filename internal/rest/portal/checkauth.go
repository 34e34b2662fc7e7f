package portal

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tessera-dev/tessera/internal/rest"
)

// /checkauth is forward authentication for reverse proxies (nginx auth_request, Traefik
// ForwardAuth, Envoy ext_authz): the proxy repeats the client's request here, with its
// cookies and Authorization, and lets it through on 2xx. Any authenticated account passes
// (the seed annotates no AllowedTo); the answer says who it is. A request body is ignored.

// forwardAuthMethods are the six methods of the seed's /checkauth.
var forwardAuthMethods = []string{"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"}

// The headers a 204 carries.
const (
	HeaderAuthUser    = "X-Auth-Request-User"
	HeaderAuthEmail   = "X-Auth-Request-Email"
	HeaderAuthGroupID = "X-Tessera-Group-Id"
	HeaderAuthRole    = "X-Tessera-Role"
)

func (a *API) checkAuthRoutes() []route {
	rs := make([]route, 0, len(forwardAuthMethods))
	for _, m := range forwardAuthMethods {
		// Open, so that the handler decides the answer itself: credentials are checked there.
		rs = append(rs, route{m + " /checkauth", openPolicy, a.checkAuth})
	}
	return rs
}

// checkAuth answers 204 with the account's login, e-mail, group id and portal role (no role
// header for an account without an Admin grant); 401 without credentials or with bad ones;
// 403 when the account may not act: disabled, unapproved, inside a locked subtree, locked out,
// or outside an IP allow-list. A proxy passes only 401 and 403 on, so nothing else is used for
// a refusal of the account.
func (a *API) checkAuth(w http.ResponseWriter, r *http.Request, _ *caller) error {
	c, err := a.authenticate(r)
	if err != nil {
		return mayNotAct(err)
	}
	g, err := a.groupID(r.Context(), c.home)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set(HeaderAuthUser, c.Account.Spec.Login)
	if email := c.Account.Spec.Profile.Email; email != "" {
		h.Set(HeaderAuthEmail, email)
	}
	h.Set(HeaderAuthGroupID, strconv.FormatInt(g, 10))
	if c.role != "" {
		h.Set(HeaderAuthRole, string(c.role))
	}
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// mayNotAct turns the refusals of an account that exists but may not act now (423: a locked
// subtree, the lockout) into 403; the rest stay as they are.
func mayNotAct(err error) error {
	if own, ok := errors.AsType[*apiError](err); ok {
		if own.Status != http.StatusLocked {
			return err
		}
		e := newErr(http.StatusForbidden, "%s", own.Info)
		e.Header = own.Header
		return e
	}
	if p := rest.Classify(err); p.Kind == rest.KindLocked {
		return errForbidden("%s", p.Message)
	}
	return err
}
