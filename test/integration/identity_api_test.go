package integration

import (
	"context"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

const idnPassword = "P@ssw0rd-idn"

func idnRegister(nick, email string, header http.Header, roles ...string) string {
	GinkgoHelper()
	body := map[string]any{"nick_name": nick, "first_name": "First", "last_name": "Last", "sur_name": nil,
		"email": email, "password": idnPassword}
	if roles != nil {
		body["roles"] = roles
	}
	resp, out := oteCall("POST", "/api/v0.1.0/user", header, body)
	Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", out)
	Expect(out).To(HaveKeyWithValue("status", "user created"))
	return out["id"].(string)
}

func idnToken(who, password string) (string, map[string]any) {
	GinkgoHelper()
	field := "nick_name"
	if strings.Contains(who, "@") {
		field = "email"
	}
	resp, out := oteCall("POST", "/api/v1.2.3/access_token", nil, map[string]any{field: who, "password": password})
	Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", out)
	return out["access_token"].(string), out
}

func expectIdnError(resp *http.Response, body map[string]any, code int, contains string) {
	GinkgoHelper()
	Expect(resp.StatusCode).To(Equal(code), "body %v", body)
	Expect(body).To(HaveKey("status"))
	Expect(body).To(HaveKeyWithValue("error", ContainSubstring(contains)))
}

var _ = Describe("The identity API", Ordered, func() {
	u := oteUniq()
	var adminTok string

	BeforeAll(func() {
		Eventually(func() int {
			resp, _ := oteCall("POST", "/api/v0.1.0/access_token", nil, map[string]any{"email": adminLogin, "password": adminPassword})
			return resp.StatusCode
		}, 30*time.Second, 200*time.Millisecond).Should(Equal(http.StatusOK))
		adminTok, _ = idnToken(adminLogin, adminPassword)
	})

	It("answers ping for every version from 0.1.0 and refuses older or malformed ones", func() {
		for _, v := range []string{"0.1.0", "0.1.7", "1.0.0", "12.34.56"} {
			resp, body := oteCall("GET", "/api/v"+v+"/ping", nil, nil)
			Expect(resp.StatusCode).To(Equal(http.StatusOK))
			Expect(body).To(Equal(map[string]any{"pong": "API version " + v}))
		}
		for _, v := range []string{"v0.0.9", "v0.0.0", "1.0.0", "v1.0", "v01.0.0", "vx.y.z"} {
			resp, body := oteCall("GET", "/api/"+v+"/ping", nil, nil)
			expectIdnError(resp, body, http.StatusNotFound, "0.1.0")
		}
		resp, body := oteCall("POST", "/api/v0.1.0/ping", nil, nil)
		Expect(resp.StatusCode).To(Equal(http.StatusMethodNotAllowed), "body %v", body)
		resp, body = oteCall("GET", "/api/v0.1.0/nothing", nil, nil)
		Expect(resp.StatusCode).To(Equal(http.StatusNotFound), "body %v", body)
	})

	It("validates registrations and reserves roles beyond user to administrators", func() {
		base := func() map[string]any {
			return map[string]any{"nick_name": "idn-v-" + u, "email": "idn-v-" + u + "@example.org", "password": idnPassword}
		}
		for field, bad := range map[string]any{"nick_name": "a b", "email": "not-an-email", "password": "short", "roles": []string{"Bad Role"}} {
			b := base()
			b[field] = bad
			resp, body := oteCall("POST", "/api/v0.1.0/user", nil, b)
			expectIdnError(resp, body, http.StatusUnprocessableEntity, field)
		}
		for _, field := range []string{"nick_name", "email", "password"} {
			b := base()
			delete(b, field)
			resp, body := oteCall("POST", "/api/v0.1.0/user", nil, b)
			expectIdnError(resp, body, http.StatusUnprocessableEntity, field)
		}
		b := base()
		b["unknown"] = 1
		resp, body := oteCall("POST", "/api/v0.1.0/user", nil, b)
		expectIdnError(resp, body, http.StatusUnprocessableEntity, "unknown")
		resp, body = oteCall("POST", "/api/v0.1.0/user", nil, "{not json")
		expectIdnError(resp, body, http.StatusBadRequest, "JSON")

		b = base()
		b["roles"] = []string{"admin", "user"}
		resp, body = oteCall("POST", "/api/v0.1.0/user", nil, b)
		expectIdnError(resp, body, http.StatusForbidden, "administrator")

		id := idnRegister("idn-admin-"+u, "idn-admin-"+u+"@example.org", oteBearer(adminTok), "admin", "user")
		resp, body = oteCall("GET", "/api/v0.1.0/user/"+id, oteBearer(adminTok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(body["roles"]).To(ConsistOf("admin", "user"))

		// Duplicates.
		resp, body = oteCall("POST", "/api/v0.1.0/user", nil, map[string]any{"nick_name": "idn-admin-" + u, "email": "other-" + u + "@example.org", "password": idnPassword})
		expectIdnError(resp, body, http.StatusConflict, "nick_name")
		resp, body = oteCall("POST", "/api/v0.1.0/user", nil, map[string]any{"nick_name": "idn-other-" + u, "email": "idn-admin-" + u + "@example.org", "password": idnPassword})
		expectIdnError(resp, body, http.StatusConflict, "email")
	})

	It("registers, signs in, reads, updates, refreshes, revokes and deletes users", func() {
		nick, email := "idn-alice-"+u, "idn-alice-"+u+"@example.org"
		id := idnRegister(nick, email, nil)

		// The person is an Account.
		acct := &tenancyv1alpha1.Account{}
		Expect(k8s.List(context.Background(), &tenancyv1alpha1.AccountList{})).To(Succeed())
		list := &tenancyv1alpha1.AccountList{}
		Expect(k8s.List(context.Background(), list, client.InNamespace("tessera-root"))).To(Succeed())
		for i := range list.Items {
			if list.Items[i].Spec.AccountID == id {
				acct = &list.Items[i]
			}
		}
		Expect(acct.Spec.Login).To(Equal(nick))
		Expect(acct.Spec.Profile.Email).To(Equal(email))
		Expect(acct.Spec.Roles).To(Equal([]string{"user"}))

		tok, out := idnToken(email, idnPassword)
		Expect(out).To(HaveKeyWithValue("user_id", id))
		claims := oteJWTPayload(tok)
		for _, k := range []string{"aud", "iss", "sub", "jti", "roles", "exp"} {
			Expect(claims).To(HaveKey(k))
		}
		Expect(claims["sub"]).To(Equal(id))
		Expect(claims["iss"]).To(Equal(restURL))
		Expect(claims["roles"]).To(ConsistOf("user"))
		Expect(out["exp"]).To(Equal(claims["exp"]))
		tokByNick, _ := idnToken(nick, idnPassword)

		resp, body := oteCall("POST", "/api/v0.1.0/access_token", nil, map[string]any{"email": email, "password": "wrong-password"})
		expectIdnError(resp, body, http.StatusUnauthorized, "password")
		resp, body = oteCall("POST", "/api/v0.1.0/access_token", nil, map[string]any{"email": email})
		expectIdnError(resp, body, http.StatusUnprocessableEntity, "password")
		resp, body = oteCall("POST", "/api/v0.1.0/access_token", nil, map[string]any{"password": "x"})
		expectIdnError(resp, body, http.StatusUnprocessableEntity, "email")

		// Read: self and administrators; others are refused.
		resp, body = oteCall("GET", "/api/v0.1.0/user/"+id, oteBearer(tok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		Expect(body).To(Equal(map[string]any{"id": id, "nick_name": nick, "first_name": "First", "last_name": "Last",
			"sur_name": nil, "email": email, "roles": []any{"user"}, "projects": []any{}, "active_tasks": []any{}, "active_sessions": []any{}}))
		resp, _ = oteCall("GET", "/api/v0.1.0/user/"+id, nil, nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		bobID := idnRegister("idn-bob-"+u, "idn-bob-"+u+"@example.org", nil)
		resp, body = oteCall("GET", "/api/v0.1.0/user/"+bobID, oteBearer(tok), nil)
		expectIdnError(resp, body, http.StatusForbidden, "administrator")
		resp, _ = oteCall("GET", "/api/v0.1.0/user/"+bobID, oteBearer(adminTok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		resp, _ = oteCall("GET", "/api/v0.1.0/user/00000000-0000-4000-8000-000000000000", oteBearer(adminTok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusNotFound))

		// Update.
		project := "3745576a-06f4-11eb-9d06-10e7c6e703cb"
		resp, body = oteCall("PUT", "/api/v0.1.0/user/"+id, oteBearer(tok), map[string]any{
			"first_name": "Alice", "last_name": "Liddell", "sur_name": "pavlovna", "projects": []string{project}})
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		Expect(body).To(Equal(map[string]any{"status": "user updated"}))
		resp, body = oteCall("GET", "/api/v0.1.0/user/"+id, oteBearer(tok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		Expect(body).To(HaveKeyWithValue("first_name", "Alice"))
		Expect(body).To(HaveKeyWithValue("sur_name", "pavlovna"))
		Expect(body["projects"]).To(ConsistOf(project))
		resp, body = oteCall("PUT", "/api/v0.1.0/user/"+id, oteBearer(tok), map[string]any{"roles": []string{"root", "admin", "user"}})
		expectIdnError(resp, body, http.StatusForbidden, "administrator")
		resp, body = oteCall("PUT", "/api/v0.1.0/user/"+id, oteBearer(tok), map[string]any{"projects": []string{"nope"}})
		expectIdnError(resp, body, http.StatusUnprocessableEntity, "projects")
		resp, body = oteCall("PUT", "/api/v0.1.0/user/"+bobID, oteBearer(tok), map[string]any{"first_name": "Mallory"})
		expectIdnError(resp, body, http.StatusForbidden, "administrator")
		resp, body = oteCall("PUT", "/api/v0.1.0/user/"+id, oteBearer(adminTok), map[string]any{"roles": []string{"editor", "user"}})
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		resp, body = oteCall("PUT", "/api/v0.1.0/user/"+id, oteBearer(tok), map[string]any{"password": "N3w-P@ssword"})
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		resp, _ = oteCall("POST", "/api/v0.1.0/access_token", nil, map[string]any{"nick_name": nick, "password": idnPassword})
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		tok2, _ := idnToken(nick, "N3w-P@ssword")
		Expect(oteJWTPayload(tok2)["roles"]).To(ConsistOf("editor", "user"))

		// Users list: 0-based pages, max_page.
		resp, body = oteCall("GET", "/api/v0.1.0/users?page=0&count=1", oteBearer(tok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		Expect(body["users"]).To(HaveLen(1))
		maxPage := body["max_page"].(float64)
		Expect(maxPage).To(BeNumerically(">=", 2))
		resp, body = oteCall("GET", "/api/v0.1.0/users?count=1000", oteBearer(tok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		Expect(body["users"]).To(ContainElements(id, bobID))
		Expect(body).To(HaveKeyWithValue("max_page", BeEquivalentTo(0)))
		resp, body = oteCall("GET", "/api/v0.1.0/users?page=-1", oteBearer(tok), nil)
		expectIdnError(resp, body, http.StatusUnprocessableEntity, "page")
		resp, body = oteCall("GET", "/api/v0.1.0/users?count=0", oteBearer(tok), nil)
		expectIdnError(resp, body, http.StatusUnprocessableEntity, "count")
		resp, _ = oteCall("GET", "/api/v0.1.0/users", nil, nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))

		// Refresh, and revocation.
		resp, body = oteCall("PUT", "/api/v0.1.0/access_token", nil, map[string]any{"access_token": tok2})
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		tok3 := body["access_token"].(string)
		Expect(body).To(HaveKeyWithValue("user_id", id))
		resp, body = oteCall("PUT", "/api/v0.1.0/access_token", nil, map[string]any{"access_token": "garbage"})
		expectIdnError(resp, body, http.StatusUnauthorized, "token")
		resp, body = oteCall("PUT", "/api/v0.1.0/access_token", nil, map[string]any{})
		expectIdnError(resp, body, http.StatusUnprocessableEntity, "access_token")
		resp, _ = oteCall("DELETE", "/api/v0.1.0/access_token", oteBearer(tok3), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		resp, _ = oteCall("GET", "/api/v0.1.0/user/"+id, oteBearer(tok3), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		resp, _ = oteCall("PUT", "/api/v0.1.0/access_token", nil, map[string]any{"access_token": tok3})
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))

		// Tokens of one API are no good in another.
		resp, _ = oteCall("GET", "/v1/authorization", oteAuth(tok2), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		oteTok := oteLogin(nick, "N3w-P@ssword")
		resp, _ = oteCall("GET", "/api/v0.1.0/user/"+id, oteBearer(oteTok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))

		// A disabled Account cannot sign in.
		Eventually(func() error {
			a := &tenancyv1alpha1.Account{}
			if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(acct), a); err != nil {
				return err
			}
			a.Spec.Disabled = true
			return k8s.Update(context.Background(), a)
		}, 10*time.Second, 100*time.Millisecond).Should(Succeed())
		Eventually(func() int {
			resp, _ := oteCall("POST", "/api/v0.1.0/access_token", nil, map[string]any{"nick_name": nick, "password": "N3w-P@ssword"})
			return resp.StatusCode
		}, 10*time.Second, 100*time.Millisecond).Should(Equal(http.StatusForbidden))
		resp, body = oteCall("GET", "/api/v0.1.0/user/"+id, oteBearer(tokByNick), nil)
		expectIdnError(resp, body, http.StatusForbidden, "disabled")
		resp, _ = oteCall("POST", "/v1/authorization", nil, map[string]any{"user": nick, "password": "N3w-P@ssword"})
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))

		// Delete: self or an administrator.
		resp, _ = oteCall("DELETE", "/api/v0.1.0/user/"+bobID, oteBearer(tok2), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))
		resp, body = oteCall("DELETE", "/api/v0.1.0/user/"+id, oteBearer(adminTok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		Expect(body).To(Equal(map[string]any{"status": "user removed"}))
		resp, _ = oteCall("GET", "/api/v0.1.0/user/"+id, oteBearer(adminTok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusNotFound))
		bobTok, _ := idnToken("idn-bob-"+u, idnPassword)
		resp, body = oteCall("DELETE", "/api/v0.1.0/user/"+bobID, oteBearer(bobTok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		resp, _ = oteCall("GET", "/api/v0.1.0/users", oteBearer(bobTok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
	})

	It("signs in people registered through ote-stack, until their Group is locked", func() {
		sysTok := oteLogin(adminLogin, adminPassword)
		user := "idn-ote-" + u
		oteApprove(sysTok, oteRegister(user, false), 1)
		tok, out := idnToken(user, otePassword)
		resp, body := oteCall("GET", "/api/v0.1.0/user/"+out["user_id"].(string), oteBearer(tok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		Expect(body).To(HaveKeyWithValue("nick_name", user))
		Expect(body).To(HaveKeyWithValue("first_name", "Real "+user))

		// A pending person is refused here too.
		pending := "idn-pend-" + u
		oteRegister(pending, false)
		resp, body = oteCall("POST", "/api/v0.1.0/access_token", nil, map[string]any{"nick_name": pending, "password": otePassword})
		expectIdnError(resp, body, http.StatusForbidden, "pending")

		// A locked Group stops sign-in with 423 in the identity API's shape.
		owner := "idn-owner-" + u
		ownerTok, bid := oteBusinessOwner(sysTok, owner, "idn-biz-"+u)
		Expect(ownerTok).NotTo(BeEmpty())
		groups := &tenancyv1alpha1.GroupList{}
		Expect(k8s.List(context.Background(), groups)).To(Succeed())
		var biz string
		for _, g := range groups.Items {
			if g.Spec.ID == bid {
				biz = g.Name
			}
		}
		Expect(biz).NotTo(BeEmpty())
		idTok, _ := idnToken(owner, otePassword)
		lockGroup(biz, true)
		DeferCleanup(lockGroup, biz, false)
		Eventually(func() int {
			resp, _ := oteCall("POST", "/api/v0.1.0/access_token", nil, map[string]any{"nick_name": owner, "password": otePassword})
			return resp.StatusCode
		}, 10*time.Second, 100*time.Millisecond).Should(Equal(http.StatusLocked))
		resp, body = oteCall("PUT", "/api/v0.1.0/access_token", nil, map[string]any{"access_token": idTok})
		expectIdnError(resp, body, http.StatusLocked, "locked")
	})

	It("serves its OpenAPI document under every version", func() {
		resp, body := oteCall("GET", "/api/v0.2.0/docs/spec", nil, nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(body["raw"]).To(ContainSubstring("openapi: 3"))
	})
})
