package integration

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/bootstrap"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/password"
)

var _ = Describe("The bootstrap", func() {
	ctx := context.Background()
	rootNS := tenancyv1alpha1.GroupNamespace(tenancyv1alpha1.RootGroupName)

	It("creates the root Group and an admin Account with an Admin grant on it", func() {
		root := &tenancyv1alpha1.Group{}
		Eventually(func() error { return k8s.Get(ctx, client.ObjectKey{Name: "root"}, root) }, 20*time.Second).Should(Succeed())
		Expect(root.Spec.Kind).To(Equal(tenancyv1alpha1.GroupKindRoot))
		Expect(root.Spec.Parent).To(BeEmpty())

		acct := &tenancyv1alpha1.Account{}
		Eventually(func() error {
			return k8s.Get(ctx, client.ObjectKey{Namespace: rootNS, Name: bootstrap.AdminName}, acct)
		}, 20*time.Second).Should(Succeed())
		Expect(acct.Spec.Login).To(Equal(adminLogin))
		Expect(acct.Spec.Type).To(Equal(tenancyv1alpha1.AccountTypeAdmin))

		adm := &tenancyv1alpha1.Admin{}
		Eventually(func() error {
			return k8s.Get(ctx, client.ObjectKey{Namespace: rootNS, Name: bootstrap.AdminName}, adm)
		}, 20*time.Second).Should(Succeed())
		Expect(adm.Spec.AccountRef.Name).To(Equal(bootstrap.AdminName))
		Expect(adm.Spec.AccessType).To(Equal(tenancyv1alpha1.AccessFull))
	})

	It("keeps the password only as an argon2id hash in a Secret owned by the Account", func() {
		s := &corev1.Secret{}
		Eventually(func() error {
			return k8s.Get(ctx, client.ObjectKey{Namespace: rootNS, Name: credential.SecretName(bootstrap.AdminName)}, s)
		}, 20*time.Second).Should(Succeed())
		hash := string(s.Data[credential.HashKey])
		Expect(hash).To(HavePrefix("$argon2id$"))
		Expect(hash).NotTo(ContainSubstring(adminPassword))
		ok, err := password.Verify(adminPassword, hash)
		Expect(err).NotTo(HaveOccurred())
		Expect(ok).To(BeTrue())
		Expect(s.OwnerReferences).To(HaveLen(1))
		Expect(s.OwnerReferences[0].Kind).To(Equal("Account"))

		acct := &tenancyv1alpha1.Account{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: rootNS, Name: bootstrap.AdminName}, acct)).To(Succeed())
		Expect(acct.Spec.PasswordSecretRef).To(BeNil())
	})

	It("does not overwrite an existing administrator's password when started again", func() {
		Eventually(func() error {
			return k8s.Get(ctx, client.ObjectKey{Namespace: rootNS, Name: bootstrap.AdminName}, &tenancyv1alpha1.Admin{})
		}, 20*time.Second).Should(Succeed())
		again := &bootstrap.Bootstrap{Client: k8s, Login: adminLogin, Password: "a-new-password"}
		Expect(again.Start(ctx)).To(Succeed())
		s := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: rootNS, Name: credential.SecretName(bootstrap.AdminName)}, s)).To(Succeed())
		ok, err := password.Verify(adminPassword, string(s.Data[credential.HashKey]))
		Expect(err).NotTo(HaveOccurred())
		Expect(ok).To(BeTrue(), "the original password must still verify")
	})
})
