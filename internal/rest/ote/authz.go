package ote

import (
	"net/http"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/verify"
)

// Who may do what:
//
//   - Open without a token: POST /v1/authorization (sign-in), POST /v1/user (self-registration,
//     pending until a system administrator approves), GET /v1/docs/spec. Everything else needs
//     an ote-stack session token in Authorization, raw or Bearer (session).
//   - Any signed-in user: refresh and sign out its token, read its role, change its password,
//     list and read its own business.
//   - Creating a business: an Account registered with isAdmin=true, in the root Group, in no
//     business, holding nothing that moving it would lose (mayCreateBusiness); it becomes the
//     business's general administrator.
//   - A general administrator (an Admin grant on its business Group) manages the users of its
//     business and the Groups below it; a system administrator (an Admin grant on the root
//     Group) every user (admin, inScope). Neither deletes itself or revokes its own approval.
//   - Only a system administrator audits users, approves businesses and reads every business
//     (systemOnly); it owns none.
//   - Accounts under a Group lock are refused at sign-in and token verification (423).
//
// A user or business outside the caller's reach answers 403, one that does not exist 404.

// Roles of GET /v1/authorization.
const (
	rolePending       = 0
	roleNoBusiness    = 1
	roleGeneralUser   = 2
	roleBusinessAdmin = 3
	roleSystemAdmin   = 4
)

// caller is a verified session with its place in the tenancy.
type caller struct {
	session *verify.Session
	acct    *tenancyv1alpha1.Account
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
	case c.group == tenancyv1alpha1.RootGroupName:
		return roleNoBusiness
	case c.admin:
		return roleBusinessAdmin
	}
	return roleGeneralUser
}

// business is the caller's business Group, "" when it has none.
func (c *caller) business() string {
	if c.group == tenancyv1alpha1.RootGroupName {
		return ""
	}
	return c.group
}

func (c *caller) isSelf(acct *tenancyv1alpha1.Account) bool {
	return acct.Name == c.acct.Name && acct.Namespace == c.acct.Namespace
}

// systemOnly refuses callers other than a system administrator the action.
func (c *caller) systemOnly(action string) error {
	if !c.system {
		return errForbidden("only a system administrator may %s", action)
	}
	return nil
}

// mayCreateBusiness: see the policy. What moving the Account would lose is for the handler to
// ask (credential.Held), after the body is valid.
func (c *caller) mayCreateBusiness() error {
	switch {
	case c.system:
		return errForbidden("a system administrator administers every business and owns none")
	case c.business() != "":
		return errForbidden("you already belong to a business")
	case c.acct.Annotations[AnnotationIsAdmin] != flagSet:
		return errForbidden("only an administrator (registered with isAdmin=true) may create a business")
	}
	return nil
}

// mayReadBusiness: a system administrator every business, others their own.
func (c *caller) mayReadBusiness(g *tenancyv1alpha1.Group) bool {
	return c.system || g.Name == c.business()
}

// inScope reports whether the administrator c may manage acct: a system administrator every
// Account, a general administrator those of its business and the Groups below it.
func (a *API) inScope(c *caller, acct *tenancyv1alpha1.Account) bool {
	if c.system {
		return true
	}
	return c.admin && a.Forest.IsAncestor(c.group, tenancyv1alpha1.GroupOfNamespace(acct.Namespace))
}

// handler serves a request for a signed-in caller.
type handler func(w http.ResponseWriter, r *http.Request, c *caller) error

// open runs h, which needs no token.
func open(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeErr(w, err)
		}
	}
}

// session verifies the request's token and runs h for its caller.
func (a *API) session(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := a.caller(r)
		if err == nil {
			err = h(w, r, c)
		}
		if err != nil {
			writeErr(w, err)
		}
	}
}

// admin is session for general and system administrators only.
func (a *API) admin(h handler) http.HandlerFunc {
	return a.session(func(w http.ResponseWriter, r *http.Request, c *caller) error {
		if !c.admin {
			return errForbidden("only a general or system administrator may do this")
		}
		return h(w, r, c)
	})
}

// caller verifies the token, raw or Bearer, in the Authorization header and finds the
// Account's place: its Group and whether it administers it.
func (a *API) caller(r *http.Request) (*caller, error) {
	tok := rest.SessionToken(r.Header.Get("Authorization"))
	if tok == "" {
		return nil, errUnauthorized("the Authorization header must carry a token (raw or Bearer)")
	}
	s, err := a.Sessions.Verify(r.Context(), tok, jwt.AudienceOTE)
	if err != nil {
		return nil, err
	}
	c := &caller{session: s, acct: s.Account, group: tenancyv1alpha1.GroupOfNamespace(s.Account.Namespace)}
	adm, err := people.AdminGrant(r.Context(), a.Client, s.Account)
	if err != nil {
		return nil, err
	}
	c.admin = adm != nil
	c.system = c.admin && c.group == tenancyv1alpha1.RootGroupName
	return c, nil
}
