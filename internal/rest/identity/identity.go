// Package identity serves the identity API (seed 004) under /api/vX.Y.Z/ for any version
// X.Y.Z ≥ 0.1.0, over Tessera's Accounts: a user is an Account (its id is spec.accountID, its
// nick name the login), and access tokens are short-lived session JWTs (verify.Sessions).
package identity

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/verify"
)

// Field indexes this API adds to the manager's cache, for sign-in by e-mail or nick name.
const (
	IndexEmail    = "spec.profile.email"
	IndexNickName = "spec.profile.nickName"
)

// Annotations for the identity API's fields the Account spec has no place for.
const (
	AnnotationSurName  = "identity.tessera.dev/sur-name"
	AnnotationProjects = "identity.tessera.dev/projects"
)

// TokenTTL is how long an access token lives.
const TokenTTL = time.Hour

//go:embed openapi.yaml
var openAPI []byte

// SetupIndexes registers the e-mail and nick-name indexes; call it before the manager starts.
func SetupIndexes(ctx context.Context, fi client.FieldIndexer) error {
	if err := fi.IndexField(ctx, &tenancyv1alpha1.Account{}, IndexEmail, func(o client.Object) []string {
		if e := o.(*tenancyv1alpha1.Account).Spec.Profile.Email; e != "" {
			return []string{strings.ToLower(e)}
		}
		return nil
	}); err != nil {
		return err
	}
	return fi.IndexField(ctx, &tenancyv1alpha1.Account{}, IndexNickName, func(o client.Object) []string {
		if n := o.(*tenancyv1alpha1.Account).Spec.Profile.NickName; n != "" {
			return []string{n}
		}
		return nil
	})
}

// API is the identity handler set.
type API struct {
	Auth     *rest.Authenticator
	Sessions *verify.Sessions
	// Client is the manager's client: reads from the cache (with SetupIndexes' indexes),
	// writes to the API server.
	Client client.Client
	// Namespace receives registrations; empty means the root Group's.
	Namespace string
	// RequireApproval makes registrations wait, pending, for an ote-stack system administrator
	// (PUT /v1/admin/user/{id}); by default they are approved, as the identity API has no
	// approval step.
	RequireApproval bool
}

// Register mounts the API on mux: one route for every version, parsed by the handler.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("/api/{version}/{rest...}", a.serve)
}

var versionPattern = regexp.MustCompile(`^v(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$`)

// parseVersion accepts vX.Y.Z ≥ v0.1.0.
func parseVersion(s string) (string, bool) {
	m := versionPattern.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	if major == 0 && minor < 1 {
		return "", false
	}
	return strings.TrimPrefix(s, "v"), true
}

func (a *API) serve(w http.ResponseWriter, r *http.Request) {
	version, ok := parseVersion(r.PathValue("version"))
	if !ok {
		fail(w, errStatus(http.StatusNotFound, "unsupported API version",
			"the path must start with /api/vX.Y.Z/ with X.Y.Z at least 0.1.0, e.g. /api/v0.1.0/ping"))
		return
	}
	path := r.PathValue("rest")
	method := r.Method
	var handlers map[string]http.HandlerFunc
	switch {
	case path == "ping":
		handlers = map[string]http.HandlerFunc{"GET": func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"pong": "API version " + version})
		}}
	case path == "users":
		handlers = map[string]http.HandlerFunc{"GET": a.listUsers}
	case path == "user":
		handlers = map[string]http.HandlerFunc{"POST": a.register}
	case strings.HasPrefix(path, "user/") && !strings.Contains(path[len("user/"):], "/"):
		id := path[len("user/"):]
		handlers = map[string]http.HandlerFunc{
			"GET":    func(w http.ResponseWriter, r *http.Request) { a.getUser(w, r, id) },
			"PUT":    func(w http.ResponseWriter, r *http.Request) { a.updateUser(w, r, id) },
			"DELETE": func(w http.ResponseWriter, r *http.Request) { a.deleteUser(w, r, id) },
		}
	case path == "access_token":
		handlers = map[string]http.HandlerFunc{"POST": a.signIn, "PUT": a.refresh, "DELETE": a.signOut}
	case path == "docs/spec":
		handlers = map[string]http.HandlerFunc{"GET": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/yaml")
			_, _ = w.Write(openAPI)
		}}
	default:
		fail(w, errStatus(http.StatusNotFound, "not found", "no such endpoint: "+r.URL.Path))
		return
	}
	if method == http.MethodHead {
		method = http.MethodGet
	}
	h, found := handlers[method]
	if !found {
		allowed := make([]string, 0, len(handlers))
		for m := range handlers {
			allowed = append(allowed, m)
		}
		slices.Sort(allowed)
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		fail(w, errStatus(http.StatusMethodNotAllowed, "method not allowed", r.Method+" is not allowed here"))
		return
	}
	h(w, r)
}

