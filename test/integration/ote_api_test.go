package integration

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

const otePassword = "Secr3tPass"

func oteRegister(user string, isAdmin bool) int64 {
	GinkgoHelper()
	resp, body := oteCall("POST", "/v1/user", nil, map[string]any{
		"user": user, "password": otePassword, "phone": "12345678910", "realName": "Real " + user, "isAdmin": isAdmin})
	Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
	Expect(body).To(HaveKeyWithValue("code", BeEquivalentTo(200)))
	Expect(body).To(HaveKeyWithValue("message", "success"))
	return int64(body["data"].(map[string]any)["id"].(float64))
}

func oteLogin(user, password string) string {
	GinkgoHelper()
	resp, body := oteCall("POST", "/v1/authorization", nil, map[string]any{"user": user, "password": password})
	Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
	Expect(body).To(HaveKeyWithValue("code", BeEquivalentTo(200)))
	return body["token"].(string)
}

func oteRole(token string) int {
	GinkgoHelper()
	resp, body := oteCall("GET", "/v1/authorization", oteAuth(token), nil)
	Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
	return int(body["data"].(map[string]any)["role"].(float64))
}

func oteApprove(sysToken string, id int64, status int) {
	GinkgoHelper()
	resp, body := oteCall("PUT", fmt.Sprintf("/v1/admin/user/%d", id), oteAuth(sysToken), map[string]any{"status": status})
	Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
}

func expect422(resp *http.Response, body map[string]any, param string) {
	GinkgoHelper()
	Expect(resp.StatusCode).To(Equal(http.StatusUnprocessableEntity), "body %v", body)
	Expect(body).To(HaveKeyWithValue("code", BeEquivalentTo(422)))
	Expect(body["message"]).To(ContainSubstring("'"+param+"'"), "body %v", body)
}

// oteBusinessOwner registers an administrator, approves it, signs it in and creates a business
// that the system administrator approves. It returns the owner's token and the business id.
func oteBusinessOwner(sysToken, user, business string) (string, int64) {
	GinkgoHelper()
	id := oteRegister(user, true)
	oteApprove(sysToken, id, 1)
	tok := oteLogin(user, otePassword)
	Expect(oteRole(tok)).To(Equal(1))
	resp, body := oteCall("POST", "/v1/business", oteAuth(tok), map[string]any{
		"name": business, "introduce": "intro", "objective": "objective", "scale": "10"})
	Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
	bid := int64(body["data"].(map[string]any)["id"].(float64))
	resp, body = oteCall("PUT", fmt.Sprintf("/v1/admin/business/%d/approval", bid), oteAuth(sysToken), map[string]any{"status": 1, "comment": "ok"})
	Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
	return tok, bid
}

