package integration

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

var _ = Describe("Luna access rules", func() {
	ctx := context.Background()

	It("opens only version, health, docs and the verifier without credentials", func() {
		for _, p := range []string{"/1/accounts", "/1/accounts/count", "/1/accounts/" + uuid.NewString(), "/1/tokens",
			"/1/tokens/" + uuid.NewString(), "/1/config", "/1/plugins"} {
			r := luna("GET", p, anon, nil)
			expectLunaError(r, http.StatusUnauthorized, 90001)
			Expect(r.Header.Get("WWW-Authenticate")).To(Equal(`Basic realm="tessera"`))
		}
		expectLunaError(luna("POST", "/1/accounts", anon, map[string]any{}), http.StatusUnauthorized, 90001)
		expectLunaError(luna("POST", "/1/tokens", anon, map[string]any{}), http.StatusUnauthorized, 90001)
		Expect(luna("GET", "/version", anon, nil).Status).To(Equal(http.StatusOK))
		Expect(luna("GET", "/healthcheck", anon, nil).Status).To(Equal(http.StatusOK))
		Expect(luna("GET", "/1/docs/dev", anon, nil).Status).To(Equal(http.StatusOK))
		Expect(luna("GET", "/1/docs/spec", anon, nil, "Accept", "application/x-yaml").Status).To(Equal(http.StatusOK))

		wrong := luna("GET", "/1/accounts", basic(newLogin("nobody"), "wrong-pw"), nil)
		expectLunaError(wrong, http.StatusUnauthorized, 41006)
		expectLunaError(luna("GET", "/1/accounts", bearer("not.a.jwt"), nil), http.StatusUnauthorized, 90002)
	})

	It("lets advanced_user and user accounts see and manage only themselves", func() {
		for _, typ := range []string{"advanced_user", "user"} {
			login := newLogin(typ)
			me := createLunaAccount(login, "pw-123", typ)
			other := createLunaAccount(newLogin("other"), "pw-123", "user")
			c := basic(login, "pw-123")

			list := luna("GET", "/1/accounts", c, nil)
			Expect(list.Status).To(Equal(http.StatusOK))
			Expect(list.Body).To(HaveKeyWithValue("total_count", BeEquivalentTo(1)))
			Expect(luna("GET", "/1/accounts/count", c, nil).Body).To(HaveKeyWithValue("count", BeEquivalentTo(1)))
			Expect(luna("GET", "/1/accounts/"+me, c, nil).Status).To(Equal(http.StatusOK))
			expectLunaError(luna("GET", "/1/accounts/"+other, c, nil), http.StatusNotFound, 28001)
			expectLunaError(luna("PATCH", "/1/accounts/"+other, c, map[string]any{"description": "x"}), http.StatusNotFound, 28001)
			expectLunaError(luna("DELETE", "/1/accounts/"+other, c, nil), http.StatusNotFound, 28001)
			expectLunaError(luna("POST", "/1/accounts", c, map[string]any{"login": newLogin("n"), "password": "pw-123", "account_type": "user"}),
				http.StatusForbidden, 90003)
			expectLunaError(luna("PATCH", "/1/accounts/"+me, c, map[string]any{"account_type": "admin"}), http.StatusForbidden, 90003)
			Expect(luna("PATCH", "/1/accounts/"+me, c, map[string]any{"description": "mine"}).Status).To(Equal(http.StatusNoContent))

			vis := "account"
			if typ == "user" {
				expectLunaError(luna("POST", "/1/tokens", c, map[string]any{"permissions": map[string]any{}, "expiration_time": nil, "visibility_area": "all"},
					"Luna-Account-Id", me), http.StatusBadRequest, 41009)
			} else {
				vis = "all"
			}
			_, mine := createLunaToken(c, me, map[string]any{"permissions": map[string]any{}, "expiration_time": nil, "visibility_area": vis})
			expectLunaError(luna("POST", "/1/tokens", c, map[string]any{"permissions": map[string]any{}, "expiration_time": nil},
				"Luna-Account-Id", other), http.StatusNotFound, 28001)
			_, theirs := createLunaToken(asAdmin, other, map[string]any{"permissions": map[string]any{}, "expiration_time": nil, "visibility_area": "account"})
			toks := luna("GET", "/1/tokens?page_size=100", c, nil)
			Expect(toks.Status).To(Equal(http.StatusOK))
			Expect(toks.Body["tokens"]).To(HaveLen(1))
			Expect(toks.Body["tokens"].([]any)[0]).To(HaveKeyWithValue("token_id", mine))
			expectLunaError(luna("GET", "/1/tokens/"+theirs, c, nil), http.StatusNotFound, 41003)
			expectLunaError(luna("DELETE", "/1/tokens/"+theirs, c, nil), http.StatusNotFound, 41003)
			expectLunaError(luna("GET", "/1/config", c, nil), http.StatusForbidden, 90003)
			Expect(luna("GET", "/1/plugins", c, nil).Status).To(Equal(http.StatusOK))
			Expect(luna("DELETE", "/1/tokens/"+mine, c, nil).Status).To(Equal(http.StatusNoContent))
			Expect(luna("DELETE", "/1/accounts/"+me, c, nil).Status).To(Equal(http.StatusNoContent))
		}
	})

	It("lets a token act within its permissions and visibility area", func() {
		login := newLogin("bearer")
		me := createLunaAccount(login, "pw-123", "advanced_user")
		viewOnly, _ := createLunaToken(asAdmin, me, map[string]any{"permissions": map[string]any{"token": []string{"view"}},
			"expiration_time": nil, "visibility_area": "account"})
		// An empty token list is stored as the CRD default, [view]: every token may view tokens.
		none, _ := createLunaToken(asAdmin, me, map[string]any{"permissions": map[string]any{"face": []string{"view"}},
			"expiration_time": nil, "visibility_area": "all"})
		creator, _ := createLunaToken(asAdmin, me, map[string]any{"permissions": map[string]any{"token": []string{"creation", "deletion"}},
			"expiration_time": nil, "visibility_area": "all"})

		Expect(luna("GET", "/1/tokens", bearer(viewOnly), nil).Status).To(Equal(http.StatusOK))
		expectLunaError(luna("POST", "/1/tokens", bearer(none), map[string]any{"permissions": map[string]any{}, "expiration_time": nil},
			"Luna-Account-Id", me), http.StatusForbidden, 90003)
		expectLunaError(luna("POST", "/1/tokens", bearer(viewOnly), map[string]any{"permissions": map[string]any{}, "expiration_time": nil},
			"Luna-Account-Id", me), http.StatusForbidden, 90003)
		_, made := createLunaToken(bearer(creator), me, map[string]any{"permissions": map[string]any{}, "expiration_time": nil})
		expectLunaError(luna("DELETE", "/1/tokens/"+made, bearer(viewOnly), nil), http.StatusForbidden, 90003)
		Expect(luna("DELETE", "/1/tokens/"+made, bearer(creator), nil).Status).To(Equal(http.StatusNoContent))
		expectLunaError(luna("PUT", "/1/tokens/"+made, bearer(creator), map[string]any{"permissions": map[string]any{}, "expiration_time": nil}),
			http.StatusForbidden, 90003)

		// Accounts: visibility "account" sees only its own; "all" sees every account; no writes.
		Expect(luna("GET", "/1/accounts", bearer(viewOnly), nil).Body).To(HaveKeyWithValue("total_count", BeEquivalentTo(1)))
		Expect(luna("GET", "/1/accounts", bearer(none), nil).Body["total_count"]).To(BeNumerically(">", 1))
		expectLunaError(luna("PATCH", "/1/accounts/"+me, bearer(creator), map[string]any{"description": "x"}), http.StatusForbidden, 90003)
		expectLunaError(luna("DELETE", "/1/accounts/"+me, bearer(creator), nil), http.StatusForbidden, 90003)
		expectLunaError(luna("POST", "/1/accounts", bearer(creator), map[string]any{"login": newLogin("t"), "password": "pw-123", "account_type": "user"}),
			http.StatusForbidden, 90003)
	})

	It("refuses accounts under a Group lock, naming the locking group", func() {
		ns := groupNamespace(ctx, "luna-lock")
		login := newLogin("locked")
		a := newAccount(ns, "locked", login)
		Expect(k8s.Create(ctx, a)).To(Succeed())
		Expect(storePassword(ctx, a, "pw-123")).To(Succeed())
		expectAccountReady(ctx, ns, "locked", metav1.ConditionTrue, "PasswordHashStored", 20*time.Second)
		Eventually(func() int { return luna("GET", "/1/accounts", basic(login, "pw-123"), nil).Status }, 10*time.Second, 100*time.Millisecond).
			Should(Equal(http.StatusOK))
		setLock(ctx, "luna-lock", true, "audit")
		Eventually(func() any { return luna("GET", "/1/accounts", basic(login, "pw-123"), nil).Body["error_code"] }, 10*time.Second, 100*time.Millisecond).
			Should(BeEquivalentTo(90004))
		r := luna("GET", "/1/accounts", basic(login, "pw-123"), nil)
		expectLunaError(r, http.StatusForbidden, 90004)
		Expect(r.Body["detail"]).To(ContainSubstring("luna-lock"))
		v := luna("POST", "/1/verifier", anon, map[string]any{"login": login, "password": "pw-123"})
		expectLunaError(v, http.StatusForbidden, 90004)
		// The admin above cannot change an account inside the locked subtree either.
		p := luna("PATCH", "/1/accounts/"+a.Spec.AccountID, asAdmin, map[string]any{"description": "x"})
		expectLunaError(p, http.StatusForbidden, 90004)
		setLock(ctx, "luna-lock", false, "")
	})

	It("serves the docs, config and plugins", func() {
		y := luna("GET", "/1/docs/spec", anon, nil, "Accept", "application/x-yaml")
		Expect(y.Header.Get("Content-Type")).To(Equal("application/x-yaml"))
		Expect(string(y.Raw)).To(ContainSubstring("openapi: 3"))
		for _, p := range []string{"/1/accounts", "/1/tokens/{token_id}", "/1/verifier", "/1/config", "90001", "90029", "41009"} {
			Expect(string(y.Raw)).To(ContainSubstring(p))
		}
		h := luna("GET", "/1/docs/spec", anon, nil, "Accept", "text/html")
		Expect(h.Header.Get("Content-Type")).To(HavePrefix("text/html"))
		Expect(string(h.Raw)).To(ContainSubstring("<html"))
		for _, accept := range []string{"application/json", ""} {
			r := luna("GET", "/1/docs/spec", anon, nil, "Accept", accept)
			expectLunaError(r, http.StatusUnsupportedMediaType, 12024)
			Expect(r.Body["desc"]).To(Equal("Unsupported media type"))
		}
		d := luna("GET", "/1/docs/dev", anon, nil)
		Expect(d.Header.Get("Content-Type")).To(HavePrefix("text/html"))
		Expect(strings.ToLower(string(d.Raw))).To(ContainSubstring("luna-account-id"))

		j := luna("GET", "/1/config", asAdmin, nil, "Accept", "application/json")
		Expect(j.Status).To(Equal(http.StatusOK))
		Expect(j.Body).To(HaveKey("TOKENS"))
		t := luna("GET", "/1/config", asAdmin, nil, "Accept", "text/plain")
		Expect(t.Status).To(Equal(http.StatusOK))
		Expect(string(t.Raw)).To(ContainSubstring("[TOKENS]"))
		expectLunaError(luna("GET", "/1/config", asAdmin, nil, "Accept", "image/png"), http.StatusUnsupportedMediaType, 12024)

		pl := luna("GET", "/1/plugins", asAdmin, nil)
		Expect(pl.Status).To(Equal(http.StatusOK))
		Expect(pl.Body).To(HaveKeyWithValue("plugins", BeEmpty()))
	})

	It("throttles repeated failures for one login with 429 and Retry-After", func() {
		login := newLogin("throttle")
		createLunaAccount(login, "pw-123", "user")
		var last lunaResp
		for range 8 {
			last = luna("GET", "/1/accounts", basic(login, "bad-pw"), nil)
		}
		expectLunaError(last, http.StatusTooManyRequests, 90029)
		Expect(last.Header.Get("Retry-After")).To(MatchRegexp(`^[0-9]+$`))
	})
})

var _ = tenancyv1alpha1.AccountTypeAdmin