// ---- errors ----

// apiError is the identity API's error answer: {"status": short text, "error": detail}.
type apiError struct {
	Code       int
	Status     string
	Detail     string
	RetryAfter time.Duration
}

func (e *apiError) Error() string { return e.Detail }

func errStatus(code int, status, detail string) *apiError {
	return &apiError{Code: code, Status: status, Detail: detail}
}

func errField(field, format string, args ...any) *apiError {
	return errStatus(http.StatusUnprocessableEntity, "validation error", field+": "+fmt.Sprintf(format, args...))
}

func writeJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

func fail(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = fromError(err)
	}
	if ae.RetryAfter > 0 {
		w.Header().Set("Retry-After", rest.RetryAfterHeader(ae.RetryAfter))
	}
	writeJSON(w, ae.Code, map[string]string{"status": ae.Status, "error": ae.Detail})
}

func fromError(err error) *apiError {
	var th *rest.ThrottledError
	switch {
	case errors.As(err, &th):
		return &apiError{Code: http.StatusTooManyRequests, Status: "too many requests", Detail: th.Reason, RetryAfter: th.RetryAfter}
	case errors.Is(err, verify.ErrWrongPassword):
		return errStatus(http.StatusUnauthorized, "invalid credentials", "wrong e-mail, nick name or password")
	case errors.Is(err, verify.ErrNotApproved):
		return errStatus(http.StatusForbidden, "user not approved", err.Error())
	case errors.Is(err, verify.ErrDisabled):
		return errStatus(http.StatusForbidden, "user disabled", err.Error())
	case errors.Is(err, verify.ErrLocked), errors.Is(err, people.ErrGroupLocked):
		return errStatus(http.StatusLocked, "locked", err.Error())
	case errors.Is(err, verify.ErrExpired):
		return errStatus(http.StatusUnauthorized, "token expired", "the access token has expired")
	case errors.Is(err, verify.ErrSessionRevoked):
		return errStatus(http.StatusUnauthorized, "token revoked", "the access token was revoked")
	case errors.Is(err, verify.ErrAccountGone):
		return errStatus(http.StatusUnauthorized, "invalid token", "the token's user no longer exists")
	case errors.Is(err, verify.ErrInvalid):
		return errStatus(http.StatusUnauthorized, "invalid token", "the access token is not valid")
	case errors.Is(err, verify.ErrUnavailable):
		return &apiError{Code: http.StatusServiceUnavailable, Status: "unavailable", Detail: err.Error(), RetryAfter: time.Second}
	case errors.Is(err, verify.ErrRevocationListFull):
		return &apiError{Code: http.StatusServiceUnavailable, Status: "unavailable", Detail: err.Error(), RetryAfter: time.Minute}
	}
	return errStatus(http.StatusInternalServerError, "internal error", err.Error())
}

// decode reads a JSON body strictly, whatever the Content-Type says.
func decode(r *http.Request, dst any) error {
	r.Header.Set("Content-Type", "application/json")
	err := rest.DecodeJSON(r, dst)
	var de *rest.DecodeError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, rest.ErrEmptyBody):
		return errStatus(http.StatusBadRequest, "bad request", "the request needs a JSON body")
	case errors.Is(err, rest.ErrBadText) && errors.As(err, &de):
		return errStatus(http.StatusBadRequest, "bad request", de.Path+": "+de.Message)
	case errors.As(err, &de) && de.Path != "":
		if de.Message == "extra fields not permitted" {
			return errField(de.Path, "unknown field")
		}
		return errField(de.Path, "wrong type")
	case errors.As(err, &de):
		return errStatus(http.StatusBadRequest, "bad request", "the body is not valid JSON: "+de.Message)
	}
	return errStatus(http.StatusBadRequest, "bad request", err.Error())
}

// ---- principals ----

// caller is the signed-in user of a request; nil without an Authorization header.
type caller struct {
	acct  *tenancyv1alpha1.Account
	admin bool
}

