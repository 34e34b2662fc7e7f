package portal

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/tessera-dev/tessera/internal/jwt"
)

// tesseraIdPID is the id of the one identity provider every portal account has: Tessera
// itself, which signs the portal's JWTs. Its uuid is derived from the issuer (a UUIDv5 in the
// URL namespace), so that every replica answers the same one.
const tesseraIdPID = 1

// idpView is GET /idp (idp_get_response) and Tessera's additions: the provider's id and uuid,
// the issuer of its JWTs and where its public keys are (JWKS). Tessera serves no password
// pages, so their URLs are null: passwords change through /actions.
type idpView struct {
	ID                int64   `json:"id"`
	UUID              string  `json:"uuid"`
	Domain            string  `json:"domain"`
	ChangePasswordURL *string `json:"changePasswordUrl"`
	ForgotPasswordURL *string `json:"forgotPasswordUrl"`
	ResetPasswordURL  *string `json:"resetPasswordUrl"`
	Issuer            string  `json:"issuer"`
	JWKSURI           string  `json:"jwks_uri"`
}

// identityProvider is Tessera's identity provider.
func (a *API) identityProvider() idpView {
	issuer := a.issuer()
	domain := issuer
	if u, err := url.Parse(issuer); err == nil && u.Hostname() != "" {
		domain = u.Hostname()
	}
	return idpView{ID: tesseraIdPID, UUID: uuid.NewSHA1(uuid.NameSpaceURL, []byte(issuer)).String(), Domain: domain,
		Issuer: issuer, JWKSURI: strings.TrimSuffix(issuer, "/") + jwt.JWKSPath}
}

func (a *API) issuer() string {
	if a.Auth == nil || a.Auth.Verifier == nil {
		return ""
	}
	return a.Auth.Verifier.Issuer
}

// getIdP is GET /idp?id=&uuid=: Tessera's identity provider, which both select (404 for any
// other; a malformed one 400).
func (a *API) getIdP(w http.ResponseWriter, r *http.Request, _ *caller) error {
	idp := a.identityProvider()
	q := r.URL.Query()
	if q.Has("id") {
		id, err := strconv.ParseInt(q.Get("id"), 10, 64)
		if err != nil || id < 1 {
			return errBadParam("id", "must be a positive integer, not %q", q.Get("id"))
		}
		if id != idp.ID {
			return errNotFound("identity provider %d does not exist: Tessera (%d) is the only one", id, idp.ID)
		}
	}
	if q.Has("uuid") {
		v := q.Get("uuid")
		if !uuidPattern.MatchString(v) {
			return errBadParam("uuid", "%q is not a uuid", v)
		}
		if normalizeUUID(v) != idp.UUID {
			return errNotFound("identity provider %s does not exist: Tessera (%s) is the only one", v, idp.UUID)
		}
	}
	writeJSON(w, http.StatusOK, idp)
	return nil
}

// checkIdP refuses a user's idp_id or idp_uuid that names another provider than Tessera's.
func (a *API) checkIdP(id opt[int64], u opt[string]) error {
	idp := a.identityProvider()
	if id.Null || id.Set && id.V != idp.ID {
		return errBadField("idp_id", "Tessera (%d) is the only identity provider", idp.ID)
	}
	if u.Null || u.Set && normalizeUUID(u.V) != idp.UUID {
		return errBadField("idp_uuid", "Tessera (%s) is the only identity provider", idp.UUID)
	}
	return nil
}
