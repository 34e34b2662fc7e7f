// Package ote serves the ote-stack user-management API (seed 003) under /v1/ over Tessera's
// Accounts, Groups and Admins: a business is a company Group under the root, a system
// administrator holds an Admin grant on the root Group, a general administrator one on its
// business Group. Sign-in issues short-lived session JWTs (verify.Sessions); sign-out puts them
// on the revocation list that every replica watches.
//
// Handlers return errors, which writeErr alone renders ({code, message}); the wrappers in
// authz.go authenticate once and hand handlers the caller.
package ote

import (
	_ "embed"
	"net/http"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/tree"
	"github.com/tessera-dev/tessera/internal/verify"
)

// Annotations that keep ote-stack's facts the Account and Group specs have no field for (the
// keys are the API's: tenancyv1alpha1.AnnotationOTE*).
const (
	// AnnotationIsAdmin marks an Account registered with isAdmin=true: it may create a business.
	AnnotationIsAdmin = tenancyv1alpha1.AnnotationOTEIsAdmin
	// AnnotationBusinessStatus is a business Group's approval status, 0–3.
	AnnotationBusinessStatus = tenancyv1alpha1.AnnotationOTEBusinessStatus
	// AnnotationBusinessComment is the system administrator's audit comment.
	AnnotationBusinessComment = tenancyv1alpha1.AnnotationOTEBusinessComment
	// AnnotationBusinessObjective and AnnotationBusinessScale are the creator's statements.
	AnnotationBusinessObjective = tenancyv1alpha1.AnnotationOTEBusinessObjective
	AnnotationBusinessScale     = tenancyv1alpha1.AnnotationOTEBusinessScale
	// AnnotationBusinessOwner is the integer id of the Account that created the business.
	AnnotationBusinessOwner = tenancyv1alpha1.AnnotationOTEBusinessOwner
	// AnnotationBusinessUpdated is when the business status last changed (Unix seconds).
	AnnotationBusinessUpdated = tenancyv1alpha1.AnnotationOTEBusinessUpdated
	// Flag annotations on a business Group, "true" or "false" (default false), reported by
	// GET /v1/authorization.
	AnnotationPrivateProject        = tenancyv1alpha1.AnnotationOTEPrivateProject
	AnnotationEnableIngress         = tenancyv1alpha1.AnnotationOTEEnableIngress
	AnnotationEnableAlert           = tenancyv1alpha1.AnnotationOTEEnableAlert
	AnnotationEnableAdminAutoDeploy = tenancyv1alpha1.AnnotationOTEEnableAdminAutoDeploy
	AnnotationHasRepoAccount        = tenancyv1alpha1.AnnotationOTEHasRepoAccount
)

// SessionTTL is how long an ote-stack token lives: one hour, as the document says.
const SessionTTL = time.Hour

//go:embed openapi.yaml
var openAPI []byte

// API is the ote-stack handler set.
type API struct {
	// Auth authenticates the session tokens (Auth.Session) and checks passwords under the login
	// protections.
	Auth *rest.Authenticator
	// Sessions issues and revokes the session tokens.
	Sessions *verify.Sessions
	// Client is the manager's client: reads from the cache, writes to the API server.
	Client client.Client
	// APIReader reads the API server directly (to see an Account's deletion complete).
	APIReader client.Reader
	// Forest is the tenant tree.
	Forest *tree.Forest
}

// Register mounts the API's routes on mux, and under them a catch-all for /v1/ that answers
// unknown paths and wrong methods in ote-stack's envelope.
func (a *API) Register(mux *http.ServeMux) {
	// known holds the same routes, to ask which methods a path has (http.ServeMux's own 405).
	known := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc) {
		mux.HandleFunc(pattern, h)
		known.HandleFunc(pattern, h)
	}
	handle("POST /v1/authorization", open(a.login))
	handle("PUT /v1/authorization", a.session(a.refresh))
	handle("DELETE /v1/authorization", a.session(a.logout))
	handle("DELETE /v1/authorizations", a.session(a.logout)) // the document's example spells it so
	handle("GET /v1/authorization", a.session(a.authInfo))
	handle("POST /v1/user", open(a.register))
	handle("PUT /v1/user", a.session(a.changePassword))
	handle("GET /v1/admin/user", a.admin(a.listUsers))
	handle("POST /v1/admin/user", a.admin(a.createSubUser))
	handle("PUT /v1/admin/user/{userId}", a.admin(a.auditUser))
	handle("PUT /v1/admin/user/{userId}/password", a.admin(a.resetPassword))
	handle("DELETE /v1/admin/user/{userId}", a.admin(a.deleteUser))
	handle("POST /v1/business", a.session(a.createBusiness))
	handle("GET /v1/business", a.session(a.listBusinesses))
	handle("GET /v1/business/id/{id}", a.session(a.getBusiness))
	handle("PUT /v1/admin/business/{id}/approval", a.session(a.approveBusiness))
	handle("GET /v1/docs/spec", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) { unrouted(known, w, r) })
}

// unrouted answers a /v1/ request no route takes: 405 with Allow when the path has routes for
// other methods, else 404, as known (http.ServeMux) decides.
func unrouted(known *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	h, pattern := known.Handler(r)
	if pattern != "" { // cannot happen while mux has the same routes; serve rather than guess
		h.ServeHTTP(w, r)
		return
	}
	p := &probe{header: http.Header{}, status: http.StatusOK}
	h.ServeHTTP(p, r)
	if allow := p.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	Fallback(w, r, p.status)
}

// probe records what a handler answers, for unrouted, and discards the body.
type probe struct {
	header http.Header
	status int
}

func (p *probe) Header() http.Header         { return p.header }
func (p *probe) Write(b []byte) (int, error) { return len(b), nil }
func (p *probe) WriteHeader(status int)      { p.status = status }
