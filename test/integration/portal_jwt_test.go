package integration

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("The portal's JWTs and identity provider (/api/1/admins/{a}/jwt, /impersonate, /users/{u}/jwt, /idp)", func() {
	admin := func(id int64, rest string) string { return fmt.Sprintf("/admins/%d%s", id, rest) }
	user := func(id int64, rest string) string { return fmt.Sprintf("/users/%d%s", id, rest) }
	group := func(id int64) string { return fmt.Sprintf("/groups/%d", id) }

	It("issues an admin's own JWT with the seed's claims, usable as Bearer, ?jwt= and ?access_token= on GET /groups/{g}", func() {
		u := oteUniq()
		partner := createGroup(asAdmin, rootID(), "JWT partner "+u, 10)
		company := createGroup(asAdmin, partner, "JWT company "+u, 40)
		a := createAPIAdmin(asAdmin, company, 15, map[string]any{"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com"})

		tok := issued(portalCall("GET", admin(a.id, "/jwt?scope="+url.QueryEscape(" Agent, Backup ,,Agent")), a.cred, nil))
		claims := oteJWTPayload(tok)
		Expect(claims).To(SatisfyAll(HaveKeyWithValue("uid", a.login), HaveKeyWithValue("email", "ada@example.com"),
			HaveKeyWithValue("name", "Ada Lovelace"), HaveKeyWithValue("tenantId", fmt.Sprint(company)),
			HaveKeyWithValue("scope", []any{"Agent", "Backup"}), HaveKeyWithValue("adminId", BeEquivalentTo(a.id)),
			HaveKeyWithValue("aud", "urn:tessera:portal"), HaveKeyWithValue("iss", restURL),
			HaveKeyWithValue("sub", portalAccountCR(a.userID).Spec.AccountID)))
		Expect(claims).NotTo(HaveKey("act"))
		Expect(claims["exp"].(float64) - claims["iat"].(float64)).To(BeEquivalentTo(3600))
		Expect(claims["nbf"]).To(Equal(claims["iat"]))

		Expect(portalCall("GET", group(company), bearer(tok), nil).Status).To(Equal(http.StatusOK))
		Expect(portalCall("GET", group(company)+"?jwt="+tok, anon, nil).Status).To(Equal(http.StatusOK))
		Expect(portalCall("GET", group(company)+"?access_token="+tok, anon, nil).Status).To(Equal(http.StatusOK))
		// ?jwt= works on most requests, writes too; ?access_token= only on GET /groups/{group}.
		r := portalCall("POST", group(company)+"/users?jwt="+tok, anon, map[string]any{"login": newLogin("by-jwt")})
		Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
		expectPortalError(portalCall("GET", group(company)+"/children?access_token="+tok, anon, nil), http.StatusUnauthorized)
		expectPortalError(portalCall("GET", admin(a.id, "?access_token="+tok), anon, nil), http.StatusUnauthorized)
		// The token acts as its admin, in its group only.
		expectPortalError(portalCall("GET", group(partner), bearer(tok), nil), http.StatusForbidden)
		// Forged, truncated or empty tokens are refused.
		expectPortalError(portalCall("GET", group(company), bearer(tok[:len(tok)-4]+"AAAA"), nil), http.StatusUnauthorized)
		expectPortalError(portalCall("GET", group(company)+"?jwt=", anon, nil), http.StatusUnauthorized)
		expectPortalError(portalCall("GET", group(company)+"?jwt=not.a.jwt", anon, nil), http.StatusUnauthorized)
		expectPortalError(portalCall("GET", admin(a.id, "/jwt?scope="+url.QueryEscape("has space")), a.cred, nil), http.StatusBadRequest)

		// A read-only admin's token reads and does not write, as the admin itself.
		reader := createAPIAdmin(asAdmin, company, 1, nil)
		ro := issued(portalCall("GET", admin(reader.id, "/jwt"), reader.cred, nil))
		Expect(portalCall("GET", group(company), bearer(ro), nil).Status).To(Equal(http.StatusOK))
		expectPortalError(portalCall("PUT", group(company), bearer(ro), map[string]any{"name": "Nope"}), http.StatusForbidden)
		expectPortalError(portalCall("GET", admin(a.id, "/jwt"), reader.cred, nil), http.StatusForbidden)
	})

	It("issues JWTs for others only from above (act, logged), and impersonation as the seed's roles allow", func() {
		u := oteUniq()
		partner := createGroup(asAdmin, rootID(), "Imp partner "+u, 10)
		company := createGroup(asAdmin, partner, "Imp company "+u, 40)
		partnerAdmin := createAPIAdmin(asAdmin, partner, 15, nil)
		companyAdmin := createAPIAdmin(asAdmin, company, 15, nil)
		peer := createAPIAdmin(asAdmin, company, 15, nil)
		userID, userLogin := createAPIUser(asAdmin, company, map[string]any{"password": peoplePassword, "email": "svc@example.com"})

		// Above: a JWT for a company admin from its partner's admin carries act.
		tok := issued(portalCall("GET", admin(companyAdmin.id, "/jwt"), partnerAdmin.cred, nil))
		Expect(oteJWTPayload(tok)).To(SatisfyAll(HaveKeyWithValue("uid", companyAdmin.login),
			HaveKeyWithValue("act", HaveKeyWithValue("sub", partnerAdmin.login))))
		Expect(portalCall("GET", group(company), bearer(tok), nil).Status).To(Equal(http.StatusOK))
		// Not for a peer, nor upwards.
		expectPortalError(portalCall("GET", admin(peer.id, "/jwt"), companyAdmin.cred, nil), http.StatusForbidden)
		expectPortalError(portalCall("GET", admin(partnerAdmin.id, "/jwt"), companyAdmin.cred, nil), http.StatusForbidden)

		// Impersonating an admin: root_admin, or a write admin at a strict ancestor.
		for _, c := range []cred{asAdmin, partnerAdmin.cred} {
			imp := issued(portalCall("GET", admin(companyAdmin.id, "/impersonate"), c, nil))
			claims := oteJWTPayload(imp)
			Expect(claims).To(SatisfyAll(HaveKeyWithValue("uid", companyAdmin.login), HaveKeyWithValue("adminId", BeEquivalentTo(companyAdmin.id)),
				HaveKeyWithValue("act", HaveKeyWithValue("sub", c.login))))
			Expect(portalCall("GET", group(company)+"?jwt="+imp, anon, nil).Status).To(Equal(http.StatusOK))
		}
		expectPortalError(portalCall("GET", admin(peer.id, "/impersonate"), companyAdmin.cred, nil), http.StatusForbidden)
		expectPortalError(portalCall("GET", admin(companyAdmin.id, "/impersonate"), companyAdmin.cred, nil), http.StatusForbidden)
		// The impersonated admin's own token keeps the impersonator as act.
		imp := issued(portalCall("GET", admin(companyAdmin.id, "/impersonate"), partnerAdmin.cred, nil))
		again := issued(portalCall("GET", admin(companyAdmin.id, "/jwt"), bearer(imp), nil))
		Expect(oteJWTPayload(again)).To(HaveKeyWithValue("act", HaveKeyWithValue("sub", partnerAdmin.login)))

		// A service user's JWT: from a write admin at or above its group; no adminId.
		ut := issued(portalCall("GET", user(userID, "/jwt?scope=AgentRegistration"), companyAdmin.cred, nil))
		claims := oteJWTPayload(ut)
		Expect(claims).To(SatisfyAll(HaveKeyWithValue("uid", userLogin), HaveKeyWithValue("tenantId", fmt.Sprint(company)),
			HaveKeyWithValue("scope", []any{"AgentRegistration"}), HaveKeyWithValue("act", HaveKeyWithValue("sub", companyAdmin.login))))
		Expect(claims).NotTo(HaveKey("adminId"))
		// It acts as the service user, who holds no role.
		expectPortalError(portalCall("GET", group(company), bearer(ut), nil), http.StatusForbidden)
		expectPortalError(portalCall("GET", admin(companyAdmin.id, "/impersonate"), bearer(ut), nil), http.StatusForbidden)
		reader := createAPIAdmin(asAdmin, company, 1, nil)
		expectPortalError(portalCall("GET", user(userID, "/jwt"), reader.cred, nil), http.StatusForbidden)
		// Impersonating a service user is root_admin's only.
		expectPortalError(portalCall("GET", user(userID, "/impersonate"), partnerAdmin.cred, nil), http.StatusForbidden)
		rootImp := issued(portalCall("GET", user(userID, "/impersonate"), asAdmin, nil))
		Expect(oteJWTPayload(rootImp)).To(HaveKeyWithValue("act", HaveKeyWithValue("sub", adminLogin)))

		// A disabled account's tokens fail, and so do a deleted one's.
		peerTok := issued(portalCall("GET", admin(peer.id, "/jwt"), peer.cred, nil))
		Expect(portalCall("GET", group(company), bearer(peerTok), nil).Status).To(Equal(http.StatusOK))
		Expect(portalCall("PUT", admin(peer.id, ""), asAdmin, map[string]any{"status": 0}).Status).To(Equal(http.StatusOK))
		expectPortalError(portalCall("GET", group(company), bearer(peerTok), nil), http.StatusForbidden)
		expectPortalError(portalCall("GET", admin(peer.id, "/jwt"), asAdmin, nil), http.StatusForbidden)
		Expect(portalCall("DELETE", user(userID, ""), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		Eventually(func() int { return portalCall("GET", user(userID, "/links"), bearer(ut), nil).Status }, 20*time.Second, 200*time.Millisecond).
			Should(Equal(http.StatusUnauthorized))
		expectPortalError(portalCall("GET", group(company)+"?jwt="+rootImp, anon, nil), http.StatusUnauthorized)
		expectPortalError(portalCall("GET", user(userID, "/jwt"), asAdmin, nil), http.StatusNotFound)
	})

	It("describes Tessera as the identity provider, and a user's links", func() {
		r := portalCall("GET", "/idp", asAdmin, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(SatisfyAll(HaveKey("changePasswordUrl"), HaveKey("forgotPasswordUrl"), HaveKey("domain"),
			HaveKeyWithValue("issuer", restURL), HaveKeyWithValue("jwks_uri", restURL+"/.well-known/jwks.json"),
			HaveKeyWithValue("id", BeEquivalentTo(1))))
		Expect(restURL).To(ContainSubstring(r.Body["domain"].(string)))
		uuid := r.Body["uuid"].(string)
		Expect(portalCall("GET", "/idp?id=1&uuid="+strings.ToUpper(uuid), asAdmin, nil).Status).To(Equal(http.StatusOK))
		expectPortalError(portalCall("GET", "/idp?id=2", asAdmin, nil), http.StatusNotFound)
		expectPortalError(portalCall("GET", "/idp?uuid=00000000-0000-4000-8000-000000000000", asAdmin, nil), http.StatusNotFound)
		expectPortalError(portalCall("GET", "/idp?id=one", asAdmin, nil), http.StatusBadRequest)
		expectPortalError(portalCall("GET", "/idp", anon, nil), http.StatusUnauthorized)

		company := createGroup(asAdmin, rootID(), "Links "+oteUniq(), 40)
		id, _ := createAPIUser(asAdmin, company, map[string]any{"idp_id": 1, "idp_uuid": uuid})
		Expect(portalCall("GET", user(id, ""), asAdmin, nil).Body).To(HaveKeyWithValue("idp_uuid", uuid))
		links := portalCall("GET", user(id, "/links?origin=email_notification&redirect_url=cloud.mysite.com"), asAdmin, nil)
		Expect(links.Status).To(Equal(http.StatusOK), "body %s", links.Raw)
		Expect(links.Body).To(Equal(map[string]any{"links": map[string]any{"quotas_upsell": nil}}))
		expectPortalError(portalCall("GET", user(id, "/links?origin=a&origin=b"), asAdmin, nil), http.StatusBadRequest)
		expectPortalError(portalCall("POST", fmt.Sprintf("/groups/%d/users", company), asAdmin,
			map[string]any{"login": newLogin("idp"), "idp_id": 7}), http.StatusBadRequest)
	})
})
