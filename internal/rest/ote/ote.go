// Package ote serves the ote-stack user-management API (seed 003) under /v1/ over Tessera's
// Accounts, Groups and Admins: a business is a company Group under the root, a system
// administrator holds an Admin grant on the root Group, a general administrator one on its
// business Group. Sign-in issues short-lived session JWTs (verify.Sessions); sign-out puts them
// on the revocation list that every replica watches.
package ote

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/bootstrap"
	"github.com/tessera-dev/tessera/internal/jwt"
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
	// Auth checks passwords under the login protections.
	Auth *rest.Authenticator
	// Sessions issues, verifies and revokes the session tokens.
	Sessions *verify.Sessions
	// Client is the manager's client: reads from the cache, writes to the API server.
	Client client.Client
	// APIReader reads the API server directly (to see an Account's deletion complete).
	APIReader client.Reader
	// Forest is the tenant tree.
	Forest *tree.Forest
}

// Register mounts the API's routes on mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/authorization", a.login)
	mux.HandleFunc("PUT /v1/authorization", a.refresh)
	mux.HandleFunc("DELETE /v1/authorization", a.logout)
	mux.HandleFunc("DELETE /v1/authorizations", a.logout) // the document's example spells it so
	mux.HandleFunc("GET /v1/authorization", a.authInfo)
	mux.HandleFunc("POST /v1/user", a.register)
	mux.HandleFunc("PUT /v1/user", a.changePassword)
	mux.HandleFunc("GET /v1/admin/user", a.listUsers)
	mux.HandleFunc("POST /v1/admin/user", a.createSubUser)
	mux.HandleFunc("PUT /v1/admin/user/{userId}", a.auditUser)
	mux.HandleFunc("PUT /v1/admin/user/{userId}/password", a.resetPassword)
	mux.HandleFunc("DELETE /v1/admin/user/{userId}", a.deleteUser)
	mux.HandleFunc("POST /v1/business", a.createBusiness)
	mux.HandleFunc("GET /v1/business", a.listBusinesses)
	mux.HandleFunc("GET /v1/business/id/{id}", a.getBusiness)
	mux.HandleFunc("PUT /v1/admin/business/{id}/approval", a.approveBusiness)
	mux.HandleFunc("GET /v1/docs/spec", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
}

// ---- responses ----

// apiError is an answer other than 200: {code, message} with code the HTTP status.
type apiError struct {
	Status     int
	Message    string
	RetryAfter time.Duration
}

func (e *apiError) Error() string { return e.Message }

func errParam(name, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusUnprocessableEntity, Message: fmt.Sprintf("parameter '%s': ", name) + fmt.Sprintf(format, args...)}
}

