package ote

import (
	"context"
	"net/http"
	"time"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/principal"
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

// The policies below are ote-stack's, phrased over the shared principal (internal/principal):
// the handlers receive it as c, the caller. Its Admin grants are read once per request.

// Roles of GET /v1/authorization.
const (
	rolePending       = 0
	roleNoBusiness    = 1
	roleGeneralUser   = 2
	roleBusinessAdmin = 3
	roleSystemAdmin   = 4
)

// administers reports an Admin grant on the caller's own Group: in a business, a general
// administrator; in the root Group, a system administrator.
func administers(ctx context.Context, c *principal.Principal) (bool, error) {
	g, err := c.GrantOn(ctx, c.Group())
	return g != nil, err
}

func role(ctx context.Context, c *principal.Principal) (int, error) {
	if a := c.Account.Spec.Approval; a != "" && a != tenancyv1alpha1.ApprovalApproved {
		return rolePending, nil
	}
	admin, err := administers(ctx, c)
	switch {
	case err != nil:
		return 0, err
	case admin && c.Group() == tenancyv1alpha1.RootGroupName:
		return roleSystemAdmin, nil
	case c.Group() == tenancyv1alpha1.RootGroupName:
		return roleNoBusiness, nil
	case admin:
		return roleBusinessAdmin, nil
	}
	return roleGeneralUser, nil
}

// business is the caller's business Group, "" when it has none.
func business(c *principal.Principal) string {
	if g := c.Group(); g != tenancyv1alpha1.RootGroupName {
		return g
	}
	return ""
}

// systemOnly refuses callers other than a system administrator the action.
func systemOnly(ctx context.Context, c *principal.Principal, action string) error {
	system, err := c.IsSystemAdmin(ctx)
	if err == nil && !system {
		err = errForbidden("only a system administrator may %s", action)
	}
	return err
}

// mayCreateBusiness: see the policy. What moving the Account would lose is for the handler to
// ask (credential.Held), after the body is valid.
func mayCreateBusiness(ctx context.Context, c *principal.Principal) error {
	if business(c) != "" {
		return errForbidden("you already belong to a business")
	}
	if system, err := c.IsSystemAdmin(ctx); err != nil {
		return err
	} else if system {
		return errForbidden("a system administrator administers every business and owns none")
	}
	if c.Account.Annotations[AnnotationIsAdmin] != flagSet {
		return errForbidden("only an administrator (registered with isAdmin=true) may create a business")
	}
	return nil
}

// mayReadBusiness: a system administrator every business, others their own.
func mayReadBusiness(ctx context.Context, c *principal.Principal, g *tenancyv1alpha1.Group) (bool, error) {
	if g.Name == business(c) {
		return true, nil
	}
	return c.IsSystemAdmin(ctx)
}

// inScope reports whether the administrator c may manage acct: a system administrator every
// Account, a general administrator those of its business and the Groups below it.
func inScope(ctx context.Context, c *principal.Principal, acct *tenancyv1alpha1.Account) (bool, error) {
	if system, err := c.IsSystemAdmin(ctx); system || err != nil {
		return system, err
	}
	g, err := c.GrantOn(ctx, tenancyv1alpha1.GroupOfNamespace(acct.Namespace))
	return g != nil, err
}

// handler serves a request for a signed-in caller.
type handler func(w http.ResponseWriter, r *http.Request, c *principal.Principal) error

// open runs h, which needs no token.
func open(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeErr(w, r, err)
		}
	}
}

// session authenticates the request's token and runs h for its caller.
func (a *API) session(h handler) http.HandlerFunc {
	return open(func(w http.ResponseWriter, r *http.Request) error {
		c, err := a.authenticate(r)
		if err != nil {
			return err
		}
		return h(w, r, c)
	})
}

// admin is session for general and system administrators only.
func (a *API) admin(h handler) http.HandlerFunc {
	return a.session(func(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
		if admin, err := administers(r.Context(), c); err != nil {
			return err
		} else if !admin {
			return errForbidden("only a general or system administrator may do this")
		}
		return h(w, r, c)
	})
}

// tokenRequired says what Authorization must carry, when it carries nothing usable.
const tokenRequired = "the Authorization header must carry a token (raw or Bearer)"

// authenticate verifies the ote-stack session token, raw or Bearer, in the Authorization header
// through the shared authenticator.
func (a *API) authenticate(r *http.Request) (*principal.Principal, error) {
	if a.Auth == nil {
		return nil, errUnavailable("authentication is not configured", time.Second)
	}
	c, err := a.Auth.Session(r, jwt.AudienceOTE)
	if err == nil && c == nil {
		err = errUnauthorized(tokenRequired)
	}
	return c, err
}