func (a *API) caller(r *http.Request, required bool) (*caller, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		if required {
			return nil, errStatus(http.StatusUnauthorized, "unauthorized", "an access token is required: Authorization: Bearer <access_token>")
		}
		return nil, nil
	}
	tok := rest.SessionToken(h)
	if tok == "" {
		return nil, errStatus(http.StatusUnauthorized, "unauthorized", "the Authorization header must be Bearer <access_token>")
	}
	s, err := a.Sessions.Verify(r.Context(), tok, jwt.AudienceIdentity)
	if err != nil {
		return nil, err
	}
	c := &caller{acct: s.Account}
	c.admin, err = a.isAdmin(r.Context(), s.Account)
	return c, err
}

// isAdmin: the identity API's administrators hold the role "admin" or "root", are Luna admin
// Accounts, or administer the root Group.
func (a *API) isAdmin(ctx context.Context, acct *tenancyv1alpha1.Account) (bool, error) {
	if slices.Contains(acct.Spec.Roles, "admin") || slices.Contains(acct.Spec.Roles, "root") ||
		acct.Spec.Type == tenancyv1alpha1.AccountTypeAdmin {
		return true, nil
	}
	return people.IsSystemAdmin(ctx, a.Client, acct)
}

func (c *caller) mayManage(acct *tenancyv1alpha1.Account) bool {
	return c.admin || (c.acct.Namespace == acct.Namespace && c.acct.Name == acct.Name)
}

// ---- validation ----

var (
	nickPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{2,127}$`)
	emailPattern = regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$`)
	rolePattern  = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
)

func checkName(field string, v *string) error {
	if v != nil && len([]rune(*v)) > 128 {
		return errField(field, "must be at most 128 characters")
	}
	return nil
}

func checkPassword(p string) error {
	if n := len([]rune(p)); n < 8 || n > 128 {
		return errField("password", "must be 8–128 characters")
	}
	return nil
}

func checkRoles(roles []string) error {
	for _, r := range roles {
		if !rolePattern.MatchString(r) {
			return errField("roles", "%q is not a role: lower-case letters, digits, _ and -, starting with a letter", r)
		}
	}
	if len(roles) > 32 {
		return errField("roles", "at most 32 roles")
	}
	return nil
}

func checkProjects(ps []string) error {
	for _, p := range ps {
		if _, err := uuid.Parse(p); err != nil {
			return errField("projects", "%q is not a UUID", p)
		}
	}
	if len(ps) > 256 {
		return errField("projects", "at most 256 projects")
	}
	return nil
}

func beyondUser(roles []string) bool {
	return slices.ContainsFunc(roles, func(r string) bool { return r != "user" })
}

// ---- handlers ----

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (a *API) byIndex(ctx context.Context, field, value string) (*tenancyv1alpha1.Account, error) {
	return people.ByIndex[*tenancyv1alpha1.Account](ctx, a.Client, field, value)
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) {
	if _, err := a.caller(r, true); err != nil {
		fail(w, err)
		return
	}
	q := r.URL.Query()
	page, count := 0, 50
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			fail(w, errField("page", "must be an integer of at least 0"))
			return
		}
		page = n
	}
	if v := q.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			fail(w, errField("count", "must be an integer from 1 to 1000"))
			return
		}
		count = n
	}
	list := &tenancyv1alpha1.AccountList{}
	if err := a.Client.List(r.Context(), list); err != nil {
		fail(w, err)
		return
	}
	items := slices.DeleteFunc(list.Items, func(x tenancyv1alpha1.Account) bool {
		return x.DeletionTimestamp != nil || x.Spec.AccountID == ""
	})
	slices.SortFunc(items, func(x, y tenancyv1alpha1.Account) int { return cmp.Compare(x.Spec.ID, y.Spec.ID) })
	maxPage := 0
	if len(items) > 0 {
		maxPage = (len(items) - 1) / count
	}
	users := []string{}
	lo := min(page*count, len(items))
	for _, x := range items[lo:min(lo+count, len(items))] {
		users = append(users, x.Spec.AccountID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"max_page": maxPage, "users": users})
}

