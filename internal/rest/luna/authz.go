package luna

import (
	"context"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/principal"
)

// Who may do what (the OpenAPI document's description says the same):
//
//   - Open without credentials: /version, /healthcheck, /1/docs/*, /1/verifier (and, outside this
//     package, /.well-known/* and /metrics). Everything else needs Basic or Bearer credentials.
//   - An admin-type account (Basic) manages every account and every token.
//   - advanced_user and user accounts (Basic) see and manage only themselves and their own tokens:
//     they may not create accounts nor change their own account_type; user accounts may not
//     create tokens with visibility_area "all" (41009).
//   - A token (Bearer) acts as its account within its permissions: its "token" verbs gate
//     /1/tokens (view GET, creation POST, modification PUT/PATCH, deletion DELETE); it may GET
//     every account only when its visibility_area is "all" and its account is not a user
//     account (else only its own); it never creates, modifies or deletes accounts.
//   - Accounts under a Group lock are refused at authentication (90004, naming the Group).
//
// What a caller may not see answers as not found (28001, 41003), so that existence does not
// leak; what it may see but not change answers 403 (90003).

// The policies below are Luna's, phrased over the shared principal (internal/principal): the
// handlers receive it as c, the caller.

// isAdmin reports an admin-type account, whatever the credential.
func isAdmin(c *principal.Principal) bool { return c.IsAccountType(tenancyv1alpha1.AccountTypeAdmin) }

// visibilityAll reports a token that may read every account: its visibility_area is "all" and
// its account is not a user account.
func visibilityAll(c *principal.Principal) bool {
	return c.VisibilityAll() && !c.IsAccountType(tenancyv1alpha1.AccountTypeUser)
}

// canSeeAccount: itself; any account for an admin (Basic) or a token with visibility "all".
func canSeeAccount(c *principal.Principal, a *tenancyv1alpha1.Account) bool {
	if c.IsSelf(a) {
		return true
	}
	if c.IsToken() {
		return visibilityAll(c)
	}
	return isAdmin(c)
}

// mayWriteAccount: never with a token; an admin any account; others only themselves.
func mayWriteAccount(c *principal.Principal, a *tenancyv1alpha1.Account) *apiError {
	if c.IsToken() {
		return errForbidden("a token may not create, modify or delete accounts; sign in with the account's login and password")
	}
	if isAdmin(c) || c.IsSelf(a) {
		return nil
	}
	return errForbidden("only an admin account may change other accounts")
}

// tokenVerb gates /1/tokens for Bearer callers by the token's own "token" permission.
func tokenVerb(c *principal.Principal, verb tenancyv1alpha1.CRUDVerb) *apiError {
	if c.TokenVerb(verb) {
		return nil
	}
	return errForbidden("the token lacks the '" + string(verb) + "' permission on tokens")
}

// canSeeTokenOf: tokens of the caller's own account; every token for an admin account (through a
// token only when its visibility_area is "all").
func canSeeTokenOf(c *principal.Principal, a *tenancyv1alpha1.Account) bool {
	if c.IsSelf(a) {
		return true
	}
	if !isAdmin(c) {
		return false
	}
	return !c.IsToken() || visibilityAll(c)
}

// mayManageTokenOf: tokens of the caller's own account; every token for an admin account.
func mayManageTokenOf(c *principal.Principal, a *tenancyv1alpha1.Account) bool {
	return c.IsSelf(a) || isAdmin(c)
}

type handler func(w http.ResponseWriter, r *http.Request, c *principal.Principal) error

// authed authenticates the request and runs h for the principal.
func (a *API) authed(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if a.Auth == nil {
			writeErr(w, r, errUnavailable("authentication is not configured"))
			return
		}
		p, err := a.Auth.Authenticate(r)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		if p == nil {
			writeErr(w, r, errUnauthenticated("credentials are required: Authorization: Basic (login:password) or Bearer (a token)"))
			return
		}
		if err := h(w, r, p); err != nil {
			writeErr(w, r, err)
		}
	}
}

func (a *API) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// waitUntil polls cond until it holds or the wait timeout passes; it reports whether it held.
func (a *API) waitUntil(ctx context.Context, cond func(ctx context.Context) (bool, error)) (bool, error) {
	timeout := a.WaitTimeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, timeout, true, cond)
	if err != nil {
		if wait.Interrupted(err) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}
