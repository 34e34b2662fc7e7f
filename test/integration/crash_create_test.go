package integration

import (
	"context"
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/password"
	"github.com/tessera-dev/tessera/internal/people"
)

const rootNS = "tessera-root"

// writePendingHash writes what a REST create writes before its Account (credential.Create): the
// hash Secret in the root namespace, unowned and marked pending. It returns the hash.
func writePendingHash(ctx context.Context, account, plaintext string) string {
	GinkgoHelper()
	hash, err := password.Hash(plaintext)
	Expect(err).NotTo(HaveOccurred())
	Expect(k8s.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: rootNS, Name: credential.SecretName(account),
			Labels:      map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue, tenancyv1alpha1.LabelAccount: account},
			Annotations: map[string]string{tenancyv1alpha1.AnnotationPendingAccount: account}},
		Data: map[string][]byte{credential.HashKey: []byte(hash)},
	})).To(Succeed())
	return hash
}

// verifierStatus reports the status /1/verifier answers for a login and password.
func verifierStatus(login, pw string) int {
	return luna("POST", "/1/verifier", anon, map[string]any{"login": login, "password": pw}).Status
}

// shorten sets *v to d for the current spec.
func shorten(v *time.Duration, d time.Duration) {
	old := *v
	*v = d
	DeferCleanup(func() { *v = old })
}

var _ = Describe("A create killed half-way", func() {
	ctx := context.Background()

	It("completes when the Account was written: it signs in and owns its hash", func() {
		name, login := "crash-after-"+oteUniq(), newLogin("crash-after-")
		hash := writePendingHash(ctx, name, "Crash-Pass-1")
		a := newAccount(rootNS, name, login)
		a.Annotations = map[string]string{tenancyv1alpha1.AnnotationInitialPasswordFingerprint: credential.Fingerprint(hash)}
		Expect(k8s.Create(ctx, a)).To(Succeed())

		acct := expectAccountReady(ctx, rootNS, name, metav1.ConditionTrue, "PasswordHashStored", 20*time.Second)
		s := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: rootNS, Name: credential.SecretName(name)}, s)).To(Succeed())
		Expect(metav1.IsControlledBy(s, acct)).To(BeTrue(), "the Account owns its hash Secret")
		Expect(s.Annotations).NotTo(HaveKey(tenancyv1alpha1.AnnotationPendingAccount))
		Expect(string(s.Data[credential.HashKey])).To(Equal(hash))
		Expect(verifierStatus(login, "Crash-Pass-1")).To(Equal(http.StatusOK))
	})

	It("leaves no trace when the Account was not written: the hash goes, the login stays free", func() {
		shorten(&credential.OrphanAfter, 2*time.Second)
		// A registration killed after its first write...
		user := "crash-before-" + oteUniq()
		writePendingHash(ctx, people.PersonAccountName(user), "Orphan-Pass-1")
		// ...does not keep the user name: registering it again succeeds once the orphan is old,
		// and only the new password is stored.
		Eventually(func() int {
			resp, _ := oteCall("POST", "/v1/user", nil, map[string]any{
				"user": user, "password": otePassword, "phone": "12345678910", "realName": "Real " + user, "isAdmin": false})
			return resp.StatusCode
		}, 30*time.Second, 500*time.Millisecond).Should(Equal(http.StatusOK))
		s := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: rootNS, Name: credential.SecretName(people.PersonAccountName(user))}, s)).To(Succeed())
		Expect(verifies(otePassword, string(s.Data[credential.HashKey]))).To(BeTrue())

		// An orphan nobody comes back for is deleted by the Account controller.
		orphan := "crash-orphan-" + oteUniq()
		writePendingHash(ctx, orphan, "Orphan-Pass-2")
		Eventually(func() bool {
			err := k8s.Get(ctx, client.ObjectKey{Namespace: rootNS, Name: credential.SecretName(orphan)}, &corev1.Secret{})
			return apierrors.IsNotFound(err)
		}, 30*time.Second, 200*time.Millisecond).Should(BeTrue())
	})

	It("adopts no pending hash whose fingerprint the Account does not carry", func() {
		name := "crash-foreign-" + oteUniq()
		writePendingHash(ctx, name, "Foreign-Pass-1")
		other, err := password.Hash("Foreign-Pass-2")
		Expect(err).NotTo(HaveOccurred())
		a := newAccount(rootNS, name, newLogin("crash-foreign-"))
		a.Annotations = map[string]string{tenancyv1alpha1.AnnotationInitialPasswordFingerprint: credential.Fingerprint(other)}
		Expect(k8s.Create(ctx, a)).To(Succeed())
		expectAccountReady(ctx, rootNS, name, metav1.ConditionFalse, "NoPassword", 20*time.Second)
		Consistently(func() *metav1.OwnerReference {
			s := &corev1.Secret{}
			Expect(k8s.Get(ctx, client.ObjectKey{Namespace: rootNS, Name: credential.SecretName(name)}, s)).To(Succeed())
			return metav1.GetControllerOf(s)
		}, 2*time.Second, 200*time.Millisecond).Should(BeNil())
	})
})

var _ = Describe("Reading one's own writes", func() {
	It("signs in with a new password as soon as its PATCH answered 204", func() {
		login := newLogin("ryw-patch-")
		id := createLunaAccount(login, "Ryw-Pass-0", "user")
		for i := 1; i <= 25; i++ {
			pw := fmt.Sprintf("Ryw-Pass-%d", i)
			r := luna("PATCH", "/1/accounts/"+id, asAdmin, map[string]any{"password": pw})
			Expect(r.Status).To(Equal(http.StatusNoContent), "body %s", r.Raw)
			v := luna("POST", "/1/verifier", anon, map[string]any{"login": login, "password": pw})
			Expect(v.Status).To(Equal(http.StatusOK), "change %d: %s", i, v.Raw)
		}
	})

	It("signs in as soon as POST /1/accounts answered 201", func() {
		for i := range 15 {
			login := newLogin("ryw-post-")
			createLunaAccount(login, "Ryw-Post-1", "user")
			v := luna("POST", "/1/verifier", anon, map[string]any{"login": login, "password": "Ryw-Post-1"})
			Expect(v.Status).To(Equal(http.StatusOK), "account %d: %s", i, v.Raw)
		}
	})
})