// target finds the user {uuid} that the caller may manage.
func (a *API) target(r *http.Request, id string) (*caller, *tenancyv1alpha1.Account, error) {
	c, err := a.caller(r, true)
	if err != nil {
		return nil, nil, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, nil, errStatus(http.StatusNotFound, "user not found", "no user "+id)
	}
	acct, err := people.ByIndex[*tenancyv1alpha1.Account](r.Context(), a.Client, index.AccountID, strings.ToLower(id))
	if err != nil {
		return nil, nil, err
	}
	if acct == nil {
		return nil, nil, errStatus(http.StatusNotFound, "user not found", "no user "+id)
	}
	if !c.mayManage(acct) {
		return nil, nil, errStatus(http.StatusForbidden, "forbidden", "only the user or an administrator may do this")
	}
	return c, acct, nil
}

func projectsOf(acct *tenancyv1alpha1.Account) []string {
	ps := []string{}
	if v := acct.Annotations[AnnotationProjects]; v != "" {
		_ = json.Unmarshal([]byte(v), &ps)
	}
	return ps
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, id string) {
	_, acct, err := a.target(r, id)
	if err != nil {
		fail(w, err)
		return
	}
	var sur *string
	if v, ok := acct.Annotations[AnnotationSurName]; ok && v != "" {
		sur = &v
	}
	roles := acct.Spec.Roles
	if roles == nil {
		roles = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": acct.Spec.AccountID, "nick_name": cmp.Or(acct.Spec.Profile.NickName, acct.Spec.Login),
		"first_name": acct.Spec.Profile.FirstName, "last_name": acct.Spec.Profile.LastName, "sur_name": sur,
		"email": acct.Spec.Profile.Email, "roles": roles, "projects": projectsOf(acct),
		"active_tasks": []string{}, "active_sessions": []string{},
	})
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request, id string) {
	c, acct, err := a.target(r, id)
	if err != nil {
		fail(w, err)
		return
	}
	var body struct {
		FirstName *string  `json:"first_name"`
		LastName  *string  `json:"last_name"`
		SurName   *string  `json:"sur_name"`
		Email     *string  `json:"email"`
		Password  *string  `json:"password"`
		Projects  []string `json:"projects"`
		Roles     []string `json:"roles"`
	}
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	if body.Email != nil && (!emailPattern.MatchString(*body.Email) || len(*body.Email) > 254) {
		fail(w, errField("email", "is not an e-mail address"))
		return
	}
	if err := cmp.Or(checkName("first_name", body.FirstName), checkName("last_name", body.LastName),
		checkName("sur_name", body.SurName), checkRoles(body.Roles), checkProjects(body.Projects)); err != nil {
		fail(w, err)
		return
	}
	if body.Password != nil {
		if err := checkPassword(*body.Password); err != nil {
			fail(w, err)
			return
		}
	}
	upd := acct.DeepCopy()
	if body.Roles != nil {
		roles := slices.Clone(body.Roles)
		slices.Sort(roles)
		roles = slices.Compact(roles)
		if !c.admin && beyondUser(roles) && !slices.Equal(roles, sortedCopy(acct.Spec.Roles)) {
			fail(w, errStatus(http.StatusForbidden, "forbidden", "only an administrator may grant roles other than \"user\""))
			return
		}
		upd.Spec.Roles = roles
	}
	if body.Email != nil && !strings.EqualFold(*body.Email, acct.Spec.Profile.Email) {
		if other, err := a.byIndex(r.Context(), IndexEmail, strings.ToLower(*body.Email)); err != nil {
			fail(w, err)
			return
		} else if other != nil {
			fail(w, errEmailTaken(*body.Email))
			return
		}
		upd.Spec.Profile.Email = *body.Email
		// Set here, the e-mail is a sign-in name: admission claims it.
		if upd.Labels == nil {
			upd.Labels = map[string]string{}
		}
		upd.Labels[tenancyv1alpha1.LabelEmailLogin] = "true"
	}
	if body.FirstName != nil {
		upd.Spec.Profile.FirstName = *body.FirstName
	}
	if body.LastName != nil {
		upd.Spec.Profile.LastName = *body.LastName
	}
	if body.SurName != nil || body.Projects != nil {
		if upd.Annotations == nil {
			upd.Annotations = map[string]string{}
		}
		if body.SurName != nil {
			upd.Annotations[AnnotationSurName] = *body.SurName
		}
		if body.Projects != nil {
			raw, _ := json.Marshal(body.Projects)
			upd.Annotations[AnnotationProjects] = string(raw)
		}
	}
	if !equalAccount(acct, upd) {
		if err := a.Client.Patch(r.Context(), upd, client.MergeFrom(acct)); err != nil {
			if people.IsDuplicate(err, emailField) {
				fail(w, errEmailTaken(*body.Email))
				return
			}
			fail(w, people.ClassifyWrite(err))
			return
		}
		_ = credential.WaitVisible(r.Context(), a.Client, upd)
	}
	if body.Password != nil {
		if err := people.SetPassword(r.Context(), a.Client, upd, *body.Password); err != nil {
			fail(w, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "user updated"})
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, id string) {
	_, acct, err := a.target(r, id)
	if err != nil {
		fail(w, err)
		return
	}
	if err := a.Client.Delete(r.Context(), acct.DeepCopy(), client.Preconditions{UID: &acct.UID}); client.IgnoreNotFound(err) != nil {
		fail(w, people.ClassifyWrite(err))
		return
	}
	_ = people.WaitDeleted(r.Context(), a.Client, acct)
	writeJSON(w, http.StatusOK, map[string]string{"status": "user removed"})
}

// ---- access tokens ----

func (a *API) tokenResponse(w http.ResponseWriter, acct *tenancyv1alpha1.Account) {
	tok, claims, err := a.Sessions.Issue(acct, jwt.AudienceIdentity, TokenTTL)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "exp": claims.ExpiresAt.Unix(), "user_id": acct.Spec.AccountID})
}

