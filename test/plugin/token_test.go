package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/keys"
)

var _ = Describe("kubectl tessera token", func() {
	ctx := context.Background()

	It("get prints the JWT from the Token's Secret", func() {
		// A rotation elsewhere in the suite may re-sign a token: read the Secret alongside.
		same := func(ns, name string, args ...string) {
			Eventually(func(g Gomega) {
				g.Expect(succeed(append([]string{"token", "get", name}, args...)...)).To(Equal(jwtOf(ctx, ns, name) + "\n"))
			}, 10*time.Second, 200*time.Millisecond).Should(Succeed())
		}
		same("tessera-acme", "alice-ci", "-n", "tessera-acme")
		same("tessera-globex", "gina-ci", "-n", "tessera-globex")
		// Without -n the context's namespace (tessera-acme) applies, as in kubectl.
		same("tessera-acme", "alice-eternal")
		Expect(fail("token", "get", "alice-ci", "-n", "default")).To(Equal(
			`token "alice-ci" not found in namespace "default" ` +
				`(Tessera's tokens live in their Group's namespace tessera-<group>: use -n)`))
	})

	It("get --decode shows the header and claims", func() {
		alice := &tenancyv1alpha1.Account{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "tessera-acme", Name: "alice"}, alice)).To(Succeed())
		var tok tenancyv1alpha1.Token
		var d struct {
			Header map[string]any `json:"header"`
			Claims map[string]any `json:"claims"`
		}
		// As above: status is read alongside the JWT.
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "tessera-acme", Name: "alice-ci"}, &tok)).To(Succeed())
			g.Expect(json.Unmarshal([]byte(succeed("token", "get", "alice-ci", "--decode")), &d)).To(Succeed())
			g.Expect(d.Header).To(HaveKeyWithValue("kid", tok.Status.KeyID))
		}, 10*time.Second, 200*time.Millisecond).Should(Succeed())
		Expect(d.Header).To(HaveKeyWithValue("alg", "ES256"))
		Expect(d.Claims).To(HaveKeyWithValue("tokenId", tok.Status.TokenID))
		Expect(d.Claims).To(HaveKeyWithValue("jti", tok.Status.TokenID))
		Expect(d.Claims).To(HaveKeyWithValue("accountId", alice.Spec.AccountID))
		Expect(d.Claims).To(HaveKeyWithValue("sub", alice.Spec.AccountID))
		Expect(d.Claims).To(HaveKeyWithValue("expirationTime", "2030-01-01T00:00:00Z"))
		Expect(d.Claims).To(HaveKeyWithValue("exp", float64(aliceCIExpiry.Unix())))

		var eternal struct {
			Claims map[string]any `json:"claims"`
		}
		Expect(json.Unmarshal([]byte(succeed("token", "get", "alice-eternal", "--decode")), &eternal)).To(Succeed())
		Expect(eternal.Claims).To(HaveKeyWithValue("expirationTime", BeNil()))
		Expect(eternal.Claims).NotTo(HaveKey("exp"))
	})

	It("rotate-keys asks the operator for a new active key and waits for it", func() {
		secret := func() *corev1.Secret {
			GinkgoHelper()
			s := &corev1.Secret{}
			Expect(k8s.Get(ctx, client.ObjectKey{Namespace: operatorNS, Name: keys.SecretName}, s)).To(Succeed())
			return s
		}
		before := active(secret())
		out := succeed("token", "rotate-keys")
		s := secret()
		after := active(s)
		Expect(after).NotTo(Equal(before))
		Expect(out).To(Equal(fmt.Sprintf(
			"signing keys rotated: active key %s (was %s; it keeps verifying the tokens it signed)\n", after, before)))
		Expect(s.Annotations[tenancyv1alpha1.AnnotationRotate]).NotTo(BeEmpty())
		Expect(s.Annotations[tenancyv1alpha1.AnnotationRotated]).To(Equal(s.Annotations[tenancyv1alpha1.AnnotationRotate]))
		Expect(fieldOwners(s, "f:metadata", "f:annotations", "f:"+tenancyv1alpha1.AnnotationRotate)).
			To(ContainElement(HavePrefix("kubectl-tessera/")))

		Expect(succeed("token", "rotate-keys", "--wait=false")).To(Equal(
			"secret/tessera-signing-keys rotation requested in namespace tessera-system\n"))
		Eventually(func() string { return active(secret()) }, 20*time.Second, 200*time.Millisecond).ShouldNot(Equal(after))

		Expect(fail("token", "rotate-keys", "--operator-namespace", "nowhere")).To(Equal(
			"secret nowhere/tessera-signing-keys not found: " +
				"is the operator running in namespace nowhere? (--operator-namespace)"))
	})
})

// jwtOf is the JWT the operator wrote for the Token.
func jwtOf(ctx context.Context, ns, name string) string {
	GinkgoHelper()
	var tok tenancyv1alpha1.Token
	Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &tok)).To(Succeed())
	var s corev1.Secret
	Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: tok.Status.SecretName}, &s)).To(Succeed())
	Expect(s.Data[tenancyv1alpha1.TokenSecretKey]).NotTo(BeEmpty())
	return string(s.Data[tenancyv1alpha1.TokenSecretKey])
}

func active(s *corev1.Secret) string {
	GinkgoHelper()
	set, err := keys.FromSecretData(s.Data)
	Expect(err).NotTo(HaveOccurred())
	return set.Active().ID
}
