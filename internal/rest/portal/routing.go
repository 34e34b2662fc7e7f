package portal

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/principal"
)

// Account routing: which server an account lives on. Tessera is one server, so a login either
// lives here or nowhere it knows of. GET /accounts is public by the seed's design, and so tells
// anyone whether a login exists; sign-in itself never does.

func (a *API) routingRoutes() []route {
	return []route{
		{"GET /accounts", openPolicy, a.findAccount},
		{"GET /accounts/check", readers, a.checkAccount},
	}
}

// accountsAnswer is GET /accounts' 200.
type accountsAnswer struct {
	ServerURL string `json:"server_url"`
	ID        int64  `json:"id"`
	Login     string `json:"login"`
}

// findAccount is GET /accounts?login=[&user_id=]: this server's URL and the id of the
// account's profile (user_id picks one of several; the first otherwise). 404 for a login that
// is not here.
func (a *API) findAccount(w http.ResponseWriter, r *http.Request, _ *caller) error {
	login, err := oneParam(r, "login")
	if err != nil {
		return err
	}
	var userID int64
	if r.URL.Query().Has("user_id") {
		s, err := oneParam(r, "user_id")
		if err != nil {
			return err
		}
		if userID, err = strconv.ParseInt(s, 10, 64); err != nil || userID <= 0 {
			return errBadParam("user_id", "must be a positive integer, not %q", s)
		}
	}
	acct, err := a.accountByLogin(r, login)
	if err != nil {
		return err
	}
	p := (&principal.Principal{Account: acct}).In(a.Auth.Directory)
	profiles, err := a.profilesOf(r.Context(), p)
	if err != nil {
		return err
	}
	id := profiles[0].ID
	if userID != 0 {
		if _, err := pickGrant(r.Context(), p, profiles, userID); err != nil {
			return err
		}
		id = userID
	}
	writeJSON(w, http.StatusOK, accountsAnswer{ServerURL: a.serverURL(r), ID: id, Login: acct.Spec.Login})
	return nil
}

// checkAccount is GET /accounts/check?login=&server=&sign=: 204 when the login lives on this
// server, 404 when it does not, 409 when it does but server names another. sign is required
// and not checked: Tessera routes no accounts between servers.
func (a *API) checkAccount(w http.ResponseWriter, r *http.Request, _ *caller) error {
	var vals [3]string
	for i, name := range []string{"login", "server", "sign"} {
		v, err := oneParam(r, name)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	if _, err := a.accountByLogin(r, vals[0]); err != nil {
		return err
	}
	if here := a.serverURL(r); serverKey(vals[1]) != serverKey(here) {
		return errConflict("login %s lives on %s, not on %s", vals[0], here, vals[1])
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// accountByLogin is the live Account with login, or 404.
func (a *API) accountByLogin(r *http.Request, login string) (*tenancyv1alpha1.Account, error) {
	acct, err := people.ByIndex[*tenancyv1alpha1.Account](r.Context(), a.Client, index.AccountLogin, login)
	if err != nil {
		return nil, err
	}
	if acct == nil {
		return nil, errNotFound("no account with login %q lives on this server", login)
	}
	return acct, nil
}

// oneParam is a required query parameter given once, not empty.
func oneParam(r *http.Request, name string) (string, error) {
	v := r.URL.Query()[name]
	if len(v) != 1 || v[0] == "" {
		return "", errBadParam(name, "is required, once")
	}
	return v[0], nil
}

// serverURL is this server's address: ServerURL, else the request's scheme and host.
func (a *API) serverURL(r *http.Request) string {
	if a.ServerURL != "" {
		return strings.TrimSuffix(a.ServerURL, "/")
	}
	scheme := "http"
	if overTLS(r, a.TrustedProxies) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// serverKey is what names a server: its host and port, in lower case, ports 80 and 443 left
// out; a bare host[:port] names the same as a URL with it.
func serverKey(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "//" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return strings.ToLower(s)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" || port == "80" || port == "443" {
		return host
	}
	return host + ":" + port
}
