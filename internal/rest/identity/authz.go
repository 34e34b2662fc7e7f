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
	"github.com/tessera-dev/tessera/internal/principal"
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
//     authentication (rest.Authenticator.Session, through verify.Sessions).

// The policies below are the identity API's, phrased over the shared principal
// (internal/principal): the handlers receive it as p, the caller, nil for an anonymous
// registration.

// isAdministrator answers the identity API's administrator question (above). It is nil-safe:
// registration runs without a principal.
func isAdministrator(ctx context.Context, p *principal.Principal) (bool, error) {
	switch {
	case p == nil:
		return false, nil
	case slices.Contains(p.Account.Spec.Roles, "admin"), slices.Contains(p.Account.Spec.Roles, "root"),
		p.IsAccountType(tenancyv1alpha1.AccountTypeAdmin):
		return true, nil
	}
	return p.IsSystemAdmin(ctx)
}

// mayManage: the user itself, or an administrator.
func mayManage(ctx context.Context, p *principal.Principal, user *tenancyv1alpha1.Account) error {
	if p.IsSelf(user) {
		return nil
	}
	if admin, err := isAdministrator(ctx, p); err != nil || admin {
		return err
	}
	return errForbidden("only the user or an administrator may do this")
}

// mayHoldRoles: an administrator grants anything; others keep the roles a user holds or ask
// for "user" only. roles and held need not be sorted.
func mayHoldRoles(ctx context.Context, p *principal.Principal, roles, held []string) error {
	if !slices.ContainsFunc(roles, func(r string) bool { return r != "user" }) ||
		slices.Equal(sortedSet(roles), sortedSet(held)) {
		return nil
	}
	if admin, err := isAdministrator(ctx, p); err != nil || admin {
		return err
	}
	return errRolesReserved()
}

type (
	openHandler    func(w http.ResponseWriter, r *http.Request) error
	handler        func(w http.ResponseWriter, r *http.Request, p *principal.Principal) error
	userHandler    func(w http.ResponseWriter, r *http.Request, p *principal.Principal, user *tenancyv1alpha1.Account) error
	sessionHandler func(w http.ResponseWriter, r *http.Request, s *verify.Session) error
)

// open runs an endpoint without credentials; its error goes to the writer.
func open(h openHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeErr(w, r, err)
		}
	}
}

// principalOf authenticates the request's access token (Bearer or bare), or returns nil
// without an Authorization header.
func (a *API) principalOf(r *http.Request) (*principal.Principal, error) {
	if a.Auth == nil {
		return nil, verify.ErrUnavailable
	}
	return a.Auth.Session(r, jwt.AudienceIdentity)
}

// authed requires an access token and runs h for its principal.
func (a *API) authed(h handler) http.HandlerFunc {
	return open(func(w http.ResponseWriter, r *http.Request) error {
		p, err := a.principalOf(r)
		switch {
		case err != nil:
			return err
		case p == nil:
			return errTokenRequired()
		}
		return h(w, r, p)
	})
}

// authedOrAnonymous runs h for the access token's principal, or for nil without an
// Authorization header; a bad token is refused, not taken as anonymous.
func (a *API) authedOrAnonymous(h handler) http.HandlerFunc {
	return open(func(w http.ResponseWriter, r *http.Request) error {
		p, err := a.principalOf(r)
		if err != nil {
			return err
		}
		return h(w, r, p)
	})
}

// ownOrAdmin finds the user {id} and runs h when the caller may manage it. An id that is no
// UUID is a user that does not exist.
func (a *API) ownOrAdmin(h userHandler) handler {
	return func(w http.ResponseWriter, r *http.Request, p *principal.Principal) error {
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
		}
		if err := mayManage(r.Context(), p, user); err != nil {
			return err
		}
		return h(w, r, p, user)
	}
}

// withSession verifies the access token tokenOf finds in the request and runs h for its
// session: the token is both the credential and what h acts on (it may come from the body,
// which rest.Authenticator does not read).
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