func errStatus(status int, format string, args ...any) *apiError {
	return &apiError{Status: status, Message: fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func ok(w http.ResponseWriter, extra map[string]any) {
	body := map[string]any{"code": 200, "message": "success"}
	for k, v := range extra {
		body[k] = v
	}
	writeJSON(w, http.StatusOK, body)
}

func fail(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = fromError(err)
	}
	if ae.RetryAfter > 0 {
		w.Header().Set("Retry-After", rest.RetryAfterHeader(ae.RetryAfter))
	}
	writeJSON(w, ae.Status, map[string]any{"code": ae.Status, "message": ae.Message})
}

// fromError maps the shared errors to ote-stack answers.
func fromError(err error) *apiError {
	var th *rest.ThrottledError
	switch {
	case errors.As(err, &th):
		return &apiError{Status: http.StatusTooManyRequests, Message: th.Reason, RetryAfter: th.RetryAfter}
	case errors.Is(err, verify.ErrWrongPassword):
		return errStatus(http.StatusUnauthorized, "wrong user name or password")
	case errors.Is(err, verify.ErrNotApproved):
		return errStatus(http.StatusForbidden, "the account is not approved: %s", err.Error())
	case errors.Is(err, verify.ErrDisabled):
		return errStatus(http.StatusForbidden, "%s", err.Error())
	case errors.Is(err, verify.ErrLocked), errors.Is(err, rest.ErrGroupLocked):
		return errStatus(http.StatusLocked, "%s", err.Error())
	case errors.Is(err, verify.ErrExpired):
		return errStatus(http.StatusUnauthorized, "the token has expired")
	case errors.Is(err, verify.ErrSessionRevoked):
		return errStatus(http.StatusUnauthorized, "the token was revoked (logged out)")
	case errors.Is(err, verify.ErrAccountGone):
		return errStatus(http.StatusUnauthorized, "the token's user no longer exists")
	case errors.Is(err, verify.ErrInvalid):
		return errStatus(http.StatusUnauthorized, "invalid token")
	case errors.Is(err, verify.ErrUnavailable):
		return &apiError{Status: http.StatusServiceUnavailable, Message: err.Error(), RetryAfter: time.Second}
	case errors.Is(err, verify.ErrRevocationListFull):
		return &apiError{Status: http.StatusServiceUnavailable, Message: err.Error(), RetryAfter: time.Minute}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return errStatus(http.StatusServiceUnavailable, "the request timed out")
	}
	return errStatus(http.StatusInternalServerError, "unexpected internal error: %s", err.Error())
}

// decode reads the JSON body strictly into dst. The body is JSON whatever the Content-Type
// says (clients such as curl -d send form types); errors name the parameter.
func decode(r *http.Request, dst any) error {
	r.Header.Set("Content-Type", "application/json")
	err := rest.DecodeJSON(r, dst)
	var de *rest.DecodeError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, rest.ErrEmptyBody):
		return errStatus(http.StatusUnprocessableEntity, "the request needs a JSON body")
	case errors.Is(err, rest.ErrBadText) && errors.As(err, &de):
		return errStatus(http.StatusBadRequest, "parameter '%s': %s", de.Path, de.Message)
	case errors.As(err, &de) && de.Path != "":
		if de.Message == "extra fields not permitted" {
			return errParam(de.Path, "unknown parameter")
		}
		return errParam(de.Path, "wrong type")
	case errors.As(err, &de):
		return errStatus(http.StatusUnprocessableEntity, "the body is not valid JSON: %s", de.Message)
	}
	return errStatus(http.StatusUnprocessableEntity, "%s", err.Error())
}

// ---- validation ----

var (
	userPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$`)
	phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{2,30}$`)
)

func required[T any](name string, v *T) (T, error) {
	if v == nil {
		var zero T
		return zero, errParam(name, "is required")
	}
	return *v, nil
}

func checkUser(u string) error {
	if !userPattern.MatchString(u) {
		return errParam("user", "must be 3–64 characters: letters, digits and . _ @ -, starting with a letter or digit")
	}
	return nil
}

// checkPassword applies the document's rule: 8–20 characters with at least one upper-case
// letter, one lower-case letter and one digit.
func checkPassword(name, p string) error {
	n := len([]rune(p))
	var upper, lower, digit bool
	for _, r := range p {
		upper = upper || unicode.IsUpper(r)
		lower = lower || unicode.IsLower(r)
		digit = digit || unicode.IsDigit(r)
	}
	if n < 8 || n > 20 || !upper || !lower || !digit {
		return errParam(name, "must be 8-20 characters long with at least 1 uppercase, 1 lowercase and 1 number")
	}
	return nil
}

func checkPhone(p string) error {
	if !phonePattern.MatchString(p) {
		return errParam("phone", "must be a phone number: digits, optionally with a leading + and spaces, dashes or parentheses")
	}
	return nil
}

func checkRealName(n string) error {
	if strings.TrimSpace(n) == "" || len([]rune(n)) > 128 {
		return errParam("realName", "must be 1–128 characters")
	}
	return nil
}

// ---- sessions ----

// session verifies the request's token, raw or Bearer, in the Authorization header.
func (a *API) session(r *http.Request) (*verify.Session, error) {
	tok := rest.SessionToken(r.Header.Get("Authorization"))
	if tok == "" {
		return nil, errStatus(http.StatusUnauthorized, "the Authorization header must carry a token (raw or Bearer)")
	}
	return a.Sessions.Verify(r.Context(), tok, jwt.AudienceOTE)
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	var body struct {
		User     *string `json:"user"`
		Password *string `json:"password"`
	}
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	user, err := required("user", body.User)
	if err == nil && user == "" {
		err = errParam("user", "must not be empty")
	} else if err == nil && utf8.RuneCountInString(user) > rest.MaxLoginLength {
		err = errParam("user", "must be at most %d characters", rest.MaxLoginLength)
	}
	if err != nil {
		fail(w, err)
		return
	}
	pw, err := required("password", body.Password)
	if err == nil && pw == "" {
		err = errParam("password", "must not be empty")
	}
	if err != nil {
		fail(w, err)
		return
	}
	p, err := a.Auth.Password(r, user, pw)
	if err != nil {
		fail(w, err)
		return
	}
	tok, _, err := a.Sessions.Issue(p.Account, jwt.AudienceOTE, SessionTTL)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": tok, "code": 200, "message": "success"})
}

