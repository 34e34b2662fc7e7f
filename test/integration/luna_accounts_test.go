package integration

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
)

var _ = Describe("Luna accounts", func() {
	ctx := context.Background()

	It("creates an account as an Account CR with a hash Secret, readable at once", func() {
		login := newLogin("create")
		r := luna("POST", "/1/accounts", asAdmin, map[string]any{
			"login": login, "password": "pw-123", "account_type": "advanced_user", "description": "made by REST"})
		Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
		id := r.Body["account_id"].(string)
		Expect(id).To(MatchRegexp(`^[a-f0-9-]{36}$`))
		Expect(r.Body).To(HaveKeyWithValue("url", "/1/accounts/"+id))
		Expect(r.Header.Get("Location")).To(Equal("/1/accounts/" + id))

		g := luna("GET", "/1/accounts/"+id, asAdmin, nil)
		Expect(g.Status).To(Equal(http.StatusOK), "body %s", g.Raw)
		Expect(g.Body).To(HaveKeyWithValue("login", login))
		Expect(g.Body).To(HaveKeyWithValue("account_type", "advanced_user"))
		Expect(g.Body).To(HaveKeyWithValue("description", "made by REST"))
		Expect(g.Body).To(HaveKey("create_time"))
		Expect(g.Body).To(HaveKey("last_update_time"))

		acct, err := accountCR(ctx, id)
		Expect(err).NotTo(HaveOccurred())
		Expect(acct.Namespace).To(Equal("tessera-root"))
		Expect(acct.Spec.Login).To(Equal(login))
		Expect(acct.Spec.Type).To(Equal(tenancyv1alpha1.AccountTypeAdvancedUser))
		s := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: acct.Namespace, Name: credential.SecretName(acct.Name)}, s)).To(Succeed())
		Expect(string(s.Data[credential.HashKey])).NotTo(ContainSubstring("pw-123"))

		// The new account signs in at once.
		me := luna("GET", "/1/accounts/"+id, basic(login, "pw-123"), nil)
		Expect(me.Status).To(Equal(http.StatusOK), "body %s", me.Raw)
	})

	It("takes the account_id from Luna-Account-Id and refuses duplicates with 41001 and 41002", func() {
		id := uuid.NewString()
		login := newLogin("chosen")
		r := luna("POST", "/1/accounts", asAdmin, map[string]any{"login": login, "password": "pw-123", "account_type": "user"},
			"Luna-Account-Id", id)
		Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
		Expect(r.Body).To(HaveKeyWithValue("account_id", id))

		dupID := luna("POST", "/1/accounts", asAdmin, map[string]any{"login": newLogin("other"), "password": "pw-123", "account_type": "user"},
			"Luna-Account-Id", id)
		expectLunaError(dupID, http.StatusConflict, 41002)
		Expect(dupID.Body["detail"]).To(Equal("Account with account_id '" + id + "' already exists"))

		dupLogin := luna("POST", "/1/accounts", asAdmin, map[string]any{"login": login, "password": "pw-123", "account_type": "user"})
		expectLunaError(dupLogin, http.StatusConflict, 41001)
		Expect(dupLogin.Body["detail"]).To(Equal("Account with login '" + login + "' already exists"))
		Expect(dupLogin.Body["desc"]).To(Equal("Integrity Error"))

		bad := luna("POST", "/1/accounts", asAdmin, map[string]any{"login": newLogin("x"), "password": "pw-123", "account_type": "user"},
			"Luna-Account-Id", "not-a-uuid")
		expectLunaError(bad, http.StatusBadRequest, 11037)
		Expect(bad.Body["detail"]).To(Equal("Luna-Account-Id header is not UUID, format: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"))
	})

	It("refuses bad bodies with 12022, 12002 and 12024", func() {
		for _, body := range []any{
			map[string]any{"login": "not-an-email", "password": "pw-123", "account_type": "user"},
			map[string]any{"login": newLogin("short"), "password": "pw", "account_type": "user"},
			map[string]any{"login": newLogin("type"), "password": "pw-123", "account_type": "root"},
			map[string]any{"login": newLogin("missing"), "password": "pw-123"},
			`{"login": 5}`,
			`{not json`,
			`{"login":"a@b.cd","password":"pw-123","account_type":"user"} {}`,
		} {
			expectLunaError(luna("POST", "/1/accounts", asAdmin, body), http.StatusBadRequest, 12022)
		}
		extra := luna("POST", "/1/accounts", asAdmin, map[string]any{"login": newLogin("e"), "password": "pw-123", "account_type": "user", "extra_field": 1})
		expectLunaError(extra, http.StatusBadRequest, 12022)
		Expect(extra.Body["detail"]).To(Equal("Failed to validate input json. Path: 'extra_field', message: 'extra fields not permitted'"))
		Expect(extra.Body["desc"]).To(Equal("Bad/incomplete input data"))

		noJSON := luna("POST", "/1/accounts", asAdmin, nil)
		expectLunaError(noJSON, http.StatusBadRequest, 12002)
		Expect(noJSON.Body["detail"]).To(Equal("Request does not contain json"))
		expectLunaError(luna("POST", "/1/accounts", asAdmin, "login=x", "Content-Type", "text/plain"), http.StatusUnsupportedMediaType, 12024)
	})

	It("lists accounts with page, page_size, login, account_type, time bounds and targets", func() {
		before := time.Now().Add(-2 * time.Second).UTC().Format(time.RFC3339)
		l1, l2 := newLogin("list"), newLogin("list")
		id1 := createLunaAccount(l1, "pw-123", "user")
		id2 := createLunaAccount(l2, "pw-123", "advanced_user")

		r := luna("GET", "/1/accounts?login="+url.QueryEscape(l1), asAdmin, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(HaveKeyWithValue("total_count", BeEquivalentTo(1)))
		accts := r.Body["accounts"].([]any)
		Expect(accts).To(HaveLen(1))
		Expect(accts[0]).To(HaveKeyWithValue("account_id", id1))

		r = luna("GET", "/1/accounts?account_type=advanced_user&create_time__gte="+url.QueryEscape(before)+"&page_size=100", asAdmin, nil)
		Expect(r.Status).To(Equal(http.StatusOK))
		accounts := r.Body["accounts"].([]any)
		ids := make([]any, 0, len(accounts))
		for _, a := range accounts {
			ids = append(ids, a.(map[string]any)["account_id"])
			Expect(a).To(HaveKeyWithValue("account_type", "advanced_user"))
		}
		Expect(ids).To(ContainElement(id2))
		Expect(ids).NotTo(ContainElement(id1))

		r = luna("GET", "/1/accounts?create_time__lt="+url.QueryEscape(before)+"&page_size=100", asAdmin, nil)
		for _, a := range r.Body["accounts"].([]any) {
			Expect(a.(map[string]any)["account_id"]).NotTo(BeElementOf(id1, id2))
		}

		r = luna("GET", "/1/accounts?targets=login,account_type&login="+url.QueryEscape(l2), asAdmin, nil)
		Expect(r.Body["accounts"].([]any)[0]).To(Equal(map[string]any{"login": l2, "account_type": "advanced_user"}))

		r = luna("GET", "/1/accounts?page=1&page_size=1", asAdmin, nil)
		Expect(r.Body["accounts"]).To(HaveLen(1))
		total := r.Body["total_count"].(float64)
		Expect(total).To(BeNumerically(">=", 3))
		r2 := luna("GET", "/1/accounts?page=2&page_size=1", asAdmin, nil)
		Expect(r2.Body["accounts"]).To(HaveLen(1))
		Expect(r2.Body["accounts"]).NotTo(Equal(r.Body["accounts"]))

		count := luna("GET", "/1/accounts/count", asAdmin, nil)
		Expect(count.Status).To(Equal(http.StatusOK))
		Expect(count.Body["count"]).To(BeNumerically(">=", total))

		for _, q := range []string{"page=0", "page=x", "page_size=0", "page_size=101", "login=nope", "account_type=root",
			"create_time__lt=yesterday", "create_time__gte=2020-13-01", "targets=password"} {
			r := luna("GET", "/1/accounts?"+q, asAdmin, nil)
			expectLunaError(r, http.StatusBadRequest, 12012)
			Expect(r.Body["detail"]).To(HavePrefix("Bad query parameters '"))
		}
		expectLunaError(luna("GET", "/1/accounts/"+id1+"?targets=nope", asAdmin, nil), http.StatusBadRequest, 12012)
		g := luna("GET", "/1/accounts/"+id1+"?targets=login", asAdmin, nil)
		Expect(g.Body).To(Equal(map[string]any{"login": l1}))
	})

	It("patches an account and refuses an empty patch, extra fields and an admin's type change", func() {
		login := newLogin("patch")
		id := createLunaAccount(login, "pw-123", "user")

		empty := luna("PATCH", "/1/accounts/"+id, asAdmin, map[string]any{})
		expectLunaError(empty, http.StatusBadRequest, 12022)
		Expect(empty.Body["detail"]).To(Equal("Failed to validate input json. Path: '', message: 'at least 1 field must be specified'"))
		expectLunaError(luna("PATCH", "/1/accounts/"+id, asAdmin, map[string]any{"extra_field": 1}), http.StatusBadRequest, 12022)

		newLoginName := newLogin("patched")
		r := luna("PATCH", "/1/accounts/"+id, asAdmin, map[string]any{
			"description": "patched", "account_type": "advanced_user", "login": newLoginName, "password": "new-pw-456"})
		Expect(r.Status).To(Equal(http.StatusNoContent), "body %s", r.Raw)
		g := luna("GET", "/1/accounts/"+id, asAdmin, nil)
		Expect(g.Body).To(HaveKeyWithValue("description", "patched"))
		Expect(g.Body).To(HaveKeyWithValue("account_type", "advanced_user"))
		Expect(g.Body).To(HaveKeyWithValue("login", newLoginName))
		Expect(luna("GET", "/1/accounts/"+id, basic(newLoginName, "new-pw-456"), nil).Status).To(Equal(http.StatusOK))

		expectLunaError(luna("PATCH", "/1/accounts/"+id, asAdmin, map[string]any{"login": adminLogin}), http.StatusConflict, 41001)

		adminID := createLunaAccount(newLogin("adm"), "pw-123", "admin")
		fixed := luna("PATCH", "/1/accounts/"+adminID, asAdmin, map[string]any{"account_type": "user"})
		expectLunaError(fixed, http.StatusForbidden, 41004)
		Expect(fixed.Body["detail"]).To(Equal("Account with account_id '" + adminID + "' has admin type and its type can't be changed"))
		Expect(fixed.Body["desc"]).To(Equal("Forbidden"))

		missing := uuid.NewString()
		nf := luna("PATCH", "/1/accounts/"+missing, asAdmin, map[string]any{"description": "x"})
		expectLunaError(nf, http.StatusNotFound, 28001)
		Expect(nf.Body["detail"]).To(Equal("Account with id '" + missing + "' not found"))
	})

	It("deletes an account, its CR and its tokens", func() {
		login := newLogin("del")
		id := createLunaAccount(login, "pw-123", "user")
		_, tokID := createLunaToken(asAdmin, id, map[string]any{"permissions": map[string]any{}, "expiration_time": nil, "visibility_area": "account"})

		Expect(luna("DELETE", "/1/accounts/"+id, asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		expectLunaError(luna("GET", "/1/accounts/"+id, asAdmin, nil), http.StatusNotFound, 28001)
		expectLunaError(luna("DELETE", "/1/accounts/"+id, asAdmin, nil), http.StatusNotFound, 28001)
		Eventually(func() error { _, err := accountCR(ctx, id); return err }, 20*time.Second, 100*time.Millisecond).Should(HaveOccurred())
		Eventually(func() int { return luna("GET", "/1/tokens/"+tokID, asAdmin, nil).Status }, 20*time.Second, 100*time.Millisecond).
			Should(Equal(http.StatusNotFound))
	})

	It("shows an Account created with kubectl", func() {
		login := newLogin("kubectl")
		a := newAccount("tessera-root", "kubectl-"+uuid.NewString()[:8], login)
		Expect(k8s.Create(ctx, a)).To(Succeed())
		Expect(a.Spec.AccountID).NotTo(BeEmpty())
		Eventually(func() any {
			return luna("GET", "/1/accounts?login="+url.QueryEscape(login), asAdmin, nil).Body["total_count"]
		}, 10*time.Second, 50*time.Millisecond).Should(BeEquivalentTo(1))
		g := luna("GET", "/1/accounts/"+a.Spec.AccountID, asAdmin, nil)
		Expect(g.Status).To(Equal(http.StatusOK))
		Expect(g.Body).To(HaveKeyWithValue("account_type", "user"))
	})
})
