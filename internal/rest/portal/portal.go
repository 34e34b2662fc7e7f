// Package portal serves the portal account-management API (seed 002, "Multi-service Portal
// API documentation version 1") under /api/1/, over Tessera's Groups, Accounts and Admins: a
// portal group is a Group, an admin an Admin joined with its Account, a service user an Account
// without an Admin grant.
package portal

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tessera-dev/tessera/internal/listindex"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/tree"
)

// Prefix is where the API lives: the seed's base URI https://{host}:{port}/api/{version} with
// version 1.
const Prefix = "/api/1"

// API is the portal handler set.
type API struct {
	// Auth authenticates requests.
	Auth *rest.Authenticator
	// Client is the manager's client: reads come from the informer cache (through the field
	// indexes), writes go to the API server.
	Client client.Client
	// Forest is the tenant tree, for ancestry, subtrees and locks without API calls.
	Forest *tree.Forest
	// Members counts each group's service users and orders every login for the search, from
	// the cache (listindex.Register), so that neither lists a namespace.
	Members *listindex.Members
	// Outbox, when set (local mode), is the directory every e-mail is written to as an RFC 5322
	// .eml file instead of being sent through the brand's SMTP server.
	Outbox string
	// WaitTimeout bounds how long a write waits until the cache and the tree show it; zero
	// means credential.VisibleWithin.
	WaitTimeout time.Duration
	// ServerURL is this server's address as clients reach it (GET /accounts' server_url); empty
	// means the request's own scheme and host.
	ServerURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For (the client's address, for
	// the IP allow-lists) and X-Forwarded-Proto are believed; none by default.
	TrustedProxies []netip.Prefix

	// childViews and userViews keep encoded list items, childLists and userLists whole lists
	// (see viewCache).
	childViews viewCache[childKey]
	childLists viewCache[childListKey]
	userViews  viewCache[userKey]
	userLists  viewCache[userListKey]
	// openMails spaces the open POST /actions/mail/reset per account.
	openMails mailThrottle
}

// Register mounts the API on mux. Its routes live on a mux of their own behind a rest.Router
// in the portal's dialect, so that a path of a portal family answers an unknown sub-path, a
// wrong method (with Allow) or a panic in the portal's envelope. The shared mux gets, per
// family (the first segment after /api/1/), the family's root and subtree: method-less
// patterns more specific than the identity API's "/api/{version}/…" catch-all, mounted only
// where they overlap none of its routes; a route they do not cover goes on mux as it is.
func (a *API) Register(mux *http.ServeMux) {
	own := http.NewServeMux()
	router := rest.NewRouter(own, WriteError)
	mounted := map[string]bool{}
	mount := func(pattern string) {
		if !mounted[pattern] {
			mounted[pattern] = true
			mux.Handle(pattern, router)
		}
	}
	for _, rt := range a.routes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		family, sub, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		pattern := method + " " + Prefix + path
		switch {
		case sub == "" && !identityRoutes[family].root:
			mount(Prefix + "/" + family)
		case sub != "" && !identityRoutes[family].subtree:
			mount(Prefix + "/" + family + "/")
		default:
			mux.Handle(pattern, a.serve(rt))
			continue
		}
		own.Handle(pattern, a.serve(rt))
	}
}

// identityRoutes are the portal families the identity API has routes in, for any version:
// "GET /api/{version}/users" (the root of users) and "GET /api/{version}/docs/spec" (in the
// subtree of docs). A method-less portal pattern there would conflict with those routes.
var identityRoutes = map[string]struct{ root, subtree bool }{
	"users": {root: true},
	"docs":  {subtree: true},
}

// writeJSON answers body as JSON with status.
func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
