package integration

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
)

// foreignArgon2id hashes pw as another tool would, with parameters of its own.
func foreignArgon2id(pw string, m, t uint32, p uint8) string {
	salt := []byte("salt-of-another-tool")
	key := argon2.IDKey([]byte(pw), salt, t, m, p, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, p, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// foreignBcrypt hashes pw with bcrypt and writes it as PHP and htpasswd do ($2y$).
func foreignBcrypt(pw string, cost int) string {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	Expect(err).NotTo(HaveOccurred())
	return "$2y$" + string(h[4:])
}

var _ = Describe("Pre-hashed passwords from Git", func() {
	ctx := context.Background()

	// prehashed creates a Secret holding value under "password" and an Account referencing it
	// with format (empty: left to the CRD's default), and returns the Account's login.
	prehashed := func(ns, name, value string, format tenancyv1alpha1.PasswordFormat) string {
		GinkgoHelper()
		login := newLogin(name)
		Expect(k8s.Create(ctx, passwordSecret(ns, name+"-pw", "password", value))).To(Succeed())
		a := newAccount(ns, name, login)
		a.Spec.PasswordSecretRef = &tenancyv1alpha1.PasswordSecretReference{Name: name + "-pw", Format: format}
		Expect(k8s.Create(ctx, a)).To(Succeed())
		return login
	}
	signsIn := func(login, pw string) {
		GinkgoHelper()
		Eventually(func() int { return verifierStatus(login, pw) }, 10*time.Second, 100*time.Millisecond).Should(Equal(http.StatusOK))
		Expect(luna("GET", "/1/accounts", basic(login, pw), nil).Status).To(Equal(http.StatusOK))
	}
	refused := func(ns, name, reason string, says ...string) *metav1.Condition {
		GinkgoHelper()
		a := expectAccountReady(ctx, ns, name, metav1.ConditionFalse, reason, 10*time.Second)
		cond := meta.FindStatusCondition(a.Status.Conditions, tenancyv1alpha1.ConditionReady)
		for _, s := range says {
			Expect(cond.Message).To(ContainSubstring(s))
		}
		src := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name + "-pw"}, src)).To(Succeed())
		hash := string(src.Data["password"])
		Expect(cond.Message).NotTo(ContainSubstring(hash[max(0, len(hash)-20):]), "the message must not echo the hash")
		return cond
	}

	It("signs in with an argon2id PHC hash of other parameters and a bcrypt $2y$ hash, copied as is", func() {
		ns := groupNamespace(ctx, "prehash-ok")
		argon := foreignArgon2id("Argon-From-Git-1", 32*1024, 3, 2)
		bc := foreignBcrypt("Bcrypt-From-Git-1", 10)
		argonLogin := prehashed(ns, "argon", argon, tenancyv1alpha1.PasswordFormatHash)
		bcLogin := prehashed(ns, "bc", bc, tenancyv1alpha1.PasswordFormatHash)

		for name, hash := range map[string]string{"argon": argon, "bc": bc} {
			a := expectAccountReady(ctx, ns, name, metav1.ConditionTrue, tenancyv1alpha1.ReasonPasswordHashStored, 10*time.Second)
			Expect(a.Spec.PasswordSecretRef.Format).To(Equal(tenancyv1alpha1.PasswordFormatHash))
			Expect(storedHash(Default, ctx, ns, name)).To(Equal(hash), "copied as is, never hashed again")
		}
		signsIn(argonLogin, "Argon-From-Git-1")
		signsIn(bcLogin, "Bcrypt-From-Git-1")
		Expect(verifierStatus(argonLogin, "Argon-From-Git-2")).To(Equal(http.StatusUnauthorized))
		Expect(verifierStatus(bcLogin, "Bcrypt-From-Git-2")).To(Equal(http.StatusUnauthorized))
		// The hash itself is no password.
		Expect(verifierStatus(bcLogin, bc)).To(Equal(http.StatusUnauthorized))
	})

	It("refuses a malformed, too weak or too costly hash with a reason of its own", func() {
		ns := groupNamespace(ctx, "prehash-bad")
		salt, key := base64.RawStdEncoding.EncodeToString([]byte("saltsaltsalt")), base64.RawStdEncoding.EncodeToString(make([]byte, 32))
		malformedLogin := prehashed(ns, "malformed", "$argon2id$v=19$m=19456,t=2$"+salt+"$"+key, tenancyv1alpha1.PasswordFormatHash)
		weakLogin := prehashed(ns, "weak", foreignArgon2id("Weak-Pass-1", 1024, 2, 1), tenancyv1alpha1.PasswordFormatHash)
		prehashed(ns, "costly", "$argon2id$v=19$m=4194304,t=2,p=1$"+salt+"$"+key, tenancyv1alpha1.PasswordFormatHash)
		weakBcLogin := prehashed(ns, "weak-bc", foreignBcrypt("Weak-Bcrypt-1", 4), tenancyv1alpha1.PasswordFormatHash)
		prehashed(ns, "plain", "not-a-hash-at-all", tenancyv1alpha1.PasswordFormatHash)

		refused(ns, "malformed", tenancyv1alpha1.ReasonPasswordHashInvalid, `key "password" of Secret malformed-pw`, "m=…,t=…,p=…")
		refused(ns, "weak", tenancyv1alpha1.ReasonPasswordHashTooWeak, "m=1024 KiB is below the minimum 19456 KiB")
		refused(ns, "costly", tenancyv1alpha1.ReasonPasswordHashTooCostly, "m=4194304 KiB is above the maximum 262144 KiB")
		refused(ns, "weak-bc", tenancyv1alpha1.ReasonPasswordHashTooWeak, "bcrypt cost 4 is below the minimum 10")
		refused(ns, "plain", tenancyv1alpha1.ReasonPasswordHashInvalid, "neither an argon2id PHC string")
		for _, name := range []string{"malformed", "weak", "costly", "weak-bc", "plain"} {
			a, err := getAccount(ctx, ns, name)
			Expect(err).NotTo(HaveOccurred())
			Expect(meta.IsStatusConditionTrue(a.Status.Conditions, tenancyv1alpha1.ConditionStalled)).To(BeTrue(), name)
			err = k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: credential.SecretName(name)}, &corev1.Secret{})
			Expect(apierrors.IsNotFound(err)).To(BeTrue(), "%s: a refused hash is never stored", name)
		}
		Expect(verifierStatus(malformedLogin, "anything")).To(Equal(http.StatusUnauthorized))
		Expect(verifierStatus(weakLogin, "Weak-Pass-1")).To(Equal(http.StatusUnauthorized))
		Expect(verifierStatus(weakBcLogin, "Weak-Bcrypt-1")).To(Equal(http.StatusUnauthorized))
	})

	It("follows a source Secret changed to another hash, and keeps the stored one while a change is refused", func() {
		ns := groupNamespace(ctx, "prehash-change")
		login := prehashed(ns, "rotating", foreignBcrypt("First-Hashed-1", 10), tenancyv1alpha1.PasswordFormatHash)
		expectAccountReady(ctx, ns, "rotating", metav1.ConditionTrue, tenancyv1alpha1.ReasonPasswordHashStored, 10*time.Second)
		signsIn(login, "First-Hashed-1")

		second := foreignArgon2id("Second-Hashed-2", 19*1024, 2, 1)
		src := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "rotating-pw"}}
		// As `htpasswd … > file; kubectl create secret --from-file` leaves it: with a newline.
		Expect(update(ctx, src, func(s *corev1.Secret) { s.Data["password"] = []byte(second + "\n") })).To(Succeed())
		Eventually(func(g Gomega) string { return storedHash(g, ctx, ns, "rotating") }, 10*time.Second, 100*time.Millisecond).
			Should(Equal(second))
		Eventually(func() int { return verifierStatus(login, "First-Hashed-1") }, 10*time.Second, 100*time.Millisecond).
			Should(Equal(http.StatusUnauthorized))
		signsIn(login, "Second-Hashed-2")

		// A weak hash pushed later is refused; the one stored before stays in use.
		Expect(update(ctx, src, func(s *corev1.Secret) {
			s.Data["password"] = []byte(foreignBcrypt("Third-Hashed-3", 5))
		})).To(Succeed())
		cond := refused(ns, "rotating", tenancyv1alpha1.ReasonPasswordHashTooWeak, "stays in use")
		Expect(cond.Message).To(ContainSubstring("cost 5"))
		Expect(storedHash(Default, ctx, ns, "rotating")).To(Equal(second))
		Expect(verifierStatus(login, "Second-Hashed-2")).To(Equal(http.StatusOK))
		Expect(verifierStatus(login, "Third-Hashed-3")).To(Equal(http.StatusUnauthorized))
	})

	It("hashes a plaintext that merely starts like a hash, and refuses one that is a whole hash", func() {
		ns := groupNamespace(ctx, "prehash-plain")
		const lookalike = "$2y$10$not-really-a-hash"
		lookLogin := prehashed(ns, "lookalike", lookalike, "") // format defaults to plaintext
		whole := foreignBcrypt("Forgot-The-Format-1", 10)
		wholeLogin := prehashed(ns, "whole", whole, tenancyv1alpha1.PasswordFormatPlaintext)

		a := expectAccountReady(ctx, ns, "lookalike", metav1.ConditionTrue, tenancyv1alpha1.ReasonPasswordHashStored, 10*time.Second)
		Expect(a.Spec.PasswordSecretRef.Format).To(Equal(tenancyv1alpha1.PasswordFormatPlaintext), "the CRD's default")
		h := storedHash(Default, ctx, ns, "lookalike")
		Expect(h).To(HavePrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
		Expect(verifies(lookalike, h)).To(BeTrue())
		signsIn(lookLogin, lookalike)

		refused(ns, "whole", tenancyv1alpha1.ReasonPasswordLooksLikeHash, "format to hash")
		Expect(verifierStatus(wholeLogin, whole)).To(Equal(http.StatusUnauthorized), "a hash is never taken for a password")
		Expect(verifierStatus(wholeLogin, "Forgot-The-Format-1")).To(Equal(http.StatusUnauthorized))

		// Setting the format alone (the Secret unchanged) makes it a hash.
		Expect(update(ctx, &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "whole"}},
			func(a *tenancyv1alpha1.Account) { a.Spec.PasswordSecretRef.Format = tenancyv1alpha1.PasswordFormatHash })).To(Succeed())
		expectAccountReady(ctx, ns, "whole", metav1.ConditionTrue, tenancyv1alpha1.ReasonPasswordHashStored, 10*time.Second)
		Expect(storedHash(Default, ctx, ns, "whole")).To(Equal(whole))
		signsIn(wholeLogin, "Forgot-The-Format-1")

		// And back: the stored hash stays in use, the Account reports the value refused.
		Expect(update(ctx, &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "whole"}},
			func(a *tenancyv1alpha1.Account) {
				a.Spec.PasswordSecretRef.Format = tenancyv1alpha1.PasswordFormatPlaintext
			})).To(Succeed())
		cond := refused(ns, "whole", tenancyv1alpha1.ReasonPasswordLooksLikeHash, "stays in use")
		Expect(strings.Contains(cond.Message, whole)).To(BeFalse())
	})

	It("refuses a format other than plaintext or hash at admission", func() {
		ns := groupNamespace(ctx, "prehash-enum")
		a := newAccount(ns, "enum", newLogin("enum"))
		a.Spec.PasswordSecretRef = &tenancyv1alpha1.PasswordSecretReference{Name: "x", Format: "sha1"}
		err := k8s.Create(ctx, a)
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring("format"))
	})
})
