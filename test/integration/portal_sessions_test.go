package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/verify"
)

var _ = Describe("The portal's sessions (/api/1/login, /logout, /profile, /profiles)", func() {
	groupPath := func(id int64) string { return fmt.Sprintf("/groups/%d", id) }

	It("signs in with username and password: the SESSION cookie, with its attributes, authenticates", func() {
		ctx := context.Background()
		company := createGroup(asAdmin, rootID(), "Sessions "+oteUniq(), 40)
		adm := portalPerson(company, tenancyv1alpha1.AccessFull)
		secrets := &corev1.SecretList{}
		Expect(k8s.List(ctx, secrets, client.InNamespace(adm.acct.Namespace))).To(Succeed())
		before := len(secrets.Items)

		r, ck := signIn(adm.login, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(HaveKeyWithValue("message", "Success"))
		Expect(r.Body).To(HaveKeyWithValue("client_ip", "127.0.0.1"))
		Expect(r.Body["accounts"]).To(HaveLen(1))
		acc := r.Body["accounts"].([]any)[0].(map[string]any)
		Expect(acc).To(HaveKeyWithValue("id", BeEquivalentTo(liveAdmin(adm.admin).Spec.ID)))
		Expect(acc).To(HaveKeyWithValue("user_id", BeEquivalentTo(oteAccount(adm.login).Spec.ID)))
		Expect(acc).To(HaveKeyWithValue("login", adm.login))
		Expect(acc).To(HaveKeyWithValue("email", adm.login))
		Expect(acc).To(HaveKeyWithValue("access_type", BeEquivalentTo(15)))
		Expect(acc["group"]).To(HaveKeyWithValue("id", BeEquivalentTo(company)))
		Expect(acc["group"]).To(HaveKeyWithValue("kind", BeEquivalentTo(40)))

		Expect(ck).NotTo(BeNil())
		Expect(ck.HttpOnly).To(BeTrue())
		Expect(ck.SameSite).To(Equal(http.SameSiteLaxMode))
		Expect(ck.Path).To(Equal("/api/1"))
		Expect(ck.Secure).To(BeFalse(), "plain HTTP")
		Expect(ck.MaxAge).To(BeNumerically(">", 0))

		// The cookie alone authenticates, inside the account's subtree only.
		Expect(portalCall("GET", groupPath(company), anon, nil, withCookie(ck)...).Status).To(Equal(http.StatusOK))
		expectPortalError(portalCall("GET", groupPath(rootID()), anon, nil, withCookie(ck)...), http.StatusForbidden)
		// A forged one does not; another application's non-JWT SESSION cookie leaves Basic to decide.
		expectPortalError(portalCall("GET", groupPath(company), anon, nil, "Cookie", "SESSION=a.b.c"), http.StatusUnauthorized)
		Expect(portalCall("GET", groupPath(company), adm.basic(), nil, "Cookie", "SESSION=c09fef6c-43ba").Status).
			To(Equal(http.StatusOK))

		// No object per sign-in.
		Expect(k8s.List(ctx, secrets, client.InNamespace(adm.acct.Namespace))).To(Succeed())
		Expect(secrets.Items).To(HaveLen(before))
	})

	It("answers unknown login and wrong password alike, and bad bodies in the seed's application dialect", func() {
		company := createGroup(asAdmin, rootID(), "Refusals "+oteUniq(), 40)
		adm := portalPerson(company, tenancyv1alpha1.AccessFull)

		wrong := portalCall("POST", "/login", anon, map[string]any{"username": adm.login, "password": "not-it"})
		unknown := portalCall("POST", "/login", anon, map[string]any{"username": newLogin("nobody"), "password": "not-it"})
		expectAppError(wrong, http.StatusUnauthorized)
		Expect(unknown.Raw).To(Equal(wrong.Raw))
		Expect(sessionCookie(wrong)).To(BeNil())

		Expect(expectAppError(portalCall("POST", "/login", anon, "{"), http.StatusBadRequest)).
			To(Equal("Request body contains badly-formed JSON."))
		expectAppError(portalCall("POST", "/login", anon, map[string]any{"username": adm.login, "password": personPassword,
			"remember": 1}), http.StatusBadRequest)
		expectAppError(portalCall("POST", "/login", anon, map[string]any{"username": adm.login, "password": personPassword,
			"user_id": "one"}), http.StatusBadRequest)
		expectAppError(portalCall("POST", "/login", anon, map[string]any{"username": adm.login}), http.StatusBadRequest)
		expectAppError(portalCall("POST", "/login", anon, `{"username":"x"}`, "Content-Type", "text/plain"),
			http.StatusUnsupportedMediaType)
		nf, ck := signIn(adm.login, map[string]any{"user_id": 999999999})
		expectAppError(nf, http.StatusNotFound)
		Expect(ck).To(BeNil())
	})

	It("locks a login out after 5 failures: 423 with Retry-After, even for the right password and for Basic", func() {
		company := createGroup(asAdmin, rootID(), "Lockout "+oteUniq(), 40)
		adm := portalPerson(company, tenancyv1alpha1.AccessFull)
		for range 5 {
			expectAppError(portalCall("POST", "/login", anon, map[string]any{"username": adm.login, "password": "guess"}),
				http.StatusUnauthorized)
		}
		r, ck := signIn(adm.login, nil)
		expectPortalError(r, http.StatusLocked)
		Expect(ck).To(BeNil())
		retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
		Expect(err).NotTo(HaveOccurred())
		Expect(retry).To(BeNumerically("~", 30, 30))
		b := portalCall("GET", groupPath(company), adm.basic(), nil)
		expectPortalError(b, http.StatusLocked)
		Expect(b.Header.Get("Retry-After")).NotTo(BeEmpty())
	})

	It("ends that session at logout, at once, and not the account's others", func() {
		ctx := context.Background()
		company := createGroup(asAdmin, rootID(), "Logout "+oteUniq(), 40)
		adm := portalPerson(company, tenancyv1alpha1.AccessReadWrite)
		_, first := signIn(adm.login, nil)
		_, second := signIn(adm.login, nil)
		_, third := signIn(adm.login, nil)

		out := portalCall("POST", "/logout", anon, nil, withCookie(first)...)
		Expect(out.Status).To(Equal(http.StatusNoContent), "body %s", out.Raw)
		cleared := sessionCookie(out)
		Expect(cleared).NotTo(BeNil())
		Expect(cleared.MaxAge).To(BeNumerically("<", 0))
		expectPortalError(portalCall("GET", groupPath(company), anon, nil, withCookie(first)...), http.StatusUnauthorized)
		Expect(portalCall("GET", groupPath(company), anon, nil, withCookie(second)...).Status).To(Equal(http.StatusOK))

		get := portalCall("GET", "/logout", anon, nil, withCookie(second)...)
		Expect(get.Status).To(Equal(http.StatusOK))
		Expect(string(get.Raw)).To(MatchJSON(`"Success"`))
		expectPortalError(portalCall("GET", groupPath(company), anon, nil, withCookie(second)...), http.StatusUnauthorized)
		Expect(portalCall("GET", groupPath(company), anon, nil, withCookie(third)...).Status).To(Equal(http.StatusOK))

		// The sign-outs are on the shared revocation list every replica reads.
		cm := &corev1.ConfigMap{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "tessera-system", Name: verify.RevokedSessionsConfigMap}, cm)).To(Succeed())
		Expect(cm.Data).To(HaveKey(oteJWTPayload(first.Value)["jti"]))
		Expect(cm.Data).To(HaveKey(oteJWTPayload(second.Value)["jti"]))
		Expect(cm.Data).NotTo(HaveKey(oteJWTPayload(third.Value)["jti"]))
		expectPortalError(portalCall("POST", "/logout", anon, nil), http.StatusUnauthorized)
	})

	It("keeps a session to its identity: another account's SESSION cannot switch, the same account's is replaced", func() {
		company := createGroup(asAdmin, rootID(), "Switch "+oteUniq(), 40)
		a, b := portalPerson(company, tenancyv1alpha1.AccessFull), portalPerson(company, tenancyv1alpha1.AccessFull)
		_, ckA := signIn(a.login, nil)
		r, ckB := signIn(b.login, nil, withCookie(ckA)...)
		Expect(expectAppError(r, http.StatusUnauthorized)).
			To(Equal("cannot switch session to user with different identity"))
		Expect(ckB).To(BeNil())

		again, renewed := signIn(a.login, nil, withCookie(ckA)...)
		Expect(again.Status).To(Equal(http.StatusOK))
		expectPortalError(portalCall("GET", groupPath(company), anon, nil, withCookie(ckA)...), http.StatusUnauthorized)
		Expect(portalCall("GET", groupPath(company), anon, nil, withCookie(renewed)...).Status).To(Equal(http.StatusOK))
	})

	It("exchanges a portal JWT for a session with GET /login?jwt=", func() {
		ctx := context.Background()
		company := createGroup(asAdmin, rootID(), "JWT "+oteUniq(), 40)
		adm := portalPerson(company, tenancyv1alpha1.AccessFull)
		acct, admin := oteAccount(adm.login), liveAdmin(adm.admin)
		issuer := &verify.Sessions{Verifier: op.Verifier}
		tok, _, err := issuer.IssuePortal(acct, jwt.AudiencePortal, time.Hour,
			&jwt.PortalClaims{Login: adm.login, TenantID: strconv.FormatInt(company, 10), AdminID: admin.Spec.ID})
		Expect(err).NotTo(HaveOccurred())

		r := portalCall("GET", "/login?jwt="+tok, anon, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(HaveKeyWithValue("id", BeEquivalentTo(admin.Spec.ID)))
		Expect(r.Body).To(HaveKeyWithValue("login", adm.login))
		ck := sessionCookie(r)
		Expect(ck).NotTo(BeNil())
		Expect(ck.MaxAge).To(BeNumerically("<=", 3600), "the session ends when the JWT would have")
		Expect(portalCall("GET", groupPath(company), anon, nil, withCookie(ck)...).Status).To(Equal(http.StatusOK))

		expectAppError(portalCall("GET", "/login", anon, nil), http.StatusBadRequest)
		expectAppError(portalCall("GET", "/login?jwt=not-a-jwt", anon, nil), http.StatusUnauthorized)
		// A SESSION is no portal JWT: the audiences keep them apart.
		expectAppError(portalCall("GET", "/login?jwt="+ck.Value, anon, nil), http.StatusUnauthorized)
		gone, _, err := issuer.IssuePortal(acct, jwt.AudiencePortal, time.Hour,
			&jwt.PortalClaims{Login: adm.login, AdminID: admin.Spec.ID + 1000000})
		Expect(err).NotTo(HaveOccurred())
		expectAppError(portalCall("GET", "/login?jwt="+gone, anon, nil), http.StatusNotFound)

		Expect(update(ctx, acct, func(a *tenancyv1alpha1.Account) { a.Spec.Disabled = true })).To(Succeed())
		Eventually(func() int { return portalCall("GET", "/login?jwt="+tok, anon, nil).Status }, 10*time.Second, 50*time.Millisecond).
			Should(Equal(http.StatusForbidden))
		expectAppError(portalCall("GET", "/login?jwt="+tok, anon, nil), http.StatusForbidden)
		expectPortalError(portalCall("GET", groupPath(company), anon, nil, withCookie(ck)...), http.StatusForbidden)
	})

	It("lists the account's grants in /profiles; user_id picks the one a session acts as, /profile shows it", func() {
		ctx := context.Background()
		company := createGroup(asAdmin, rootID(), "Profiles "+oteUniq(), 40)
		adm := portalPerson(company, tenancyv1alpha1.AccessFull)
		reader := &tenancyv1alpha1.Admin{ObjectMeta: metav1.ObjectMeta{Namespace: adm.acct.Namespace, Name: adm.acct.Name + "-ro"},
			Spec: tenancyv1alpha1.AdminSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: adm.acct.Name},
				AccessType: tenancyv1alpha1.AccessRead}}
		Expect(k8s.Create(ctx, reader)).To(Succeed())
		full, ro := liveAdmin(adm.admin).Spec.ID, liveAdmin(reader).Spec.ID
		userID := oteAccount(adm.login).Spec.ID

		var list []any
		Eventually(func() []any {
			r := luna("GET", "/api/1/profiles", adm.basic(), nil)
			Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
			Expect(json.Unmarshal(r.Raw, &list)).To(Succeed())
			return list
		}, 10*time.Second, 50*time.Millisecond).Should(HaveLen(2))
		Expect(list).To(ConsistOf(
			SatisfyAll(HaveKeyWithValue("id", BeEquivalentTo(full)), HaveKeyWithValue("access_type", BeEquivalentTo(15)),
				HaveKeyWithValue("user_id", BeEquivalentTo(userID))),
			SatisfyAll(HaveKeyWithValue("id", BeEquivalentTo(ro)), HaveKeyWithValue("access_type", BeEquivalentTo(1)),
				HaveKeyWithValue("user_id", BeEquivalentTo(userID)))))

		r, ck := signIn(adm.login, map[string]any{"user_id": ro})
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body["accounts"]).To(HaveLen(2))
		prof := portalCall("GET", "/profile", anon, nil, withCookie(ck)...)
		Expect(prof.Status).To(Equal(http.StatusOK))
		Expect(prof.Body).To(HaveKeyWithValue("id", BeEquivalentTo(ro)))
		Expect(prof.Body).To(HaveKeyWithValue("access_type", BeEquivalentTo(1)))
		Expect(prof.Body).To(HaveKeyWithValue("session_mfa_status", "passed_or_not_required"))
		// The read-only grant cannot write; the same Account signed in with all its grants can.
		child := map[string]any{"name": "Unit " + oteUniq(), "kind": 50}
		expectPortalError(portalCall("POST", groupPath(company)+"/children", anon, child, withCookie(ck)...), http.StatusForbidden)
		_, all := signIn(adm.login, nil)
		Expect(portalCall("POST", groupPath(company)+"/children", anon, child, withCookie(all)...).Status).To(Equal(http.StatusCreated))

		// A service user signs in with its own profile, but /profile is for administrators.
		user := portalPerson(company, 0)
		ur, uck := signIn(user.login, map[string]any{"user_id": oteAccount(user.login).Spec.ID})
		Expect(ur.Status).To(Equal(http.StatusOK), "body %s", ur.Raw)
		Expect(ur.Body["accounts"]).To(ConsistOf(HaveKeyWithValue("id", BeEquivalentTo(oteAccount(user.login).Spec.ID))))
		expectPortalError(portalCall("GET", "/profile", anon, nil, withCookie(uck)...), http.StatusForbidden)
		expectPortalError(portalCall("GET", "/profile", anon, nil), http.StatusUnauthorized)
		Expect(portalCall("POST", "/logout", anon, nil, withCookie(uck)...).Status).To(Equal(http.StatusNoContent))
	})
})
