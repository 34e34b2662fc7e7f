package portal

import (
	"context"
	"net/http"
	"strings"

	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/rest"
)

// accessTokenPattern is the one route that takes the seed's oauth2 ?access_token=.
const accessTokenPattern = "GET " + Prefix + "/groups/{group}"

// portalJWT is a JWT the portal issued, as a credential: "Authorization: Bearer <jwt>", or
// ?jwt=<jwt> on any route ("add jwt=... to most requests"), or ?access_token=<jwt> on GET
// /groups/{group} only (the seed's oauth2 scheme). The first of them present is the one
// checked; an empty one is refused rather than skipped.
func (a *API) portalJWT(r *http.Request) (*principal.Principal, error) {
	raw, found := "", false
	q := r.URL.Query()
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		raw, found = strings.TrimSpace(tok), true
	} else if q.Has("jwt") {
		raw, found = q.Get("jwt"), true
	} else if q.Has("access_token") && r.Pattern == accessTokenPattern {
		raw, found = q.Get("access_token"), true
	}
	switch {
	case !found:
		return nil, nil
	case raw == "":
		return nil, rest.ErrBadAuthorization
	}
	return a.Auth.PortalJWT(r.Context(), raw)
}

// actingGrants are the Admin grants a principal acts with. A portal JWT (or session) that
// names an Admin (adminId) acts as that grant only — its access type, its group — and fails
// (401) once the grant is gone; a portal JWT that names none (a service user's) acts with no
// grant at all, even if its Account has gained one since. Other credentials act with every
// grant of their Account.
func actingGrants(ctx context.Context, p *principal.Principal) ([]principal.Grant, error) {
	grants, err := p.Grants(ctx)
	if err != nil || p.Session == nil || p.Session.Portal == nil {
		return grants, err
	}
	id := p.Session.Portal.AdminID
	if id == 0 {
		if p.Session.Audience == jwt.AudiencePortal {
			return nil, nil
		}
		return grants, nil
	}
	for _, g := range grants {
		if g.Admin.Spec.ID == id {
			return []principal.Grant{g}, nil
		}
	}
	return nil, newErr(http.StatusUnauthorized, "the administrator %d the token acts as no longer exists", id)
}
