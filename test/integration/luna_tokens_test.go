package integration

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

var _ = Describe("Luna tokens and the verifier", func() {
	ctx := context.Background()

	It("creates a token whose JWT is the one in the Token's Secret, and verifies it", func() {
		id := createLunaAccount(newLogin("tok"), "pw-123", "advanced_user")
		r := luna("POST", "/1/tokens", asAdmin, map[string]any{
			"permissions": map[string]any{"token": []string{"view", "creation"}, "face": []string{"matching"}, "my_perm": []string{"view"},
				"emit_events": map[string]any{"allowed": 1, "black_list": []string{uuid.NewString()}}},
			"description": "main token", "expiration_time": nil, "visibility_area": "account"}, "Luna-Account-Id", id)
		Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
		jwt, tokID := r.Body["token"].(string), r.Body["token_id"].(string)
		Expect(r.Body).To(HaveKeyWithValue("url", "/1/tokens/"+tokID))

		l := &tenancyv1alpha1.TokenList{}
		Expect(k8s.List(ctx, l)).To(Succeed())
		var cr *tenancyv1alpha1.Token
		for i := range l.Items {
			if l.Items[i].Spec.TokenID == tokID {
				cr = &l.Items[i]
			}
		}
		Expect(cr).NotTo(BeNil())
		Expect(cr.Spec.Permissions.Custom).To(HaveKey("my_perm"))
		// The JWT answered is one the controller signed into the Token's Secret (the controller may
		// re-sign it with the same claims right after issuing it; the answered one keeps verifying).
		Expect(jwtOf(ctx, cr)).NotTo(BeEmpty())
		Expect(jwt).To(MatchRegexp(`^[\w-]+\.[\w-]+\.[\w-]+$`))

		g := luna("GET", "/1/tokens/"+tokID, asAdmin, nil)
		Expect(g.Status).To(Equal(http.StatusOK), "body %s", g.Raw)
		Eventually(func() any { return luna("GET", "/1/tokens/"+tokID, asAdmin, nil).Body["token"] }, 5*time.Second, 50*time.Millisecond).
			Should(Equal(jwtOf(ctx, cr)))
		Expect(g.Body).To(HaveKeyWithValue("account_id", id))
		Expect(g.Body).To(HaveKeyWithValue("visibility_area", "account"))
		Expect(g.Body).To(HaveKeyWithValue("description", "main token"))
		Expect(g.Body).To(HaveKeyWithValue("expiration_time", BeNil()))
		perms := g.Body["permissions"].(map[string]any)
		Expect(perms).To(HaveKeyWithValue("token", ConsistOf("view", "creation")))
		Expect(perms).To(HaveKey("emit_events"))
		Expect(perms).NotTo(HaveKey("my_perm"))
		custom := luna("GET", "/1/tokens/"+tokID+"?permissions_targets=custom", asAdmin, nil).Body["permissions"]
		Expect(custom).To(Equal(map[string]any{"my_perm": []any{"view"}}))
		all := luna("GET", "/1/tokens/"+tokID+"?permissions_targets=all&account_id="+id, asAdmin, nil).Body["permissions"]
		Expect(all).To(HaveKey("my_perm"))
		Expect(all).To(HaveKey("face"))
		expectLunaError(luna("GET", "/1/tokens/"+tokID+"?account_id="+uuid.NewString(), asAdmin, nil), http.StatusNotFound, 41003)

		v := luna("POST", "/1/verifier?permissions_targets=all", anon, map[string]any{"token": jwt})
		Expect(v.Status).To(Equal(http.StatusOK), "body %s", v.Raw)
		Expect(v.Body).To(HaveKeyWithValue("account_type", "advanced_user"))
		Expect(v.Body["permissions"]).To(HaveKey("my_perm"))

		list := luna("GET", "/1/tokens?account_id="+id+"&permissions_targets=custom", asAdmin, nil)
		Expect(list.Status).To(Equal(http.StatusOK))
		Expect(list.Body["tokens"]).To(HaveLen(1))
	})

	It("grants every standard permission with grant_all_permissions=1", func() {
		id := createLunaAccount(newLogin("grant"), "pw-123", "advanced_user")
		r := luna("POST", "/1/tokens?grant_all_permissions=1", asAdmin, map[string]any{"expiration_time": nil}, "Luna-Account-Id", id)
		Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
		g := luna("GET", "/1/tokens/"+r.Body["token_id"].(string), asAdmin, nil)
		Expect(g.Body["permissions"]).To(HaveKeyWithValue("face", ConsistOf("creation", "view", "modification", "deletion", "matching")))
		Expect(g.Body).To(HaveKeyWithValue("visibility_area", "all"))
		expectLunaError(luna("POST", "/1/tokens?grant_all_permissions=2", asAdmin, map[string]any{"expiration_time": nil}, "Luna-Account-Id", id),
			http.StatusBadRequest, 12012)
	})

	It("refuses bad token requests with the documented errors", func() {
		id := createLunaAccount(newLogin("tokerr"), "pw-123", "user")
		body := map[string]any{"permissions": map[string]any{}, "expiration_time": nil, "visibility_area": "account"}
		missing := luna("POST", "/1/tokens", asAdmin, body)
		expectLunaError(missing, http.StatusBadRequest, 11066)
		Expect(missing.Body["detail"]).To(Equal("Luna-Account-Id header not found"))
		expectLunaError(luna("POST", "/1/tokens", asAdmin, body, "Luna-Account-Id", "xyz"), http.StatusBadRequest, 11037)
		expectLunaError(luna("POST", "/1/tokens", asAdmin, body, "Luna-Account-Id", uuid.NewString()), http.StatusNotFound, 28001)

		for _, bad := range []map[string]any{
			{"permissions": map[string]any{}},
			{"expiration_time": nil},
			{"permissions": map[string]any{"AB": []string{"view"}}, "expiration_time": nil},
			{"permissions": map[string]any{"my_perm": []string{"matching"}}, "expiration_time": nil},
			{"permissions": map[string]any{"event": []string{"deletion"}}, "expiration_time": nil},
			{"permissions": map[string]any{}, "expiration_time": "tomorrow"},
			{"permissions": map[string]any{}, "expiration_time": "2001-01-01T00:00:00Z"},
			{"permissions": map[string]any{}, "expiration_time": nil, "visibility_area": "some"},
			{"permissions": map[string]any{}, "expiration_time": nil, "extra_field": true},
		} {
			expectLunaError(luna("POST", "/1/tokens", asAdmin, bad, "Luna-Account-Id", id), http.StatusBadRequest, 12022)
		}
		refused := luna("POST", "/1/tokens", asAdmin, map[string]any{"permissions": map[string]any{}, "expiration_time": nil, "visibility_area": "all"},
			"Luna-Account-Id", id)
		expectLunaError(refused, http.StatusBadRequest, 41009)
		Expect(refused.Body["detail"]).To(Equal("Specified permissions ('visibility_area') are unacceptable valid for 'user' account type"))

		for _, q := range []string{"permissions_targets=none", "account_id=nope", "page=0", "page_size=500", "create_time__lt=x"} {
			expectLunaError(luna("GET", "/1/tokens?"+q, asAdmin, nil), http.StatusBadRequest, 12012)
		}
		unknown := uuid.NewString()
		nf := luna("GET", "/1/tokens/"+unknown, asAdmin, nil)
		expectLunaError(nf, http.StatusNotFound, 41003)
		Expect(nf.Body["detail"]).To(Equal("Token with id '" + unknown + "' not found"))
		expectLunaError(luna("DELETE", "/1/tokens/"+unknown, asAdmin, nil), http.StatusNotFound, 41003)
		expectLunaError(luna("PUT", "/1/tokens/"+unknown, asAdmin, body), http.StatusNotFound, 41003)
		expectLunaError(luna("DELETE", "/1/tokens/"+unknown+"?account_id=bad", asAdmin, nil), http.StatusBadRequest, 12012)
	})

	It("replaces a token with a new JWT, deletes it, and the verifier then answers 41005", func() {
		id := createLunaAccount(newLogin("put"), "pw-123", "advanced_user")
		jwt, tokID := createLunaToken(asAdmin, id, map[string]any{"permissions": map[string]any{"token": []string{"view"}}, "expiration_time": nil})
		exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		r := luna("PUT", "/1/tokens/"+tokID, asAdmin, map[string]any{
			"permissions": map[string]any{"list": []string{"view"}}, "expiration_time": exp.Format(time.RFC3339),
			"visibility_area": "account", "description": "replaced"}, "Luna-Account-Id", id)
		Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
		Expect(r.Body).To(HaveKeyWithValue("token_id", tokID))
		newJWT := r.Body["token"].(string)
		Expect(newJWT).NotTo(Equal(jwt))
		g := luna("GET", "/1/tokens/"+tokID, asAdmin, nil)
		Expect(g.Body).To(HaveKeyWithValue("description", "replaced"))
		Expect(g.Body).To(HaveKeyWithValue("visibility_area", "account"))
		Expect(g.Body["token"]).NotTo(Equal(jwt))
		Expect(g.Body["permissions"]).To(HaveKeyWithValue("list", ConsistOf("view")))
		expectLunaError(luna("PUT", "/1/tokens/"+tokID, asAdmin, map[string]any{"permissions": map[string]any{}, "expiration_time": nil},
			"Luna-Account-Id", "bad"), http.StatusBadRequest, 11037)

		Expect(luna("POST", "/1/verifier", anon, map[string]any{"token": newJWT}).Status).To(Equal(http.StatusOK))
		Expect(luna("DELETE", "/1/tokens/"+tokID+"?account_id="+id, asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		expectLunaError(luna("GET", "/1/tokens/"+tokID, asAdmin, nil), http.StatusNotFound, 41003)
		gone := luna("POST", "/1/verifier", anon, map[string]any{"token": newJWT})
		expectLunaError(gone, http.StatusUnauthorized, 41005)
		Expect(gone.Body["detail"]).To(Equal("JWT token doesn't exist"))
	})

	It("answers 41007 for an expired token", func() {
		id := createLunaAccount(newLogin("exp"), "pw-123", "advanced_user")
		jwt, _ := createLunaToken(asAdmin, id, map[string]any{"permissions": map[string]any{},
			"expiration_time": time.Now().Add(2 * time.Second).UTC().Format(time.RFC3339Nano)})
		Eventually(func() any {
			return luna("POST", "/1/verifier", anon, map[string]any{"token": jwt}).Body["error_code"]
		}, 10*time.Second, 200*time.Millisecond).Should(BeEquivalentTo(41007))
		r := luna("POST", "/1/verifier", anon, map[string]any{"token": jwt})
		expectLunaError(r, http.StatusUnauthorized, 41007)
		Expect(r.Body["detail"]).To(Equal("Token has been expired"))
	})

	It("verifies logins, passwords and account ids", func() {
		login := newLogin("verify")
		id := createLunaAccount(login, "pw-123", "user")
		ok := luna("POST", "/1/verifier", anon, map[string]any{"login": login, "password": "pw-123"})
		Expect(ok.Status).To(Equal(http.StatusOK), "body %s", ok.Raw)
		Expect(ok.Body).To(HaveKeyWithValue("account_id", id))
		Expect(ok.Body).To(HaveKeyWithValue("account_type", "user"))

		wrong := luna("POST", "/1/verifier", anon, map[string]any{"login": login, "password": "nope-nope"})
		expectLunaError(wrong, http.StatusUnauthorized, 41006)
		Expect(wrong.Body["detail"]).To(Equal("Login and password doesn't match any user"))
		expectLunaError(luna("POST", "/1/verifier", anon, map[string]any{"login": newLogin("ghost"), "password": "pw-123"}), http.StatusUnauthorized, 41006)

		byID := luna("POST", "/1/verifier", anon, map[string]any{"account_id": id})
		Expect(byID.Status).To(Equal(http.StatusOK))
		Expect(byID.Body).To(HaveKeyWithValue("account_type", "user"))
		unknown := uuid.NewString()
		nf := luna("POST", "/1/verifier", anon, map[string]any{"account_id": unknown})
		expectLunaError(nf, http.StatusUnauthorized, 28001)
		Expect(nf.Body["detail"]).To(Equal("Account with id '" + unknown + "' not found"))

		noJSON := luna("POST", "/1/verifier", anon, nil)
		expectLunaError(noJSON, http.StatusBadRequest, 12002)
		Expect(noJSON.Body["detail"]).To(Equal("Request does not contain json"))
		expectLunaError(luna("POST", "/1/verifier", anon, "x", "Content-Type", "text/plain"), http.StatusUnsupportedMediaType, 12024)
		expectLunaError(luna("POST", "/1/verifier", anon, map[string]any{"login": login, "password": "pw-123", "token": "x"}), http.StatusBadRequest, 12022)
		expectLunaError(luna("POST", "/1/verifier", anon, map[string]any{"account_id": "nope"}), http.StatusBadRequest, 12022)
		expectLunaError(luna("POST", "/1/verifier", anon, map[string]any{"login": login}), http.StatusBadRequest, 12022)
		expectLunaError(luna("POST", "/1/verifier?permissions_targets=x", anon, map[string]any{"account_id": id}), http.StatusBadRequest, 12012)
	})

	It("shows a Token created with kubectl", func() {
		login := newLogin("kubetok")
		id := createLunaAccount(login, "pw-123", "advanced_user")
		acct, err := accountCR(ctx, id)
		Expect(err).NotTo(HaveOccurred())
		tok := newToken(acct.Namespace, "kubectl-tok-"+uuid.NewString()[:8], acct.Name)
		Expect(k8s.Create(ctx, tok)).To(Succeed())
		Eventually(func() any {
			return luna("GET", "/1/tokens/"+tok.Spec.TokenID, asAdmin, nil).Body["token"]
		}, 10*time.Second, 50*time.Millisecond).Should(Equal(jwtOf(ctx, tok)))
		_ = client.ObjectKeyFromObject(tok)
	})
})
