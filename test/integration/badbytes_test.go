package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// badTexts are two spellings of text encoding/json would turn into U+FFFD: a raw byte that is
// not UTF-8, and the JSON escape of a lone surrogate.
var badTexts = map[string]string{"raw 0xff": "bad\xffbytes", `escaped \udc00`: `bad\udc00escape`}

// storedAccount reports whether the API server holds an Account with that login.
func storedAccount(login string) bool {
	GinkgoHelper()
	l := &tenancyv1alpha1.AccountList{}
	Expect(k8s.List(context.Background(), l)).To(Succeed())
	for _, a := range l.Items {
		if a.Spec.Login == login {
			return true
		}
	}
	return false
}

var _ = Describe("Text that is not UTF-8", Ordered, func() {
	u := oteUniq()
	var sysToken string

	BeforeAll(func() { sysToken = oteLogin(adminLogin, adminPassword) }) // the suite waited until ready

	for name, bad := range badTexts {
		It("is refused by the Luna API with 12022 and nothing stored ("+name+")", func() {
			login := newLogin("bb-luna")
			r := luna("POST", "/1/accounts", asAdmin, fmt.Sprintf(
				`{"login":%q,"password":"s3cret-pass","account_type":"user","description":"%s"}`, login, bad))
			expectLunaError(r, http.StatusBadRequest, 12022)
			Expect(r.Body["detail"]).To(ContainSubstring("Path: 'description'"))
			Expect(r.Body["detail"]).To(ContainSubstring("UTF"))
			Expect(storedAccount(login)).To(BeFalse())

			r = luna("POST", "/1/accounts", asAdmin, fmt.Sprintf(
				`{"login":"%s@tessera.example","password":"s3cret-pass","account_type":"user"}`, bad))
			expectLunaError(r, http.StatusBadRequest, 12022)

			id := createLunaAccount(login, "s3cret-pass", "user")
			r = luna("PATCH", "/1/accounts/"+id, asAdmin, fmt.Sprintf(`{"description":"%s"}`, bad))
			expectLunaError(r, http.StatusBadRequest, 12022)
			acct, err := accountCR(context.Background(), id)
			Expect(err).NotTo(HaveOccurred())
			Expect(acct.Spec.Description).NotTo(ContainSubstring("bad"))

			r = luna("POST", "/1/tokens", asAdmin, fmt.Sprintf(`{"description":"%s"}`, bad),
				"Luna-Account-Id", id)
			expectLunaError(r, http.StatusBadRequest, 12022)
			tokens := &tenancyv1alpha1.TokenList{}
			Expect(k8s.List(context.Background(), tokens)).To(Succeed())
			for _, t := range tokens.Items {
				Expect(t.Spec.Description).NotTo(ContainSubstring("bad"), "Token %s/%s", t.Namespace, t.Name)
			}
		})

		It("is refused by the ote-stack API with 400 and nothing stored ("+name+")", func() {
			user := "ote-bb-" + u + strings.ReplaceAll(name[:3], " ", "")
			resp, body := oteCall("POST", "/v1/user", nil, fmt.Sprintf(
				`{"user":%q,"password":%q,"phone":"12345678910","realName":"%s","isAdmin":true}`, user, otePassword, bad))
			Expect(resp.StatusCode).To(Equal(http.StatusBadRequest), "body %v", body)
			Expect(body).To(HaveKeyWithValue("code", BeEquivalentTo(400)))
			Expect(body["message"]).To(ContainSubstring("'realName'"))
			Expect(storedAccount(user)).To(BeFalse())

			resp, body = oteCall("POST", "/v1/authorization", nil, fmt.Sprintf(`{"user":"%s","password":"x"}`, bad))
			Expect(resp.StatusCode).To(Equal(http.StatusBadRequest), "body %v", body)
			Expect(body["message"]).To(ContainSubstring("'user'"))

			// A business name, from an administrator allowed to create one.
			id := oteRegister(user, true)
			oteApprove(sysToken, id, 1)
			tok := oteLogin(user, otePassword)
			resp, body = oteCall("POST", "/v1/business", oteAuth(tok), fmt.Sprintf(
				`{"name":"%s","introduce":"intro","objective":"objective","scale":"10"}`, bad))
			Expect(resp.StatusCode).To(Equal(http.StatusBadRequest), "body %v", body)
			Expect(body["message"]).To(ContainSubstring("'name'"))
			groups := &tenancyv1alpha1.GroupList{}
			Expect(k8s.List(context.Background(), groups)).To(Succeed())
			for _, g := range groups.Items {
				Expect(g.Spec.DisplayName).NotTo(HavePrefix("bad"), "Group %s", g.Name)
			}
		})

		It("is refused by the identity API with 400 and nothing stored ("+name+")", func() {
			nick := "idn-bb-" + u + strings.ReplaceAll(name[:3], " ", "")
			resp, body := oteCall("POST", "/api/v0.1.0/user", nil, fmt.Sprintf(
				`{"nick_name":%q,"first_name":"%s","last_name":"Last","email":"%s@example.org","password":%q}`,
				nick, bad, nick, idnPassword))
			expectIdnError(resp, body, http.StatusBadRequest, "first_name")
			Expect(storedAccount(nick)).To(BeFalse())

			resp, body = oteCall("POST", "/api/v0.1.0/user", nil, fmt.Sprintf(
				`{"nick_name":"%s","first_name":"F","last_name":"L","email":"%s@example.org","password":%q}`,
				bad, nick, idnPassword))
			expectIdnError(resp, body, http.StatusBadRequest, "nick_name")

			resp, body = oteCall("POST", "/api/v1.2.3/access_token", nil, fmt.Sprintf(`{"email":"%s@x.org","password":"x"}`, bad))
			expectIdnError(resp, body, http.StatusBadRequest, "email")
		})
	}

	It("refuses a sign-in with a login longer than any Account's before hashing it", func() {
		long := strings.Repeat("a", 200_000)
		resp, body := oteCall("POST", "/v1/authorization", nil, map[string]any{"user": long, "password": "Wrong1234"})
		expect422(resp, body, "user")
		resp, body = oteCall("POST", "/api/v0.1.0/access_token", nil, map[string]any{"nick_name": long, "password": "Wrong1234"})
		expectIdnError(resp, body, http.StatusUnprocessableEntity, "254")
		r := luna("GET", "/1/accounts", basic(long[:40_000], "Wrong1234"), nil)
		Expect(r.Status).To(Equal(http.StatusUnauthorized), "body %s", r.Raw)
	})
})
