package integration

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// idnAccount is the Account of the identity user id.
func idnAccount(id string) *tenancyv1alpha1.Account {
	GinkgoHelper()
	list := &tenancyv1alpha1.AccountList{}
	Expect(k8s.List(context.Background(), list, client.InNamespace("tessera-root"))).To(Succeed())
	for i := range list.Items {
		if list.Items[i].Spec.AccountID == id {
			return &list.Items[i]
		}
	}
	Fail("no Account with id " + id)
	return nil
}

// The caller is the shared principal (rest.Authenticator.Session): its credential is the access
// token, bare or Bearer, and administrators are found through it.
var _ = Describe("The identity API's caller", Ordered, func() {
	u := oteUniq()
	var adminTok, carolID, carolTok, daveID string

	BeforeAll(func() {
		adminTok, _ = idnToken(adminLogin, adminPassword) // the suite waits until it can sign in
		carolID = idnRegister("idn-p-carol-"+u, "idn-p-carol-"+u+"@example.org", nil)
		carolTok, _ = idnToken("idn-p-carol-"+u, idnPassword)
		daveID = idnRegister("idn-p-dave-"+u, "idn-p-dave-"+u+"@example.org", nil)
	})

	It("takes the access token bare or as Bearer, and refuses other Authorization headers", func() {
		for _, h := range []string{carolTok, "Bearer " + carolTok, "bearer  " + carolTok} {
			resp, body := oteCall("GET", "/api/v0.1.0/user/"+carolID, oteAuth(h), nil)
			Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
			Expect(body).To(HaveKeyWithValue("id", carolID))
		}
		for _, h := range []string{"Basic " + carolTok, carolTok + " " + carolTok} {
			resp, body := oteCall("GET", "/api/v0.1.0/user/"+carolID, oteAuth(h), nil)
			expectIdnError(resp, body, http.StatusUnauthorized, "Bearer <access_token>")
			Expect(body).To(HaveKeyWithValue("status", "unauthorized"))
		}
		resp, body := oteCall("GET", "/api/v0.1.0/user/"+carolID, oteBearer("not.a.token"), nil)
		expectIdnError(resp, body, http.StatusUnauthorized, "not valid")
		Expect(body).To(HaveKeyWithValue("status", "invalid token"))

		// A registration with a bad Authorization header is refused, not taken as anonymous,
		// and creates nobody.
		nick := "idn-p-eve-" + u
		resp, body = oteCall("POST", "/api/v0.1.0/user", oteAuth("Basic x"), map[string]any{
			"nick_name": nick, "email": nick + "@example.org", "password": idnPassword})
		expectIdnError(resp, body, http.StatusUnauthorized, "Bearer")
		resp, _ = oteCall("POST", "/api/v0.1.0/access_token", nil, map[string]any{"nick_name": nick, "password": idnPassword})
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
	})

	It("makes administrators of the roles admin and root and of Admins of the root Group, and of nobody else", func() {
		resp, body := oteCall("GET", "/api/v0.1.0/user/"+daveID, oteBearer(carolTok), nil)
		expectIdnError(resp, body, http.StatusForbidden, "administrator")

		for _, role := range []string{"admin", "root"} {
			nick := "idn-p-" + role + "-" + u
			idnRegister(nick, nick+"@example.org", oteBearer(adminTok), role, "user")
			tok, _ := idnToken(nick, idnPassword)
			resp, body = oteCall("GET", "/api/v0.1.0/user/"+daveID, oteBearer(tok), nil)
			Expect(resp.StatusCode).To(Equal(http.StatusOK), "role %s: body %v", role, body)
		}

		// An Admin of the root Group makes carol an administrator while it lives; her token,
		// issued before, serves as it is.
		adm := newAdmin("tessera-root", "idn-p-carol-"+u, idnAccount(carolID).Name, tenancyv1alpha1.AccessFull)
		Expect(k8s.Create(context.Background(), adm)).To(Succeed())
		DeferCleanup(func() { _ = client.IgnoreNotFound(k8s.Delete(context.Background(), adm)) })
		Eventually(func() int {
			resp, _ := oteCall("GET", "/api/v0.1.0/user/"+daveID, oteBearer(carolTok), nil)
			return resp.StatusCode
		}, 10*time.Second, 100*time.Millisecond).Should(Equal(http.StatusOK))
		resp, body = oteCall("PUT", "/api/v0.1.0/user/"+daveID, oteBearer(carolTok), map[string]any{"roles": []string{"editor", "user"}})
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		Expect(idnAccount(daveID).Spec.Roles).To(Equal([]string{"editor", "user"}))

		Expect(k8s.Delete(context.Background(), adm)).To(Succeed())
		Eventually(func() int {
			resp, _ := oteCall("GET", "/api/v0.1.0/user/"+daveID, oteBearer(carolTok), nil)
			return resp.StatusCode
		}, 10*time.Second, 100*time.Millisecond).Should(Equal(http.StatusForbidden))
		resp, body = oteCall("PUT", "/api/v0.1.0/user/"+carolID, oteBearer(carolTok), map[string]any{"roles": []string{"root", "user"}})
		expectIdnError(resp, body, http.StatusForbidden, "administrator")
	})
})
