package integration

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/verify"
)

var _ = Describe("Password verification", func() {
	ctx := context.Background()

	It("accepts the right password and refuses a wrong one or an unknown login alike", func() {
		var p *verify.Principal
		Eventually(func() (err error) {
			p, err = op.Verifier.VerifyPassword(ctx, adminLogin, adminPassword)
			return err
		}, 10*time.Second, 100*time.Millisecond).Should(Succeed())
		Expect(p.Account.Spec.Type).To(Equal(tenancyv1alpha1.AccountTypeAdmin))

		_, err := op.Verifier.VerifyPassword(ctx, adminLogin, adminPassword+"x")
		Expect(err).To(MatchError(verify.ErrWrongPassword))
		_, err = op.Verifier.VerifyPassword(ctx, "nobody@nowhere.example", adminPassword)
		Expect(err).To(MatchError(verify.ErrWrongPassword))
	})

	It("refuses a pending account's right password as not approved", func() {
		ns := groupNamespace(ctx, "vfy-pending")
		a := newAccount(ns, "pending", "pending@vfy.example")
		a.Spec.Approval = tenancyv1alpha1.ApprovalPending
		Expect(k8s.Create(ctx, a)).To(Succeed())
		Expect(storePassword(ctx, a, "Pending-Passw0rd")).To(Succeed())
		Eventually(func() error {
			_, err := op.Verifier.VerifyPassword(ctx, "pending@vfy.example", "Pending-Passw0rd")
			return err
		}, 10*time.Second, 100*time.Millisecond).Should(MatchError(verify.ErrNotApproved))
	})
})
