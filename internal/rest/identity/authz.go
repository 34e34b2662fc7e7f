package identity

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/verify"
)

// Who may do what (openapi.yaml's description says the same):
//
//   - Open without credentials: GET /ping, GET /docs/spec, POST /access_token (sign-in with an
//     e-mail address or nick name and a password). PUT /access_token (refresh) and DELETE
//     /access_token (sign-out) take the access token they act on as their credential.
//   - POST /user (registration) is open; an administrator's token may grant roles other than
//     "user" and, with RequireApproval, registers the user approved.
//   - Everything else needs an access token: Authorization: Bearer <access_token> (or the bare
//     token). GET /users lists every user's id for any valid token.
//   - Administrators are users with the role "admin" or "root", Luna admin Accounts and
//     administrators of the root Group. They read, update and delete every user and grant
//     any role.
//   - Everyone else reads, updates and deletes only themselves (403 for another user) and may
//     not take roles other than "user" they do not hold already.
//   - A disabled, unapproved or deleted user, or one under a Group lock, is refused at
//     authentication (verify.Sessions).

// caller is the signed-in user of a request.
type caller struct {
	acct  *tenancyv1alpha1.Account
	admin bool
}

// isAdmin is nil-safe: registration runs without a caller.
func (c *caller) isAdmin() bool { return c != nil && c.admin }

func (c *caller) mayManage(acct *tenancyv1alpha1.Account) bool {
	return c.admin || (c.acct.Namespace == acct.Namespace && c.acct.Name == acct.Name)
}

// mayHoldRoles: an administrator grants anything; others keep the roles a user holds or ask
// for "user" only. roles and held need not be sorted.
func (c *caller) mayHoldRoles(roles, held []string) bool {
	return c.isAdmin() || !slices.ContainsFunc(roles, func(r string) bool { return r != "user" }) ||
		slices.Equal(sortedSet(roles), sortedSet(held))
}

// administers: the identity API's administrators (above).
func (a *API) administers(ctx context.Context, acct *tenancyv1alpha1.Account) (bool, error) {
	if slices.Contains(acct.Spec.Roles, "admin") || slices.Contains(acct.Spec.Roles, "root") ||
		acct.Spec.Type == tenancyv1alpha1.AccountTypeAdmin {
		return true, nil
	}
	return people.IsSystemAdmin(ctx, a.Client, acct)
}

// authenticate returns the caller of the request's access token, or nil without an
// Authorization header.
func (a *API) authenticate(r *http.Request) (*caller, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil
	}
	tok := rest.SessionToken(h)
	if tok == "" {
		return nil, errBadAuthorization()
	}
	s, err := a.Sessions.Verify(r.Context(), tok, jwt.AudienceIdentity)
	if err != nil {
		return nil, err
	}
	admin, err := a.administers(r.Context(), s.Account)
	return &caller{acct: s.Account, admin: admin}, err
}

type (
	openHandler    func(w http.ResponseWriter, r *http.Request) error
	handler        func(w http.ResponseWriter, r *http.Request, c *caller) error
	userHandler    func(w http.ResponseWriter, r *http.Request, c *caller, user *tenancyv1alpha1.Account) error
	sessionHandler func(w http.ResponseWriter, r *http.Request, s *verify.Session) error
)

// open runs an endpoint without credentials; its error goes to the writer.
func open(h openHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeErr(w, err)
		}
	}
}

// authed requires an access token and runs h for its user.
func (a *API) authed(h handler) http.HandlerFunc {
	return open(func(w http.ResponseWriter, r *http.Request) error {
		c, err := a.authenticate(r)
		switch {
		case err != nil:
			return err
		case c == nil:
			return errTokenRequired()
		}
		return h(w, r, c)
	})
}

// authedOrAnonymous runs h for the access token's user, or for nil without an Authorization
// header; a bad token is refused, not taken as anonymous.
func (a *API) authedOrAnonymous(h handler) http.HandlerFunc {
	return open(func(w http.ResponseWriter, r *http.Request) error {
		c, err := a.authenticate(r)
		if err != nil {
			return err
		}
		return h(w, r, c)
	})
}

// ownOrAdmin finds the user {id} and runs h when the caller may manage it. An id that is no
// UUID is a user that does not exist.
func (a *API) ownOrAdmin(h userHandler) handler {
	return func(w http.ResponseWriter, r *http.Request, c *caller) error {
		id := r.PathValue("id")
		if _, err := uuid.Parse(id); err != nil {
			return errUserNotFound("no user " + id)
		}
		user, err := people.ByIndex[*tenancyv1alpha1.Account](r.Context(), a.Client, index.AccountID, strings.ToLower(id))
		switch {
		case err != nil:
			return err
		case user == nil:
			return errUserNotFound("no user " + id)
		case !c.mayManage(user):
			return errForbidden("only the user or an administrator may do this")
		}
		return h(w, r, c, user)
	}
}

// withSession verifies the access token tokenOf finds in the request and runs h for its
// session: the token is both the credential and what h acts on.
func (a *API) withSession(tokenOf func(r *http.Request) (string, error), h sessionHandler) http.HandlerFunc {
	return open(func(w http.ResponseWriter, r *http.Request) error {
		tok, err := tokenOf(r)
		if err != nil {
			return err
		}
		s, err := a.Sessions.Verify(r.Context(), tok, jwt.AudienceIdentity)
		if err != nil {
			return err
		}
		return h(w, r, s)
	})
}
