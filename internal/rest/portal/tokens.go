package portal

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	logf "sigs.k8s.io/controller-runtime/pkg/log"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/jwt"
)

// Who may have a portal JWT issued (jwt, impersonate), beyond each route's AllowedTo:
//
//   - for oneself, always (a locked, disabled or unapproved account gets none);
//   - for another admin: an administrator with write access at a strict ancestor of the
//     target's group (the admins of one group are peers); impersonation also lets a root_admin
//     with write access impersonate any admin;
//   - for a service user: an administrator with write access at or above its group (jwt);
//     impersonation is root_admin's only.
//
// A token issued for anyone but the caller carries act (RFC 8693) with the login of the one
// behind it, and is logged.

// portalJWTLifetime is how long an issued JWT is valid (the seed's example: exp = iat + 1 h).
const portalJWTLifetime = time.Hour

// Bounds of the scope parameter.
const (
	maxScopes      = 32
	maxScopeLength = 128
)

// adminJWT is GET /admins/{admin}/jwt?scope=: a JWT acting as that admin grant.
func (a *API) adminJWT(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := a.adminParam(r, c)
	if err != nil {
		return err
	}
	scope, err := scopeParam(r)
	if err != nil {
		return err
	}
	if err := mayIssueForAdmin(c, p, false); err != nil {
		return err
	}
	return a.answerJWT(w, r, c, p, scope)
}

// impersonateAdmin is GET /admins/{admin}/impersonate (the seed annotates no AllowedTo).
func (a *API) impersonateAdmin(w http.ResponseWriter, r *http.Request, c *caller) error {
	if c.role == "" {
		return errForbidden("only administrators may impersonate")
	}
	p, err := a.adminParam(r, c)
	if err != nil {
		return err
	}
	if err := mayIssueForAdmin(c, p, true); err != nil {
		return err
	}
	return a.answerJWT(w, r, c, p, []string{})
}

// mayIssueForAdmin says whether c may have a JWT issued acting as the admin p.
func mayIssueForAdmin(c *caller, p *person, impersonate bool) error {
	if c.IsSelf(p.Account) && !impersonate {
		return nil
	}
	if c.access&writeBit == 0 {
		return errForbidden("a JWT for another administrator needs write access")
	}
	if impersonate && c.role == tenancyv1alpha1.RoleRootAdmin {
		return nil
	}
	if p.Group.Name == c.home {
		return errForbidden("a JWT for another administrator needs an administrator above its group: admin %d is a peer",
			p.Admin.Spec.ID)
	}
	return nil
}

// userJWT is GET /users/{user}/jwt?scope=: a JWT acting as that service user.
func (a *API) userJWT(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := a.userParam(r, c)
	if err != nil {
		return err
	}
	scope, err := scopeParam(r)
	if err != nil {
		return err
	}
	if !c.IsSelf(p.Account) && c.access&writeBit == 0 {
		return errForbidden("a JWT for a service user needs write access")
	}
	return a.answerJWT(w, r, c, p, scope)
}

// impersonateUser is GET /users/{user}/impersonate (root_admin only).
func (a *API) impersonateUser(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := a.userParam(r, c)
	if err != nil {
		return err
	}
	return a.answerJWT(w, r, c, p, []string{})
}

// answerJWT issues the JWT and answers {"jwt": "..."}.
func (a *API) answerJWT(w http.ResponseWriter, r *http.Request, c *caller, p *person, scope []string) error {
	tok, err := a.issueJWT(r.Context(), c, p, scope)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"jwt": tok})
	return nil
}

// issueJWT signs a portal JWT (audience jwt.AudiencePortal, one hour) acting as p — as its
// Admin grant when p is an admin — with the seed's claims.
func (a *API) issueJWT(ctx context.Context, c *caller, p *person, scope []string) (string, error) {
	if a.Auth == nil || a.Auth.Sessions == nil {
		return "", newErr(http.StatusServiceUnavailable, "issuing JWTs is not configured")
	}
	if err := a.unlocked(ctx, p.Group.Name); err != nil {
		return "", err
	}
	acct := p.Account
	if acct.Spec.Disabled || hidden(acct) {
		return "", errForbidden("account %d may not act (disabled or not approved): it gets no JWT", acct.Spec.ID)
	}
	claims := &jwt.PortalClaims{Login: acct.Spec.Login, Email: acct.Spec.Profile.Email, Name: displayName(acct),
		TenantID: strconv.FormatInt(p.Group.Spec.ID, 10), Scope: scope}
	if p.Admin != nil {
		claims.AdminID = p.Admin.Spec.ID
	}
	if !c.IsSelf(acct) || c.actor() != c.Account.Spec.Login {
		claims.Actor = c.actor()
	}
	tok, sc, err := a.Auth.Sessions.IssuePortal(acct, jwt.AudiencePortal, portalJWTLifetime, claims)
	if err != nil {
		return "", err
	}
	if claims.Actor != "" {
		logf.FromContext(ctx).WithName("portal").Info("issued a JWT acting as another account", "actor", claims.Actor,
			"login", acct.Spec.Login, "account", acct.Namespace+"/"+acct.Name, "admin", claims.AdminID, "jti", sc.ID,
			"expires", sc.ExpiresAt)
	}
	return tok, nil
}

// actor is the login behind the caller: the act of the caller's own token when it
// impersonates, else its login.
func (c *caller) actor() string {
	if s := c.Session; s != nil && s.Portal != nil && s.Portal.Actor != "" {
		return s.Portal.Actor
	}
	return c.Account.Spec.Login
}

// scopeParam reads ?scope=, the seed's comma-separated list: items trimmed, empty ones and
// repeats dropped.
func scopeParam(r *http.Request) ([]string, error) {
	vals := r.URL.Query()["scope"]
	if len(vals) > 1 {
		return nil, errBadParam("scope", "give it once, as a comma-separated list")
	}
	out := []string{}
	if len(vals) == 0 {
		return out, nil
	}
	for s := range strings.SplitSeq(vals[0], ",") {
		s = strings.TrimSpace(s)
		switch {
		case s == "" || slices.Contains(out, s):
			continue
		case utf8.RuneCountInString(s) > maxScopeLength || strings.IndexFunc(s, isSpaceOrControl) >= 0:
			return nil, errBadParam("scope", "%q is no scope: at most %d characters, no spaces", s, maxScopeLength)
		}
		if out = append(out, s); len(out) > maxScopes {
			return nil, errBadParam("scope", "at most %d scopes", maxScopes)
		}
	}
	return out, nil
}

// maxLinkParam bounds the links parameters.
const maxLinkParam = 2048

// userLinks is GET /users/{user}/links?origin=&redirect_url=: the user's links. Tessera sells
// nothing, so there is no upsell link: quotas_upsell is null.
func (a *API) userLinks(w http.ResponseWriter, r *http.Request, c *caller) error {
	if _, err := a.userParam(r, c); err != nil {
		return err
	}
	q := r.URL.Query()
	for _, name := range []string{"origin", "redirect_url"} {
		if v := q[name]; len(v) > 1 || len(v) == 1 && (len(v[0]) > maxLinkParam || strings.IndexFunc(v[0], isSpaceOrControl) >= 0) {
			return errBadParam(name, "must be one value of at most %d characters without spaces", maxLinkParam)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"links": map[string]*string{"quotas_upsell": nil}})
	return nil
}
