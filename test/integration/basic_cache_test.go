package integration

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/password"
)

// The verifier remembers a login and password that matched, so that HTTP Basic costs no hash per
// request (internal/verify/passwords.go). These specs hold it to forgetting nothing: each change
// is awaited in the operator's own cache, the one the verifier reads, and from then on the
// remembered password must fail on the very next request.
var _ = Describe("HTTP Basic with a remembered password", func() {
	ctx := context.Background()
	const pw = "remembered-Passw0rd"

	// basicAccount creates an Account with the password pw in Group g and returns it once Basic
	// GET /1/accounts/{id} answers for it.
	basicAccount := func(g string) *tenancyv1alpha1.Account {
		GinkgoHelper()
		a := newAccount(tenancyv1alpha1.GroupNamespace(g), "cached", newLogin("cached"))
		Expect(k8s.Create(ctx, a)).To(Succeed())
		Expect(storePassword(ctx, a, pw)).To(Succeed())
		Eventually(func() int { return getSelf(a, pw).Status }, 10*time.Second, 50*time.Millisecond).Should(Equal(http.StatusOK))
		return a
	}
	// seenByVerifier waits until the verifier's cache shows a's change.
	seenByVerifier := func(a *tenancyv1alpha1.Account, changed func(*tenancyv1alpha1.Account, error) bool) {
		GinkgoHelper()
		Eventually(func() bool {
			got := &tenancyv1alpha1.Account{}
			return changed(got, op.Verifier.Cache.Get(ctx, client.ObjectKeyFromObject(a), got))
		}, 10*time.Second, 20*time.Millisecond).Should(BeTrue())
	}

	It("answers repeated requests and still refuses a wrong password between them", func() {
		a := basicAccount(groupName(ctx, "bc-repeat"))
		for range 5 {
			Expect(getSelf(a, pw).Status).To(Equal(http.StatusOK))
		}
		expectLunaError(getSelf(a, pw+"x"), http.StatusUnauthorized, 41006)
		Expect(getSelf(a, pw).Body).To(HaveKeyWithValue("login", a.Spec.Login))
	})

	It("takes a password change through the API at once", func() {
		a := basicAccount(groupName(ctx, "bc-api"))
		Expect(getSelf(a, pw).Status).To(Equal(http.StatusOK))
		r := luna("PATCH", "/1/accounts/"+a.Spec.AccountID, basic(a.Spec.Login, pw), map[string]any{"password": "changed-Passw0rd"})
		Expect(r.Status).To(Equal(http.StatusNoContent), "body %s", r.Raw)
		expectLunaError(getSelf(a, pw), http.StatusUnauthorized, 41006)
		Expect(getSelf(a, "changed-Passw0rd").Status).To(Equal(http.StatusOK))
	})

	It("takes a new hash in the Account's Secret as soon as the verifier's cache shows it", func() {
		a := basicAccount(groupName(ctx, "bc-secret"))
		Expect(getSelf(a, pw).Status).To(Equal(http.StatusOK))
		hash, err := password.Hash("rewritten-Passw0rd")
		Expect(err).NotTo(HaveOccurred())
		s, err := credential.StoreHash(ctx, k8s, a, hash)
		Expect(err).NotTo(HaveOccurred())
		Expect(credential.WaitVisible(ctx, op.Verifier.Cache, s)).To(Succeed())
		expectLunaError(getSelf(a, pw), http.StatusUnauthorized, 41006)
		Expect(getSelf(a, "rewritten-Passw0rd").Status).To(Equal(http.StatusOK))
	})

	It("refuses the remembered password once the Account is disabled", func() {
		a := basicAccount(groupName(ctx, "bc-disabled"))
		Expect(getSelf(a, pw).Status).To(Equal(http.StatusOK))
		Expect(update(ctx, a, func(a *tenancyv1alpha1.Account) { a.Spec.Disabled = true })).To(Succeed())
		seenByVerifier(a, func(got *tenancyv1alpha1.Account, err error) bool { return err == nil && got.Spec.Disabled })
		expectLunaError(getSelf(a, pw), http.StatusForbidden, 90005)
	})

	It("refuses the remembered password once an ancestor Group is locked", func() {
		parent := groupName(ctx, "bc-lock")
		child := group("bc-lock-dept", parent, tenancyv1alpha1.GroupKindCompanyDepartment)
		Expect(k8s.Create(ctx, child)).To(Succeed())
		Eventually(func() error {
			return k8s.Get(ctx, client.ObjectKey{Name: tenancyv1alpha1.GroupNamespace(child.Name)}, &corev1.Namespace{})
		}, 20*time.Second, 50*time.Millisecond).Should(Succeed())
		a := basicAccount(child.Name)
		Expect(getSelf(a, pw).Status).To(Equal(http.StatusOK))
		setLock(ctx, parent, true, "audit")
		DeferCleanup(setLock, ctx, parent, false, "")
		Eventually(func() string { by, _, _ := op.Verifier.Forest.Lock(child.Name); return by }, 10*time.Second, 20*time.Millisecond).
			Should(Equal(parent))
		r := getSelf(a, pw)
		expectLunaError(r, http.StatusForbidden, 90004)
		Expect(r.Body["detail"]).To(ContainSubstring(parent))
	})

	It("refuses the remembered password once the Account is deleted", func() {
		a := basicAccount(groupName(ctx, "bc-deleted"))
		Expect(getSelf(a, pw).Status).To(Equal(http.StatusOK))
		Expect(k8s.Delete(ctx, a)).To(Succeed())
		seenByVerifier(a, func(got *tenancyv1alpha1.Account, err error) bool {
			return apierrors.IsNotFound(err) || err == nil && got.DeletionTimestamp != nil
		})
		expectLunaError(getSelf(a, pw), http.StatusUnauthorized, 41006)
	})

	It("refuses the remembered password while its login is locked out", func() {
		a := basicAccount(groupName(ctx, "bc-lockout"))
		Expect(getSelf(a, pw).Status).To(Equal(http.StatusOK))
		for range 5 {
			expectLunaError(getSelf(a, "guess-Passw0rd"), http.StatusUnauthorized, 41006)
		}
		r := getSelf(a, pw)
		expectLunaError(r, http.StatusTooManyRequests, 90029)
		Expect(r.Header.Get("Retry-After")).NotTo(BeEmpty())
	})
})

// groupName creates a Group under the root, waits for its namespace, and returns its name.
func groupName(ctx context.Context, name string) string {
	GinkgoHelper()
	groupNamespace(ctx, name)
	return name
}

// getSelf is GET /1/accounts/{id} of a, signed in as a with HTTP Basic.
func getSelf(a *tenancyv1alpha1.Account, pw string) lunaResp {
	GinkgoHelper()
	return luna("GET", "/1/accounts/"+a.Spec.AccountID, basic(a.Spec.Login, pw), nil)
}