func (a *API) refresh(w http.ResponseWriter, r *http.Request) {
	s, err := a.session(r)
	if err != nil {
		fail(w, err)
		return
	}
	tok, _, err := a.Sessions.Issue(s.Account, jwt.AudienceOTE, SessionTTL)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": tok, "code": 200, "message": "success"})
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	s, err := a.session(r)
	if err != nil {
		fail(w, err)
		return
	}
	if err := a.Sessions.Revoke(r.Context(), s.Claims); err != nil {
		fail(w, err)
		return
	}
	ok(w, nil)
}

// Roles of GET /v1/authorization.
const (
	rolePending        = 0
	roleNoBusiness     = 1
	roleGeneralUser    = 2
	roleBusinessAdmin  = 3
	roleSystemAdmin    = 4
	statusPending      = 0
	statusApproved     = 1
	statusNotApproved  = 2
	statusForbidden    = 3
	businessStatusGone = 3
)

// caller is a verified session with its place in the tenancy.
type caller struct {
	acct *tenancyv1alpha1.Account
	// group is the Group of the Account's namespace.
	group string
	// admin is set when the Account administers its Group.
	admin bool
	// system is set for an administrator of the root Group.
	system bool
}

func (c *caller) role() int {
	switch {
	case c.acct.Spec.Approval != "" && c.acct.Spec.Approval != tenancyv1alpha1.ApprovalApproved:
		return rolePending
	case c.system:
		return roleSystemAdmin
	case c.group == bootstrap.RootGroup:
		return roleNoBusiness
	case c.admin:
		return roleBusinessAdmin
	}
	return roleGeneralUser
}

// business is the caller's business Group, "" when it has none.
func (c *caller) business() string {
	if c.group == bootstrap.RootGroup {
		return ""
	}
	return c.group
}

func (a *API) caller(r *http.Request) (*caller, error) {
	s, err := a.session(r)
	if err != nil {
		return nil, err
	}
	c := &caller{acct: s.Account, group: tenancyv1alpha1.GroupOfNamespace(s.Account.Namespace)}
	adm, err := rest.AdminGrant(r.Context(), a.Client, s.Account)
	if err != nil {
		return nil, err
	}
	c.admin = adm != nil
	c.system = c.admin && c.group == bootstrap.RootGroup
	return c, nil
}

// adminCaller is caller, refused with 403 unless an administrator.
func (a *API) adminCaller(r *http.Request) (*caller, error) {
	c, err := a.caller(r)
	if err != nil {
		return nil, err
	}
	if !c.admin {
		return nil, errStatus(http.StatusForbidden, "only a general or system administrator may do this")
	}
	return c, nil
}

func (a *API) authInfo(w http.ResponseWriter, r *http.Request) {
	c, err := a.caller(r)
	if err != nil {
		fail(w, err)
		return
	}
	flags := map[string]string{}
	if b := c.business(); b != "" {
		g := &tenancyv1alpha1.Group{}
		if err := a.Client.Get(r.Context(), client.ObjectKey{Name: b}, g); err == nil {
			flags = g.Annotations
		}
	}
	flag := func(k string) bool { return flags[k] == "true" }
	ok(w, map[string]any{"data": map[string]any{
		"displayName":           c.acct.Spec.Login,
		"hasRepoAccount":        flag(AnnotationHasRepoAccount) || c.acct.Annotations[AnnotationHasRepoAccount] == "true",
		"role":                  c.role(),
		"privateProject":        flag(AnnotationPrivateProject),
		"enableIngress":         flag(AnnotationEnableIngress),
		"enableAlert":           flag(AnnotationEnableAlert),
		"enableAdminAutoDeploy": flag(AnnotationEnableAdminAutoDeploy),
	}})
}
