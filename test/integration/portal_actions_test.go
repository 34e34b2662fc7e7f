package integration

import (
	"context"
	"fmt"
	"net/http"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/google/uuid"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/jwt"
)

var _ = Describe("The portal's account flows (/api/1/actions)", func() {
	const oldPassword, newPassword = "Old-Passw0rd-1", "New-Passw0rd-2"
	flows := newFlows()

	It("resets a forgotten password through the e-mail's token, once", func() {
		login, email := "reset-"+flows.u, flows.addr("reset")
		flowAccount(flows.company, login, email, oldPassword, tenancyv1alpha1.AccessReadWrite, false)
		visible(login)

		// The open request: login and the account's own e-mail, no credentials.
		r := portalCall("POST", "/actions/mail/reset", anon, map[string]any{"login": login, "email": strings.ToUpper(email)})
		Expect(r.Status).To(Equal(http.StatusNoContent), "body %s", r.Raw)
		m := lastMailTo(email)
		// Asked again at once without credentials: 429 for a minute, and no second mail.
		again := portalCall("POST", "/actions/mail/reset", anon, map[string]any{"login": login, "email": email})
		expectPortalError(again, http.StatusTooManyRequests)
		Expect(again.Header.Get("Retry-After")).To(MatchRegexp(`^[1-6][0-9]?$`))
		Consistently(func() int { return len(mailsTo(email)) }, 500*time.Millisecond).Should(Equal(1))
		Expect(m.action).To(Equal("reset"))
		Expect(m.subject).To(ContainSubstring("Reset"))
		Expect(m.body).To(ContainSubstring(login))
		Expect(m.body).To(ContainSubstring(restURL + "/api/1/actions/reset?token="))
		from, err := netmail.ParseAddress(m.header.Get("From"))
		Expect(err).NotTo(HaveOccurred())
		Expect(from.Address).To(Equal("no-reply@127.0.0.1"))
		Expect(m.header.Get("Content-Type")).To(Equal("text/plain; charset=utf-8"))
		claims := oteJWTPayload(m.token)
		Expect(claims).To(HaveKeyWithValue("aud", jwt.AudienceActionReset))
		Expect(claims["exp"].(float64) - claims["iat"].(float64)).To(BeEquivalentTo(3600))

		// Decoding does not use it up.
		for range 2 {
			d := portalCall("GET", tokenAt("/actions/reset", m.token), anon, nil)
			Expect(d.Status).To(Equal(http.StatusOK), "body %s", d.Raw)
			Expect(d.Body).To(HaveKeyWithValue("login", login))
			Expect(d.Body).To(HaveKeyWithValue("email", email))
			Expect(d.Body).To(HaveKeyWithValue("group_kind", BeEquivalentTo(40)))
			Expect(d.Body).To(HaveKeyWithValue("company_name", "Flows "+flows.u))
			Expect(d.Body).To(HaveKeyWithValue("user_id", BeEquivalentTo(oteAccount(login).Spec.ID)))
		}

		// Refused bodies change nothing and spend nothing.
		for _, bad := range []struct {
			body string
			info string
		}{
			{`{"password":"short"}`, "password"},
			{`{"password":"` + newPassword + `","md5":1}`, "md5"},
			{`{"password":"` + newPassword + `","md5":2}`, "md5"},
			{`{"password":"` + newPassword + `","extra":1}`, "extra"},
			{`{"md5":0}`, "password"},
			{`{"password":`, "Request body contains badly-formed JSON."},
		} {
			info := expectAppError(portalCall("POST", tokenAt("/actions/reset", m.token), anon, bad.body), http.StatusBadRequest)
			Expect(info).To(ContainSubstring(bad.info))
		}
		expectAppError(portalCall("POST", tokenAt("/actions/reset", m.token), anon, `{"password":"x"}`,
			"Content-Type", "text/plain"), http.StatusUnsupportedMediaType)
		Expect(signsIn(flows.company, login, oldPassword)).To(Equal(http.StatusOK))

		r = portalCall("POST", tokenAt("/actions/reset", m.token), anon, map[string]any{"password": newPassword, "md5": 0})
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(string(r.Raw)).To(ContainSubstring(`"Success"`))
		Expect(signsIn(flows.company, login, oldPassword)).To(Equal(http.StatusUnauthorized))
		Expect(signsIn(flows.company, login, newPassword)).To(Equal(http.StatusOK))

		// Once only.
		expectAppError(portalCall("POST", tokenAt("/actions/reset", m.token), anon, map[string]any{"password": "Third-Passw0rd"}),
			http.StatusUnauthorized)
		expectPortalError(portalCall("GET", tokenAt("/actions/reset", m.token), anon, nil), http.StatusUnauthorized)
		Expect(signsIn(flows.company, login, newPassword)).To(Equal(http.StatusOK))

		// Without the token, or with another one, nothing happens either.
		expectAppError(portalCall("POST", "/actions/reset", anon, map[string]any{"password": "Third-Passw0rd"}), http.StatusUnauthorized)
		expectAppError(portalCall("POST", tokenAt("/actions/reset", "not-a-token"), anon, map[string]any{"password": "Third-Passw0rd"}),
			http.StatusUnauthorized)
		expectPortalError(portalCall("GET", "/actions/reset?token=a&token=b", anon, nil), http.StatusBadRequest)
	})

	It("sends a reset e-mail only for the account's own login and address", func() {
		login, email := "nomail-"+flows.u, flows.addr("nomail")
		flowAccount(flows.company, login, email, oldPassword, 0, false)
		visible(login)
		for _, body := range []map[string]any{
			{"login": login, "email": flows.addr("someone-else")},
			{"login": "nobody-" + flows.u, "email": email},
			{"login": login, "email": email, "user_id": 999999999},
		} {
			expectPortalError(portalCall("POST", "/actions/mail/reset", anon, body), http.StatusNotFound)
		}
		for _, body := range []any{
			map[string]any{"login": login},
			map[string]any{"email": email},
			map[string]any{"login": login, "email": email, "bcc": "x@example.com"},
			map[string]any{"login": login, "email": email, "user_id": true},
			`{"login":`,
		} {
			expectPortalError(portalCall("POST", "/actions/mail/reset", anon, body), http.StatusBadRequest)
		}
		expectPortalError(portalCall("POST", "/actions/mail/reset", anon, `{}`, "Content-Type", "text/plain"),
			http.StatusUnsupportedMediaType)
		Expect(mailsTo(email)).To(BeEmpty())
		Expect(mailsTo(flows.addr("someone-else"))).To(BeEmpty())

		// user_id (the account's id or uuid) may name it too; one open mail per account a minute.
		login2, email2 := "nomail2-"+flows.u, flows.addr("nomail2")
		flowAccount(flows.company, login2, email2, oldPassword, 0, false)
		visible(login2)
		for _, tc := range []struct {
			login, email string
			id           any
		}{{login, email, oteAccount(login).Spec.ID}, {login2, email2, oteAccount(login2).Spec.AccountID}} {
			r := portalCall("POST", "/actions/mail/reset", anon, map[string]any{"login": tc.login, "email": tc.email, "user_id": tc.id})
			Expect(r.Status).To(Equal(http.StatusNoContent), "body %s", r.Raw)
			Expect(mailsTo(tc.email)).To(HaveLen(1))
		}
	})

	It("activates an account created without a password, with a 7-day token", func() {
		admin := "flow-admin-" + flows.u
		flowAccount(flows.company, admin, flows.addr("admin"), oldPassword, tenancyv1alpha1.AccessReadWrite, false)
		login, email := "activate-"+flows.u, flows.addr("activate")
		flowAccount(flows.company, login, email, "", tenancyv1alpha1.AccessReadWrite, true)
		visible(login)
		asCompany := basic(admin, oldPassword)

		p := portalCall("GET", "/actions/mail/activate?login="+login, asCompany, nil)
		Expect(p.Status).To(Equal(http.StatusOK), "body %s", p.Raw)
		Expect(p.Body).To(HaveKeyWithValue("action", "activate"))
		Expect(p.Body).To(HaveKeyWithValue("activated", BeEquivalentTo(0)))
		Expect(p.Body).To(HaveKeyWithValue("email", email))
		Expect(p.Body).To(HaveKeyWithValue("base_url", restURL))
		Expect(p.Body).To(HaveKeyWithValue("company", "Flows "+flows.u))
		Expect(p.Body).To(HaveKeyWithValue("support_phone", BeNil()))
		Expect(p.Header.Get("Cache-Control")).To(Equal("no-store"))
		claims := oteJWTPayload(p.Body["token"].(string))
		Expect(claims).To(HaveKeyWithValue("aud", jwt.AudienceActionActivate))
		Expect(claims["exp"].(float64) - claims["iat"].(float64)).To(BeEquivalentTo(7 * 24 * 3600))

		r := portalCall("POST", "/actions/mail/activate", asCompany, map[string]any{"login": login, "email": email})
		Expect(r.Status).To(Equal(http.StatusNoContent), "body %s", r.Raw)
		m := lastMailTo(email)
		Expect(m.action).To(Equal("activate"))
		Expect(m.body).To(ContainSubstring("7 days"))
		Expect(signsIn(flows.company, login, newPassword)).To(Equal(http.StatusUnauthorized))

		// A token of another purpose does not activate, nor does this one reset.
		resetToken := portalCall("GET", "/actions/mail/reset?login="+login, asCompany, nil).Body["token"].(string)
		expectPortalError(portalCall("POST", tokenAt("/actions/activate", resetToken), anon, map[string]any{"password": newPassword}),
			http.StatusUnauthorized)
		expectAppError(portalCall("POST", tokenAt("/actions/reset", m.token), anon, map[string]any{"password": newPassword}),
			http.StatusUnauthorized)
		expectPortalError(portalCall("POST", tokenAt("/actions/activate", m.token), anon, map[string]any{"password": "short"}),
			http.StatusBadRequest)
		Expect(oteAccount(login).Spec.Approval).To(Equal(tenancyv1alpha1.ApprovalPending))

		d := portalCall("GET", tokenAt("/actions/activate", m.token), anon, nil)
		Expect(d.Status).To(Equal(http.StatusOK), "body %s", d.Raw)
		Expect(d.Body).To(HaveKeyWithValue("activated", false))
		Expect(d.Body).To(HaveKeyWithValue("login", login))
		Expect(d.Body).To(HaveKey("terms_url"))
		Expect(d.Body).To(HaveKey("privacy_policy_url"))

		r = portalCall("POST", tokenAt("/actions/activate", m.token), anon, map[string]any{"password": newPassword})
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(oteAccount(login).Spec.Approval).To(Equal(tenancyv1alpha1.ApprovalApproved))
		Expect(signsIn(flows.company, login, newPassword)).To(Equal(http.StatusOK))
		expectPortalError(portalCall("POST", tokenAt("/actions/activate", m.token), anon, map[string]any{"password": oldPassword}),
			http.StatusUnauthorized)

		// Activated, a fresh activation token is refused: the password changes through a reset.
		again := portalCall("GET", "/actions/mail/activate?login="+login, asCompany, nil)
		Expect(again.Body).To(HaveKeyWithValue("activated", BeEquivalentTo(1)))
		info := expectPortalError(portalCall("POST", tokenAt("/actions/activate", again.Body["token"].(string)), anon,
			map[string]any{"password": oldPassword}), http.StatusBadRequest)
		Expect(info).To(ContainSubstring("activated already"))
		Expect(signsIn(flows.company, login, newPassword)).To(Equal(http.StatusOK))
	})

	It("updates the e-mail to a confirmed address, and refuses one another account signs in with (409)", func() {
		login, email := "email-"+flows.u, flows.addr("email")
		flowAccount(flows.company, login, email, oldPassword, tenancyv1alpha1.AccessReadWrite, false)
		taken := flows.addr("taken")
		holder := flowAccount(flows.company, "holder-"+flows.u, taken, oldPassword, 0, false)
		patch := client.MergeFrom(holder.DeepCopy())
		holder.Labels = map[string]string{tenancyv1alpha1.LabelEmailLogin: tenancyv1alpha1.LabelEmailLoginEnabled}
		Expect(k8s.Patch(context.Background(), holder, patch)).To(Succeed())
		visible(login)
		me := basic(login, oldPassword)

		fresh := flows.addr("fresh")
		r := portalCall("POST", "/actions/mail/emailupdate", me, map[string]any{"login": login, "email": fresh})
		Expect(r.Status).To(Equal(http.StatusNoContent), "body %s", r.Raw)
		Expect(mailsTo(email)).To(BeEmpty())
		m := lastMailTo(fresh)
		Expect(m.action).To(Equal("emailupdate"))
		Expect(m.body).To(ContainSubstring(fresh))
		Expect(oteJWTPayload(m.token)).To(HaveKeyWithValue("email", fresh))

		expectPortalError(portalCall("POST", tokenAt("/actions/emailupdate", m.token), anon, `{"email":"x@example.com"}`),
			http.StatusBadRequest)
		expectPortalError(portalCall("POST", tokenAt("/actions/activate", m.token), anon, map[string]any{"password": newPassword}),
			http.StatusUnauthorized)
		Expect(oteAccount(login).Spec.Profile.Email).To(Equal(email))

		done := portalCall("POST", tokenAt("/actions/emailupdate", m.token), anon, nil)
		Expect(done.Status).To(Equal(http.StatusOK), "body %s", done.Raw)
		Expect(done.Body).To(Equal(map[string]any{"login": login, "email": fresh, "old_email": email}))
		acct := oteAccount(login)
		Expect(acct.Spec.Profile.Email).To(Equal(fresh))
		Expect(acct.Labels).To(HaveKeyWithValue(tenancyv1alpha1.LabelEmailLogin, tenancyv1alpha1.LabelEmailLoginEnabled))
		expectPortalError(portalCall("POST", tokenAt("/actions/emailupdate", m.token), anon, nil), http.StatusUnauthorized)

		// Another account signs in with this one: 409, and the e-mail stays.
		r = portalCall("POST", "/actions/mail/emailupdate?login="+login, me, map[string]any{"login": login, "email": taken})
		Expect(r.Status).To(Equal(http.StatusNoContent), "body %s", r.Raw)
		expectPortalError(portalCall("POST", tokenAt("/actions/emailupdate", lastMailTo(taken).token), anon, nil), http.StatusConflict)
		Expect(oteAccount(login).Spec.Profile.Email).To(Equal(fresh))

		// Refusals speak the seed's ApplicationAccountServer dialect here.
		expectAppError(portalCall("POST", "/actions/mail/emailupdate", anon, map[string]any{"login": login, "email": flows.addr("x")}),
			http.StatusUnauthorized)
		expectAppError(portalCall("POST", "/actions/mail/emailupdate", me, map[string]any{"login": "nobody-" + flows.u, "email": flows.addr("x")}),
			http.StatusNotFound)
		expectAppError(portalCall("POST", "/actions/mail/emailupdate", me, map[string]any{"login": login, "email": "not an address"}),
			http.StatusBadRequest)
		expectAppError(portalCall("POST", "/actions/mail/emailupdate?login=someone-else", me,
			map[string]any{"login": login, "email": flows.addr("x")}), http.StatusBadRequest)
		expectAppError(portalCall("POST", "/actions/mail/emailupdate", me, `{}`, "Content-Type", "text/plain"),
			http.StatusUnsupportedMediaType)
		Expect(mailsTo(flows.addr("x"))).To(BeEmpty())
	})

	It("changes the caller's own password given the current one", func() {
		login := "passwd-" + flows.u
		flowAccount(flows.company, login, flows.addr("passwd"), oldPassword, tenancyv1alpha1.AccessRead, false)
		visible(login)
		me := basic(login, oldPassword)
		info := expectAppError(portalCall("POST", "/actions/change_password", me,
			map[string]any{"current_password": "Wrong-Passw0rd", "new_password": newPassword}), http.StatusBadRequest)
		Expect(info).To(ContainSubstring("current_password"))
		Expect(expectAppError(portalCall("POST", "/actions/change_password", me, `{"current_password":`), http.StatusBadRequest)).
			To(Equal("Request body contains badly-formed JSON."))
		for _, body := range []map[string]any{
			{"current_password": oldPassword},
			{"current_password": oldPassword, "new_password": "short"},
			{"current_password": oldPassword, "new_password": newPassword, "login": login},
			{"current_password": oldPassword, "new_password": 12345678},
		} {
			expectAppError(portalCall("POST", "/actions/change_password", me, body), http.StatusBadRequest)
		}
		Expect(expectAppError(portalCall("POST", "/actions/change_password", me, `{}`, "Content-Type", "text/plain"),
			http.StatusUnsupportedMediaType)).To(Equal("Content must be JSON"))
		expectPortalError(portalCall("POST", "/actions/change_password", anon,
			map[string]any{"current_password": oldPassword, "new_password": newPassword}), http.StatusUnauthorized)
		Expect(signsIn(flows.company, login, oldPassword)).To(Equal(http.StatusOK))

		r := portalCall("POST", "/actions/change_password", me, map[string]any{"current_password": oldPassword, "new_password": newPassword})
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(signsIn(flows.company, login, oldPassword)).To(Equal(http.StatusUnauthorized))
		Expect(signsIn(flows.company, login, newPassword)).To(Equal(http.StatusOK))
	})

	It("renames an account for the root administrator only", func() {
		login := "rename-" + flows.u
		flowAccount(flows.company, login, flows.addr("rename"), oldPassword, tenancyv1alpha1.AccessFull, false)
		visible(login)
		renamed := "renamed-" + flows.u
		expectPortalError(portalCall("POST", "/actions/change_login", basic(login, oldPassword),
			map[string]any{"login": login, "newlogin": renamed}), http.StatusForbidden)
		for _, tc := range []struct {
			path   string
			body   any
			status int
		}{
			{"/actions/change_login", map[string]any{"login": login, "newlogin": adminLogin}, http.StatusConflict},
			{"/actions/change_login", map[string]any{"login": "nobody-" + flows.u, "newlogin": renamed}, http.StatusNotFound},
			{"/actions/change_login", map[string]any{"login": login, "newlogin": "has space"}, http.StatusBadRequest},
			{"/actions/change_login", map[string]any{"login": login, "newlogin": "ab"}, http.StatusBadRequest},
			{"/actions/change_login", map[string]any{"login": login}, http.StatusBadRequest},
			{"/actions/change_login", map[string]any{"login": login, "newlogin": renamed, "x": 1}, http.StatusBadRequest},
			{"/actions/change_login?local=2", map[string]any{"login": login, "newlogin": renamed}, http.StatusBadRequest},
		} {
			expectPortalError(portalCall("POST", tc.path, asAdmin, tc.body), tc.status)
			Expect(oteAccount(login).Spec.Login).To(Equal(login))
		}
		r := portalCall("POST", "/actions/change_login?local=1", asAdmin, map[string]any{"login": login, "newlogin": renamed})
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(oteAccount(renamed).Name).NotTo(BeEmpty())
		Expect(signsIn(flows.company, renamed, oldPassword)).To(Equal(http.StatusOK))
		Expect(signsIn(flows.company, login, oldPassword)).To(Equal(http.StatusUnauthorized))
	})

	It("refuses expired tokens, tokens of other purposes, and tokens inside a locked group", func() {
		login, email := "expired-"+flows.u, flows.addr("expired")
		flowAccount(flows.company, login, email, oldPassword, tenancyv1alpha1.AccessReadWrite, false)
		visible(login)
		acct := oteAccount(login)

		// Signed with Tessera's key for the reset audience, but an hour past its exp.
		sign := func(aud string, exp time.Time) string {
			tok, err := jwt.SignSession(op.Keys.Load(), jwt.SessionClaims{ID: uuid.NewString(), Subject: acct.Spec.AccountID,
				Audience: aud, Issuer: restURL, IssuedAt: exp.Add(-time.Hour), ExpiresAt: exp,
				Portal: &jwt.PortalClaims{Login: login, TenantID: fmt.Sprint(flows.company)}})
			Expect(err).NotTo(HaveOccurred())
			return tok
		}
		expired := sign(jwt.AudienceActionReset, time.Now().Add(-time.Hour))
		Expect(expectPortalError(portalCall("GET", tokenAt("/actions/reset", expired), anon, nil), http.StatusUnauthorized)).
			To(ContainSubstring("expired"))
		expectAppError(portalCall("POST", tokenAt("/actions/reset", expired), anon, map[string]any{"password": newPassword}),
			http.StatusUnauthorized)
		// A portal JWT or sign-in session is no action token.
		for _, aud := range []string{jwt.AudiencePortal, jwt.AudiencePortalSession} {
			expectAppError(portalCall("POST", tokenAt("/actions/reset", sign(aud, time.Now().Add(time.Hour))), anon,
				map[string]any{"password": newPassword}), http.StatusUnauthorized)
		}
		Expect(signsIn(flows.company, login, oldPassword)).To(Equal(http.StatusOK))

		// Inside a locked group, tokens serve nothing and no e-mail goes out.
		valid := sign(jwt.AudienceActionReset, time.Now().Add(time.Hour))
		Expect(portalCall("POST", fmt.Sprintf("/groups/%d/lock", flows.company), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		expectPortalError(portalCall("GET", tokenAt("/actions/reset", valid), anon, nil), http.StatusLocked)
		expectPortalError(portalCall("POST", tokenAt("/actions/reset", valid), anon, map[string]any{"password": newPassword}),
			http.StatusLocked)
		expectPortalError(portalCall("POST", "/actions/mail/reset", anon, map[string]any{"login": login, "email": email}),
			http.StatusLocked)
		Expect(mailsTo(email)).To(BeEmpty())
		Expect(portalCall("DELETE", fmt.Sprintf("/groups/%d/lock", flows.company), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		r := portalCall("POST", tokenAt("/actions/reset", valid), anon, map[string]any{"password": newPassword})
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(signsIn(flows.company, login, newPassword)).To(Equal(http.StatusOK))
	})
})