var _ = Describe("The ote-stack API", Ordered, func() {
	var sysToken string
	u := oteUniq()

	BeforeAll(func() {
		Eventually(func() int {
			resp, _ := oteCall("POST", "/v1/authorization", nil, map[string]any{"user": adminLogin, "password": adminPassword})
			return resp.StatusCode
		}, 30*time.Second, 200*time.Millisecond).Should(Equal(http.StatusOK))
		sysToken = oteLogin(adminLogin, adminPassword)
	})

	It("signs in the system administrator with a token that works raw and as Bearer", func() {
		Expect(oteRole(sysToken)).To(Equal(4))
		resp, body := oteCall("GET", "/v1/authorization", oteBearer(sysToken), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		data := body["data"].(map[string]any)
		Expect(data).To(HaveKeyWithValue("displayName", adminLogin))
		for _, k := range []string{"hasRepoAccount", "privateProject", "enableIngress", "enableAlert", "enableAdminAutoDeploy"} {
			Expect(data).To(HaveKeyWithValue(k, BeAssignableToTypeOf(true)))
		}
		claims := oteJWTPayload(sysToken)
		Expect(claims["exp"].(float64) - claims["iat"].(float64)).To(BeNumerically("==", 3600))
	})

	It("validates sign-in parameters and refuses wrong passwords and bad tokens", func() {
		resp, body := oteCall("POST", "/v1/authorization", nil, map[string]any{"password": "x"})
		expect422(resp, body, "user")
		resp, body = oteCall("POST", "/v1/authorization", nil, map[string]any{"user": "ote-nobody-" + u})
		expect422(resp, body, "password")
		resp, body = oteCall("POST", "/v1/authorization", nil, map[string]any{"user": "x", "password": "y", "extra": 1})
		expect422(resp, body, "extra")
		resp, body = oteCall("POST", "/v1/authorization", nil, map[string]any{"user": "ote-nobody-" + u, "password": "Wrong1234"})
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized), "body %v", body)
		Expect(body).To(HaveKeyWithValue("code", BeEquivalentTo(401)))
		resp, _ = oteCall("GET", "/v1/authorization", nil, nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		resp, _ = oteCall("GET", "/v1/authorization", oteAuth("not.a.token"), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
	})

	It("validates self-registration, naming the parameter", func() {
		good := func() map[string]any {
			return map[string]any{"user": "ote-v-" + u, "password": otePassword, "phone": "12345678910", "realName": "V", "isAdmin": false}
		}
		for _, p := range []string{"user", "password", "phone", "isAdmin", "realName"} {
			b := good()
			delete(b, p)
			resp, body := oteCall("POST", "/v1/user", nil, b)
			expect422(resp, body, p)
		}
		for _, pw := range []string{"Sh0rt", "alllower123", "ALLUPPER123", "NoDigitsHere", "Waytoolong1234567890X"} {
			b := good()
			b["password"] = pw
			resp, body := oteCall("POST", "/v1/user", nil, b)
			expect422(resp, body, "password")
		}
		b := good()
		b["user"] = "has space"
		resp, body := oteCall("POST", "/v1/user", nil, b)
		expect422(resp, body, "user")
		b = good()
		b["phone"] = "call me"
		resp, body = oteCall("POST", "/v1/user", nil, b)
		expect422(resp, body, "phone")
		b = good()
		b["isAdmin"] = "yes"
		resp, body = oteCall("POST", "/v1/user", nil, b)
		expect422(resp, body, "isAdmin")
		b = good()
		b["realName"] = ""
		resp, body = oteCall("POST", "/v1/user", nil, b)
		expect422(resp, body, "realName")
		b = good()
		b["business"] = "x"
		resp, body = oteCall("POST", "/v1/user", nil, b)
		expect422(resp, body, "business")
	})

	It("registers people as pending Accounts that cannot sign in until a system administrator approves them", func() {
		user := "ote-pend-" + u
		id := oteRegister(user, false)
		resp, body := oteCall("POST", "/v1/user", nil, map[string]any{
			"user": user, "password": otePassword, "phone": "1234567", "realName": "Dup", "isAdmin": false})
		expect422(resp, body, "user")

		list := &tenancyv1alpha1.AccountList{}
		Expect(k8s.List(context.Background(), list, client.InNamespace("tessera-root"))).To(Succeed())
		var found *tenancyv1alpha1.Account
		for i := range list.Items {
			if list.Items[i].Spec.Login == user {
				found = &list.Items[i]
			}
		}
		Expect(found).NotTo(BeNil())
		Expect(found.Spec.Approval).To(Equal(tenancyv1alpha1.ApprovalPending))
		Expect(found.Spec.ID).To(Equal(id))
		Expect(found.Spec.Profile.Phone).To(Equal("12345678910"))

		resp, body = oteCall("POST", "/v1/authorization", nil, map[string]any{"user": user, "password": otePassword})
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden), "body %v", body)
		Expect(body["message"]).To(ContainSubstring("pending"))

		// Only a system administrator audits; statuses are 0–3.
		resp, body = oteCall("PUT", fmt.Sprintf("/v1/admin/user/%d", id), oteAuth(sysToken), map[string]any{"status": 4})
		expect422(resp, body, "status")
		resp, body = oteCall("PUT", fmt.Sprintf("/v1/admin/user/%d", id), oteAuth(sysToken), map[string]any{})
		expect422(resp, body, "status")
		resp, body = oteCall("PUT", "/v1/admin/user/abc", oteAuth(sysToken), map[string]any{"status": 1})
		expect422(resp, body, "userId")
		resp, _ = oteCall("PUT", "/v1/admin/user/999999999", oteAuth(sysToken), map[string]any{"status": 1})
		Expect(resp.StatusCode).To(Equal(http.StatusNotFound))

		oteApprove(sysToken, id, 2)
		Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(found), found)).To(Succeed())
		Expect(found.Spec.Approval).To(Equal(tenancyv1alpha1.ApprovalNotApproved))
		resp, _ = oteCall("POST", "/v1/authorization", nil, map[string]any{"user": user, "password": otePassword})
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))

		oteApprove(sysToken, id, 1)
		tok := oteLogin(user, otePassword)
		Expect(oteRole(tok)).To(Equal(1))

		// An approved user without a business is no administrator.
		resp, _ = oteCall("GET", "/v1/admin/user", oteAuth(tok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))
		resp, _ = oteCall("PUT", fmt.Sprintf("/v1/admin/user/%d", id), oteAuth(tok), map[string]any{"status": 1})
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))
		// Nor may a general user create a business.
		resp, _ = oteCall("POST", "/v1/business", oteAuth(tok), map[string]any{"name": "ote-x-" + u, "introduce": "i", "objective": "o", "scale": "s"})
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))

		// Forbidden again: the open session stops working.
		oteApprove(sysToken, id, 3)
		resp, _ = oteCall("GET", "/v1/authorization", oteAuth(tok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))
	})

	It("refreshes, changes the password and logs out at once", func() {
		user := "ote-pw-" + u
		oteApprove(sysToken, oteRegister(user, false), 1)
		tok := oteLogin(user, otePassword)

		resp, body := oteCall("PUT", "/v1/authorization", oteAuth(tok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		tok2 := body["token"].(string)
		Expect(tok2).NotTo(Equal(tok))
		Expect(oteRole(tok2)).To(Equal(1))

		resp, body = oteCall("PUT", "/v1/user", oteAuth(tok), map[string]any{"password": "N3wPassword"})
		expect422(resp, body, "oldPassword")
		resp, body = oteCall("PUT", "/v1/user", oteAuth(tok), map[string]any{"oldPassword": "Wrong1234x", "password": "N3wPassword"})
		expect422(resp, body, "oldPassword")
		resp, body = oteCall("PUT", "/v1/user", oteAuth(tok), map[string]any{"oldPassword": otePassword, "password": "weak"})
		expect422(resp, body, "password")
		resp, body = oteCall("PUT", "/v1/user", oteAuth(tok), map[string]any{"oldPassword": otePassword, "password": "N3wPassword"})
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		resp, _ = oteCall("POST", "/v1/authorization", nil, map[string]any{"user": user, "password": otePassword})
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		tok3 := oteLogin(user, "N3wPassword")

		resp, body = oteCall("DELETE", "/v1/authorization", oteAuth(tok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		resp, body = oteCall("GET", "/v1/authorization", oteAuth(tok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		Expect(body["message"]).To(ContainSubstring("revoked"))
		resp, _ = oteCall("PUT", "/v1/authorization", oteAuth(tok), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		// Other sessions of the same person live on.
		Expect(oteRole(tok2)).To(Equal(1))
		resp, _ = oteCall("DELETE", "/v1/authorizations", oteBearer(tok3), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		resp, _ = oteCall("GET", "/v1/authorization", oteAuth(tok3), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))

		// The revocation list is one labelled ConfigMap in the operator's namespace.
		cm := &corev1.ConfigMap{}
		Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: "tessera-system", Name: "tessera-revoked-sessions"}, cm)).To(Succeed())
		Expect(cm.Labels).To(HaveKeyWithValue("app.kubernetes.io/managed-by", "tessera"))
		Expect(cm.Data).To(HaveKey(oteJWTPayload(tok)["jti"].(string)))
	})

	It("runs businesses and scopes general administrators to their own", func() {
		ownerA, bizA := oteBusinessOwner(sysToken, "ote-ownera-"+u, "ote-biz-a-"+u)
		ownerB, bizB := oteBusinessOwner(sysToken, "ote-ownerb-"+u, "ote-biz-b-"+u)
		Expect(oteRole(ownerA)).To(Equal(3))

		// The owner's Account moved into the business Group's namespace, with an Admin there.
		accts := &tenancyv1alpha1.AccountList{}
		Expect(k8s.List(context.Background(), accts)).To(Succeed())
		var ownerAcct *tenancyv1alpha1.Account
		for i := range accts.Items {
			if accts.Items[i].Spec.Login == "ote-ownera-"+u {
				ownerAcct = &accts.Items[i]
			}
		}
		Expect(ownerAcct).NotTo(BeNil())
		Expect(ownerAcct.Namespace).NotTo(Equal("tessera-root"))
		groups := &tenancyv1alpha1.GroupList{}
		Expect(k8s.List(context.Background(), groups, client.MatchingFields{"spec.parent": "root"})).To(Succeed())
		var bizGroup *tenancyv1alpha1.Group
		for i := range groups.Items {
			if groups.Items[i].Spec.ID == bizA {
				bizGroup = &groups.Items[i]
			}
		}
		Expect(bizGroup).NotTo(BeNil())
		Expect(bizGroup.Spec.Kind).To(Equal(tenancyv1alpha1.GroupKindEndUserCompany))
		Expect(ownerAcct.Namespace).To(Equal(tenancyv1alpha1.GroupNamespace(bizGroup.Name)))

		// One business per administrator.
		resp, _ := oteCall("POST", "/v1/business", oteAuth(ownerA), map[string]any{"name": "ote-again-" + u, "introduce": "i", "objective": "o", "scale": "s"})
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))

		// Business reads.
		resp, body := oteCall("GET", fmt.Sprintf("/v1/business/id/%d", bizA), oteAuth(ownerA), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		data := body["data"].(map[string]any)
		Expect(data).To(HaveKeyWithValue("name", "ote-biz-a-"+u))
		Expect(data).To(HaveKeyWithValue("introduce", "intro"))
		Expect(data).To(HaveKeyWithValue("objective", "objective"))
		Expect(data).To(HaveKeyWithValue("scale", "10"))
		Expect(data).To(HaveKeyWithValue("status", BeEquivalentTo(1)))
		Expect(data).To(HaveKeyWithValue("comment", "ok"))
		Expect(data).To(HaveKeyWithValue("userId", BeEquivalentTo(ownerAcct.Spec.ID)))
		resp, _ = oteCall("GET", fmt.Sprintf("/v1/business/id/%d", bizB), oteAuth(ownerA), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))
		resp, body = oteCall("GET", "/v1/business/id/x", oteAuth(ownerA), nil)
		expect422(resp, body, "id")
		resp, body = oteCall("GET", "/v1/business", oteAuth(ownerA), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(body).To(HaveKeyWithValue("total", BeEquivalentTo(1)))
		resp, body = oteCall("GET", "/v1/business?name=ote-biz-&pageSize=1&page=2&order=desc", oteAuth(sysToken), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		Expect(body["total"]).To(BeNumerically(">=", 2))
		Expect(body["data"]).To(HaveLen(1))
		resp, body = oteCall("GET", "/v1/business?name=ote-biz-b-"+u, oteAuth(sysToken), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		Expect(body).To(HaveKeyWithValue("total", BeEquivalentTo(1)))
		Expect(body["data"].([]any)[0]).To(HaveKeyWithValue("id", BeEquivalentTo(bizB)))
		for _, q := range []string{"page=0", "pageSize=x", "orderBy=name", "order=up"} {
			resp, _ = oteCall("GET", "/v1/business?"+q, oteAuth(sysToken), nil)
			Expect(resp.StatusCode).To(Equal(http.StatusUnprocessableEntity), q)
		}
		resp, _ = oteCall("POST", "/v1/business", oteAuth(ownerA), map[string]any{"name": "n"})
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden)) // scope before parameters

		// Approval of a business: system administrators only, status 0–3.
		resp, _ = oteCall("PUT", fmt.Sprintf("/v1/admin/business/%d/approval", bizA), oteAuth(ownerA), map[string]any{"status": 1})
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))
		resp, body = oteCall("PUT", fmt.Sprintf("/v1/admin/business/%d/approval", bizA), oteAuth(sysToken), map[string]any{"status": 9})
		expect422(resp, body, "status")

		// Sub-users land in the caller's business.
		resp, body = oteCall("POST", "/v1/admin/user", oteAuth(ownerA), map[string]any{
			"user": "ote-suba-" + u, "password": otePassword, "phone": "555 1234", "realName": "Sub A", "isAdmin": false})
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		subA := int64(body["data"].(map[string]any)["id"].(float64))
		resp, body = oteCall("POST", "/v1/admin/user", oteAuth(ownerA), map[string]any{
			"user": "ote-suba-" + u, "password": "weak", "phone": "555 1234", "realName": "Sub A", "isAdmin": false})
		expect422(resp, body, "password")
		resp, body = oteCall("POST", "/v1/admin/user", oteAuth(ownerB), map[string]any{
			"user": "ote-subb-" + u, "password": otePassword, "phone": "555 1234", "realName": "Sub B", "isAdmin": true})
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		subB := int64(body["data"].(map[string]any)["id"].(float64))
		subAToken := oteLogin("ote-suba-"+u, otePassword)
		Expect(oteRole(subAToken)).To(Equal(2))
		subBToken := oteLogin("ote-subb-"+u, otePassword)
		Expect(oteRole(subBToken)).To(Equal(3))
		resp, _ = oteCall("POST", "/v1/admin/user", oteAuth(subAToken), map[string]any{
			"user": "ote-subx-" + u, "password": otePassword, "phone": "555 1234", "realName": "X", "isAdmin": false})
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))

		// Lists: a general administrator sees its business only, a system administrator all.
		resp, body = oteCall("GET", "/v1/admin/user?orderBy=user_name&order=desc", oteAuth(ownerA), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		Expect(body).To(HaveKeyWithValue("total", BeEquivalentTo(2)))
		users := body["data"].([]any)
		Expect(users[0]).To(HaveKeyWithValue("user", "ote-suba-"+u))
		Expect(users[1]).To(HaveKeyWithValue("user", "ote-ownera-"+u))
		Expect(users[0]).To(HaveKeyWithValue("status", BeEquivalentTo(1)))
		Expect(users[0]).To(HaveKeyWithValue("realName", "Sub A"))
		Expect(users[0]).To(HaveKeyWithValue("phone", "555 1234"))
		Expect(users[0]).To(HaveKeyWithValue("id", BeEquivalentTo(subA)))
		Expect(users[0]).To(HaveKey("createTime"))
		Expect(users[0]).To(HaveKey("updateTime"))
		resp, body = oteCall("GET", "/v1/admin/user?pageSize=1&page=2", oteAuth(ownerA), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		Expect(body).To(HaveKeyWithValue("total", BeEquivalentTo(2)))
		Expect(body["data"]).To(HaveLen(1))
		Expect(body["data"].([]any)[0]).To(HaveKeyWithValue("user", "ote-suba-"+u))
		resp, body = oteCall("GET", "/v1/admin/user?pageSize=1000", oteAuth(sysToken), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(body["total"]).To(BeNumerically(">=", 5))
		for q, p := range map[string]string{"orderBy=realName": "orderBy", "order=sideways": "order", "page=-1": "page", "pageSize=0": "pageSize"} {
			resp, body = oteCall("GET", "/v1/admin/user?"+q, oteAuth(ownerA), nil)
			expect422(resp, body, p)
		}

		// A general administrator cannot touch another business's users.
		resp, _ = oteCall("PUT", fmt.Sprintf("/v1/admin/user/%d/password", subB), oteAuth(ownerA), map[string]any{"password": "An0therPass"})
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))
		resp, _ = oteCall("DELETE", fmt.Sprintf("/v1/admin/user/%d", subB), oteAuth(ownerA), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))
		resp, _ = oteCall("PUT", fmt.Sprintf("/v1/admin/user/%d", subB), oteAuth(ownerA), map[string]any{"status": 3})
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))
		Expect(oteRole(subBToken)).To(Equal(3))

		// Within its own business it resets passwords and deletes.
		resp, body = oteCall("PUT", fmt.Sprintf("/v1/admin/user/%d/password", subA), oteAuth(ownerA), map[string]any{"password": "short"})
		expect422(resp, body, "password")
		resp, body = oteCall("PUT", fmt.Sprintf("/v1/admin/user/%d/password", subA), oteAuth(ownerA), map[string]any{})
		expect422(resp, body, "password")
		resp, body = oteCall("PUT", fmt.Sprintf("/v1/admin/user/%d/password", subA), oteAuth(ownerA), map[string]any{"password": "Res3tPassword"})
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		oteLogin("ote-suba-"+u, "Res3tPassword")
		resp, body = oteCall("DELETE", "/v1/admin/user/0", oteAuth(ownerA), nil)
		expect422(resp, body, "userId")
		resp, body = oteCall("DELETE", fmt.Sprintf("/v1/admin/user/%d", subA), oteAuth(ownerA), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		resp, _ = oteCall("GET", "/v1/authorization", oteAuth(subAToken), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		resp, _ = oteCall("POST", "/v1/authorization", nil, map[string]any{"user": "ote-suba-" + u, "password": "Res3tPassword"})
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))

		// The system administrator acts everywhere.
		resp, body = oteCall("PUT", fmt.Sprintf("/v1/admin/user/%d/password", subB), oteAuth(sysToken), map[string]any{"password": "Sys5etPassword"})
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		oteLogin("ote-subb-"+u, "Sys5etPassword")

		// A business pending approval gets no sub-users.
		resp, _ = oteCall("PUT", fmt.Sprintf("/v1/admin/business/%d/approval", bizB), oteAuth(sysToken), map[string]any{"status": 0})
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		resp, body = oteCall("GET", fmt.Sprintf("/v1/business/id/%d", bizB), oteAuth(ownerB), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
		Expect(body["data"]).To(HaveKeyWithValue("status", BeEquivalentTo(0)))
		resp, _ = oteCall("POST", "/v1/admin/user", oteAuth(ownerB), map[string]any{
			"user": "ote-subc-" + u, "password": otePassword, "phone": "555 1234", "realName": "Sub C", "isAdmin": false})
		Expect(resp.StatusCode).To(Equal(http.StatusForbidden))

		// A Group lock stops sign-in and open sessions, with 423.
		lockGroup(bizGroup.Name, true)
		DeferCleanup(lockGroup, bizGroup.Name, false)
		Eventually(func() int {
			resp, _ := oteCall("POST", "/v1/authorization", nil, map[string]any{"user": "ote-ownera-" + u, "password": otePassword})
			return resp.StatusCode
		}, 10*time.Second, 100*time.Millisecond).Should(Equal(http.StatusLocked))
		resp, body = oteCall("GET", "/v1/authorization", oteAuth(ownerA), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusLocked))
		Expect(body["message"]).To(ContainSubstring("locked"))
		lockGroup(bizGroup.Name, false)
		Eventually(func() int {
			resp, _ := oteCall("GET", "/v1/authorization", oteAuth(ownerA), nil)
			return resp.StatusCode
		}, 10*time.Second, 100*time.Millisecond).Should(Equal(http.StatusOK))
	})

	It("refuses to create a business for an administrator whose account holds tokens, losing nothing", func() {
		user := "ote-holder-" + u
		id := oteRegister(user, true)
		oteApprove(sysToken, id, 1)
		tok := oteLogin(user, otePassword)
		ctx := context.Background()
		var acct *tenancyv1alpha1.Account
		all := &tenancyv1alpha1.AccountList{}
		Expect(k8s.List(ctx, all)).To(Succeed())
		for i := range all.Items {
			if all.Items[i].Spec.Login == user {
				acct = &all.Items[i]
			}
		}
		Expect(acct).NotTo(BeNil())
		held := newToken(acct.Namespace, "ote-held-"+u, acct.Name)
		Expect(k8s.Create(ctx, held)).To(Succeed())
		Eventually(func() int {
			resp, _ := oteCall("POST", "/v1/business", oteAuth(tok), map[string]any{
				"name": "Holder " + u, "introduce": "intro", "objective": "objective", "scale": "10"})
			return resp.StatusCode
		}, 10*time.Second, 200*time.Millisecond).Should(Equal(http.StatusConflict))
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(held), &tenancyv1alpha1.Token{})).To(Succeed(), "the token is still there")
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(acct), &tenancyv1alpha1.Account{})).To(Succeed(), "the account did not move")
	})

	It("serves its OpenAPI document", func() {
		resp, body := oteCall("GET", "/v1/docs/spec", nil, nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(body["raw"]).To(ContainSubstring("openapi: 3"))
		Expect(body["raw"]).To(ContainSubstring("/v1/admin/business/{id}/approval"))
	})
})

// lockGroup sets or clears a Group's lock.
func lockGroup(name string, on bool) {
	GinkgoHelper()
	Eventually(func() error {
		g := &tenancyv1alpha1.Group{}
		if err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, g); err != nil {
			return err
		}
		g.Spec.Lock.Enabled = on
		g.Spec.Lock.Reason = "ote test " + strconv.FormatBool(on)
		return k8s.Update(context.Background(), g)
	}, 10*time.Second, 100*time.Millisecond).Should(Succeed())
}
