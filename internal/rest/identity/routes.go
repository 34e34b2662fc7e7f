package identity

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tessera-dev/tessera/internal/rest"
)

// Routing. Every route is a ServeMux pattern "METHOD /api/{version}/…" behind versioned, which
// answers an unsupported version in the identity envelope; the catch-all answers what no route
// takes (404, or 405 with Allow) in the same envelope.
//
// The portal API (seed 002) lives under /api/1/ on the same mux, so:
//   - identity claims /api/{version}/ only where the version is not a bare number: /api/1/…
//     (any /api/<digits>/…) that reaches identity's patterns is answered as though they did not
//     exist (notIdentity), and /api/1.0.0/… or /api/vx.y.z/… get identity's 404;
//   - the portal must register method-qualified patterns only ("GET /api/1/users",
//     "POST /api/1/users/{u}/jwt"): those are more specific than identity's and never
//     conflict, whereas a method-less "/api/1/…" pattern, or an "/api/1/" catch-all, overlaps
//     identity's "GET /api/{version}/ping" with neither more specific, and ServeMux panics.
//     Its unrouted paths reach identity's catch-all, which leaves them to notIdentity, which
//     answers in the path's own dialect (API.Foreign).

// catchAll takes every request under /api/{version}/ that no route does.
const catchAll = "/api/{version}/{rest...}"

// Register mounts the API on mux.
func (a *API) Register(mux *http.ServeMux) {
	route := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, a.versioned(mux, h)) }
	route("GET /api/{version}/ping", open(ping))
	route("GET /api/{version}/docs/spec", open(docsSpec))
	route("GET /api/{version}/users", a.authed(a.listUsers))
	route("POST /api/{version}/user", a.authedOrAnonymous(a.register))
	route("GET /api/{version}/user/{id}", a.authed(a.ownOrAdmin(a.getUser)))
	route("PUT /api/{version}/user/{id}", a.authed(a.ownOrAdmin(a.updateUser)))
	route("DELETE /api/{version}/user/{id}", a.authed(a.ownOrAdmin(a.deleteUser)))
	route("POST /api/{version}/access_token", open(a.signIn))
	route("PUT /api/{version}/access_token", a.withSession(tokenInBody, a.refresh))
	route("DELETE /api/{version}/access_token", a.withSession(tokenInHeaderOrBody, a.signOut))
	route(catchAll, func(w http.ResponseWriter, r *http.Request) { unrouted(w, r, allowedMethods(mux, r, true)) })
}

var versionPattern = regexp.MustCompile(`^v(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$`)

// validVersion accepts vX.Y.Z ≥ v0.1.0.
func validVersion(v string) bool {
	m := versionPattern.FindStringSubmatch(v)
	if m == nil {
		return false
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return major > 0 || minor >= 1
}

// isPortalVersion reports a version segment that belongs to the portal API (/api/1/).
func isPortalVersion(v string) bool {
	return v != "" && strings.Trim(v, "0123456789") == ""
}

// versioned runs h for a supported version only.
func (a *API) versioned(mux *http.ServeMux, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch v := r.PathValue("version"); {
		case isPortalVersion(v):
			a.notIdentity(w, r, allowedMethods(mux, r, false))
		case !validVersion(v):
			writeErr(w, r, errUnsupportedVersion())
		default:
			h(w, r)
		}
	}
}

// unrouted answers a path of the identity API that no route takes for r's method: 405 with
// Allow when routes take it for other methods, else 404.
func unrouted(w http.ResponseWriter, r *http.Request, allow []string) {
	if len(allow) > 0 {
		writeErr(w, r, errMethodNotAllowed(r.Method, allow))
		return
	}
	writeErr(w, r, errNoRoute(r.URL.Path))
}

// notIdentity answers a portal path as the shared Router would without identity's patterns:
// 405 with the other APIs' Allow, else 404, in the path's dialect.
func (a *API) notIdentity(w http.ResponseWriter, r *http.Request, allow []string) {
	write := rest.WriteJSONError
	if a.Foreign != nil {
		write = a.Foreign(r.URL.Path)
	}
	if len(allow) > 0 {
		write(w, r, &rest.Problem{Kind: rest.KindMethodNotAllowed, Allow: allow,
			Message: fmt.Sprintf("method %s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", "))})
		return
	}
	write(w, r, &rest.Problem{Kind: rest.KindNotFound, Message: "no such endpoint: " + r.URL.Path})
}

var probedMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions}

// allowedMethods asks mux which methods some pattern other than the catch-all takes r's path
// for: identity's patterns when identity is true, everybody else's otherwise. Asking the mux
// keeps Allow true to the routes without a second table of them.
func allowedMethods(mux *http.ServeMux, r *http.Request, identity bool) []string {
	var allow []string
	for _, m := range probedMethods {
		_, pattern := mux.Handler(&http.Request{Method: m, URL: r.URL, Host: r.Host})
		if pattern != "" && pattern != catchAll && isIdentityPattern(pattern) == identity {
			allow = append(allow, m)
		}
	}
	slices.Sort(allow)
	return allow
}

func isIdentityPattern(pattern string) bool {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		pattern = path
	}
	return strings.HasPrefix(pattern, "/api/{version}/")
}
