package integration

import (
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// The account flows' e-mails and links: who gets a token, the test e-mail, forgot_link.
var _ = Describe("The portal's account flows (/api/1/actions)", func() {
	const oldPassword = "Old-Passw0rd-1"
	flows := newFlows()

	It("gives tokens only to the account itself or a write administrator above it", func() {
		login, email := "target-"+flows.u, flows.addr("target")
		flowAccount(flows.company, login, email, oldPassword, tenancyv1alpha1.AccessReadWrite, false)
		reader := "reader-" + flows.u
		flowAccount(flows.company, reader, flows.addr("reader"), oldPassword, tenancyv1alpha1.AccessRead, false)
		other := createGroup(asAdmin, rootID(), "Other flows "+flows.u, 40)
		stranger := "stranger-" + flows.u
		flowAccount(other, stranger, flows.addr("stranger"), oldPassword, tenancyv1alpha1.AccessReadWrite, false)
		visible(login)
		visible(reader)
		visible(stranger)

		for _, c := range []cred{basic(reader, oldPassword), basic(stranger, oldPassword)} {
			for _, act := range []string{"activate", "reset", "emailupdate"} {
				expectPortalError(portalCall("GET", "/actions/mail/"+act+"?login="+login+"&email="+flows.addr("new"), c, nil),
					http.StatusForbidden)
			}
			expectPortalError(portalCall("POST", "/actions/mail/activate", c, map[string]any{"login": login, "email": email}),
				http.StatusForbidden)
		}
		expectAppError(portalCall("POST", "/actions/mail/emailupdate", basic(stranger, oldPassword),
			map[string]any{"login": login, "email": flows.addr("new")}), http.StatusForbidden)
		Expect(mailsTo(email)).To(BeEmpty())
		Expect(mailsTo(flows.addr("new"))).To(BeEmpty())

		// Itself: the caller is the default target; a write administrator above: anyone below.
		self := portalCall("GET", "/actions/mail/reset", basic(reader, oldPassword), nil)
		Expect(self.Status).To(Equal(http.StatusOK), "body %s", self.Raw)
		Expect(self.Body).To(HaveKeyWithValue("login", reader))
		Expect(portalCall("GET", "/actions/mail/reset?login="+login, asAdmin, nil).Status).To(Equal(http.StatusOK))
		expectPortalError(portalCall("GET", "/actions/mail/reset?login="+login, anon, nil), http.StatusUnauthorized)
		expectPortalError(portalCall("POST", "/actions/mail/activate", anon, map[string]any{"login": login, "email": email}),
			http.StatusUnauthorized)
		expectPortalError(portalCall("GET", "/actions/mail/reset?login=nobody-"+flows.u, asAdmin, nil), http.StatusNotFound)
		expectPortalError(portalCall("GET", "/actions/mail/reset?login="+login+"&user_id="+fmt.Sprint(oteAccount(reader).Spec.ID),
			asAdmin, nil), http.StatusBadRequest)
		expectPortalError(portalCall("GET", "/actions/mail/reset?login="+login+"&login="+reader, asAdmin, nil), http.StatusBadRequest)
		expectPortalError(portalCall("GET", "/actions/mail/emailupdate?login="+login+"&email=not-an-address", asAdmin, nil),
			http.StatusBadRequest)
	})

	It("gives the forgotten-password link of any login, without credentials", func() {
		r := portalCall("GET", "/actions/forgot_link?username=someone-"+flows.u, anon, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(HaveKeyWithValue("link", restURL+"/forgot_password?username=someone-"+flows.u))
		for _, q := range []string{"", "?username=", "?username=a%20b", "?username=a&username=b"} {
			expectPortalError(portalCall("GET", "/actions/forgot_link"+q, anon, nil), http.StatusBadRequest)
		}
	})

	It("sends a test e-mail through a group's mail settings to the caller", func() {
		login, email := "tester-"+flows.u, flows.addr("tester")
		flowAccount(flows.company, login, email, oldPassword, tenancyv1alpha1.AccessRead, false)
		mute := "mute-" + flows.u
		flowAccount(flows.company, mute, "", oldPassword, tenancyv1alpha1.AccessRead, false)
		visible(login)
		visible(mute)
		me := basic(login, oldPassword)
		r := portalCall("POST", "/actions/mail/test", me, map[string]any{"group_id": flows.company})
		Expect(r.Status).To(Equal(http.StatusNoContent), "body %s", r.Raw)
		m := lastMailTo(email)
		Expect(m.subject).To(ContainSubstring("Test"))
		Expect(m.body).To(ContainSubstring(fmt.Sprintf("Flows %s (%d)", flows.u, flows.company)))
		Expect(portalCall("POST", "/actions/mail/test", me, map[string]any{"group_id": groupCR(flows.company).Spec.UUID}).Status).
			To(Equal(http.StatusNoContent))

		expectPortalError(portalCall("POST", "/actions/mail/test", me, map[string]any{"group_id": rootID()}), http.StatusForbidden)
		expectPortalError(portalCall("POST", "/actions/mail/test", me, map[string]any{"group_id": 999999999}), http.StatusNotFound)
		expectPortalError(portalCall("POST", "/actions/mail/test", me, map[string]any{}), http.StatusBadRequest)
		expectPortalError(portalCall("POST", "/actions/mail/test", me, map[string]any{"group_id": 1.5}), http.StatusBadRequest)
		expectPortalError(portalCall("POST", "/actions/mail/test", basic(mute, oldPassword), map[string]any{"group_id": flows.company}),
			http.StatusBadRequest)
		expectPortalError(portalCall("POST", "/actions/mail/test", anon, map[string]any{"group_id": flows.company}), http.StatusUnauthorized)
		Expect(mailsTo(email)).To(HaveLen(2))
	})
})
