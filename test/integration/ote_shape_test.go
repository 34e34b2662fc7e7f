package integration

import (
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// ote-stack's errors in the shared shape: the session goes through the shared authenticator,
// and every refusal is classified once (rest.Classify) and rendered in {code, message}.
var _ = Describe("The ote-stack API's refusals", Ordered, func() {
	var sysToken string
	u := oteUniq()

	BeforeAll(func() { sysToken = oteLogin(adminLogin, adminPassword) }) // the suite waited until ready

	It("answer an Authorization header that carries no token with 401, saying what it takes", func() {
		resp, body := oteCall("GET", "/v1/authorization", oteAuth("Basic two words"), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized), "body %v", body)
		Expect(body).To(HaveKeyWithValue("code", BeEquivalentTo(401)))
		Expect(body["message"]).To(ContainSubstring("raw or Bearer"))
	})

	It("answer a write admission refuses in a locked Group with 423 and the lock's reason, not the webhook's words", func() {
		user := "ote-lk-" + u
		_, bid := oteBusinessOwner(sysToken, user, "ote-lk-biz-"+u)
		acct := oteAccount(user)
		group := tenancyv1alpha1.GroupOfNamespace(acct.Namespace)
		Expect(group).NotTo(BeEmpty(), "business %d", bid)

		lockGroup(group, true)
		DeferCleanup(lockGroup, group, false)
		var body map[string]any
		Eventually(func() int {
			var resp *http.Response
			resp, body = oteCall("PUT", fmt.Sprintf("/v1/admin/user/%d", acct.Spec.ID), oteAuth(sysToken), map[string]any{"status": 2})
			return resp.StatusCode
		}, 10*time.Second, 100*time.Millisecond).Should(Equal(http.StatusLocked))
		Expect(body).To(HaveKeyWithValue("code", BeEquivalentTo(423)))
		Expect(body["message"]).To(ContainSubstring("Group " + group + " is locked (ote test true)"))
		Expect(body["message"]).NotTo(ContainSubstring("admission webhook"))
		Expect(body["message"]).NotTo(ContainSubstring("denied the request"))

		lockGroup(group, false)
		resp, body := oteCall("GET", "/v1/admin/user?pageSize=1000", oteAuth(sysToken), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		for _, x := range body["data"].([]any) {
			if x.(map[string]any)["user"] == user {
				Expect(x).To(HaveKeyWithValue("status", BeEquivalentTo(1)), "the refused audit changed nothing")
			}
		}
	})
})
