package portal

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/verify"
)

// Portal sessions: the SESSION cookie holds a session JWT (audience jwt.AudiencePortalSession)
// that POST /login and GET /login?jwt= issue. No object is written per sign-in; a sign-out puts
// the session's jti on the shared revocation list, which every replica consults.

// authRoutes are the family of sign-in and sessions: sign-in and sign-out, profiles, forward
// auth, account routing and the IP allow-lists.
func (a *API) authRoutes() []route {
	return slices.Concat(a.loginRoutes(), a.profileRoutes(), a.checkAuthRoutes(), a.routingRoutes(), a.logonIPRoutes())
}

// SessionCookie is the seed's session cookie.
const SessionCookie = "SESSION"

// SessionTTL is how long a session from POST /login lasts. Use does not extend it; one from
// GET /login?jwt= ends when its JWT would have.
const SessionTTL = 8 * time.Hour

// sessionCookie is the SESSION cookie as a credential; (nil, nil) without one. Only a value
// shaped like a JWT counts, so that another application's SESSION cookie on the same host
// (Spring Session's, say) leaves the request to its other credentials.
func (a *API) sessionCookie(r *http.Request) (*principal.Principal, error) {
	raw := sessionToken(r)
	if raw == "" {
		return nil, nil
	}
	return a.Auth.SessionOf(r.Context(), raw, jwt.AudiencePortalSession)
}

func sessionToken(r *http.Request) string {
	for _, c := range r.CookiesNamed(SessionCookie) {
		if strings.Count(c.Value, ".") == 2 {
			return c.Value
		}
	}
	return ""
}

// portalSession returns the SESSION claims of a principal authenticated by the cookie; nil for
// every other credential.
func portalSession(p *principal.Principal) *jwt.SessionClaims {
	if p == nil || p.Credential != principal.Session || p.Session == nil || p.Session.Audience != jwt.AudiencePortalSession {
		return nil
	}
	return p.Session
}

// chosenGrants narrows an Account's grants to the one its portal session or JWT acts as (its
// adminId claim, picked by user_id at sign-in); all of them when it names none. A grant since
// removed leaves none: the session then acts without a role.
func chosenGrants(p *principal.Principal, grants []principal.Grant) []principal.Grant {
	if p.Session == nil || p.Session.Portal == nil || p.Session.Portal.AdminID == 0 {
		return grants
	}
	for _, g := range grants {
		if g.Admin.Spec.ID == p.Session.Portal.AdminID {
			return []principal.Grant{g}
		}
	}
	return nil
}

// startSession signs acct in for ttl with the portal's claims and sets the SESSION cookie.
// When the request carried a session of the same Account (a switch to another of its grants),
// that one is signed out; a session of another Account is refused (the seed's 401 "cannot
// switch session to user with different identity").
func (a *API) startSession(w http.ResponseWriter, r *http.Request, acct *tenancyv1alpha1.Account, claims *jwt.PortalClaims,
	ttl time.Duration) error {
	if a.Auth.Sessions == nil {
		return verify.ErrUnavailable
	}
	var previous *jwt.SessionClaims
	if raw := sessionToken(r); raw != "" {
		if s, err := a.Auth.Sessions.Verify(r.Context(), raw, jwt.AudiencePortalSession); err == nil {
			if s.Account.Spec.AccountID != acct.Spec.AccountID {
				return errApp(http.StatusUnauthorized, "cannot switch session to user with different identity")
			}
			previous = s.Claims
		}
	}
	tok, issued, err := a.Auth.Sessions.IssuePortal(acct, jwt.AudiencePortalSession, ttl, claims)
	if err != nil {
		return err
	}
	if previous != nil {
		if err := a.Auth.Sessions.Revoke(r.Context(), previous); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: tok, Path: Prefix, Expires: issued.ExpiresAt,
		MaxAge: int(issued.ExpiresAt.Sub(issued.IssuedAt) / time.Second), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: overTLS(r, a.TrustedProxies)})
	return nil
}

// clearSession tells the browser to drop the SESSION cookie.
func (a *API) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: Prefix, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: overTLS(r, a.TrustedProxies)})
}

// portalClaims are the claims of a session or JWT for acct in the group groupID acting as the grant
// adminID (0: all its grants).
func portalClaims(acct *tenancyv1alpha1.Account, groupID, adminID int64) *jwt.PortalClaims {
	pr := acct.Spec.Profile
	return &jwt.PortalClaims{Login: acct.Spec.Login, Email: pr.Email, Name: strings.TrimSpace(pr.FirstName + " " + pr.LastName),
		TenantID: strconv.FormatInt(groupID, 10), AdminID: adminID}
}