func (a *API) signIn(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email    *string `json:"email"`
		NickName *string `json:"nick_name"`
		Password *string `json:"password"`
	}
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	who := cmp.Or(deref(body.Email), deref(body.NickName))
	switch {
	case who == "":
		fail(w, errField("email", "email or nick_name is required"))
		return
	case utf8.RuneCountInString(who) > 254: // the longest e-mail address; logins and nick names are shorter
		fail(w, errField("email", "email or nick_name must be at most 254 characters"))
		return
	case body.Password == nil || *body.Password == "":
		fail(w, errField("password", "is required"))
		return
	}
	login, err := a.loginOf(r.Context(), who)
	if err != nil {
		fail(w, err)
		return
	}
	p, err := a.Auth.Password(r, login, *body.Password)
	if err != nil {
		fail(w, err)
		return
	}
	a.tokenResponse(w, p.Account)
}

// loginOf resolves an e-mail address or nick name to a login; an unknown one is returned as
// it is, so that the password check still spends its dummy hash.
func (a *API) loginOf(ctx context.Context, who string) (string, error) {
	if strings.Contains(who, "@") {
		acct, err := a.byEmail(ctx, who)
		if err != nil {
			return "", err
		}
		if acct != nil {
			return acct.Spec.Login, nil
		}
	}
	for _, l := range []struct{ field, value string }{{index.AccountLogin, who}, {IndexNickName, who}} {
		acct, err := a.byIndex(ctx, l.field, l.value)
		if err != nil {
			return "", err
		}
		if acct != nil {
			return acct.Spec.Login, nil
		}
	}
	return who, nil
}

func (a *API) refresh(w http.ResponseWriter, r *http.Request) {
	var body struct {
		AccessToken *string `json:"access_token"`
	}
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	if body.AccessToken == nil || *body.AccessToken == "" {
		fail(w, errField("access_token", "is required"))
		return
	}
	s, err := a.Sessions.Verify(r.Context(), *body.AccessToken, jwt.AudienceIdentity)
	if err != nil {
		fail(w, err)
		return
	}
	a.tokenResponse(w, s.Account)
}

// signOut is Tessera's addition: DELETE /access_token revokes the token in the Authorization
// header (or in the body's access_token) at once, on every replica.
func (a *API) signOut(w http.ResponseWriter, r *http.Request) {
	tok := rest.SessionToken(r.Header.Get("Authorization"))
	if tok == "" && r.ContentLength != 0 {
		var body struct {
			AccessToken *string `json:"access_token"`
		}
		if err := decode(r, &body); err != nil {
			fail(w, err)
			return
		}
		tok = deref(body.AccessToken)
	}
	if tok == "" {
		fail(w, errField("access_token", "is required (Authorization: Bearer <access_token>)"))
		return
	}
	s, err := a.Sessions.Verify(r.Context(), tok, jwt.AudienceIdentity)
	if err != nil {
		fail(w, err)
		return
	}
	if err := a.Sessions.Revoke(r.Context(), s.Claims); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "token revoked"})
}
