package integration

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

var _ = Describe("Identifiers assigned at admission", Ordered, func() {
	ctx := context.Background()
	var ns string
	BeforeAll(func() { ns = groupNamespace(ctx, "ids") })

	It("gives Accounts, Tokens and Admins a UUID and distinct positive ids", func() {
		a1 := newAccount(ns, "one", "one@ids.example")
		a2 := newAccount(ns, "two", "two@ids.example")
		Expect(k8s.Create(ctx, a1)).To(Succeed())
		Expect(k8s.Create(ctx, a2)).To(Succeed())
		Expect(a1.Spec.AccountID).To(MatchRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`))
		Expect(a1.Spec.AccountID).NotTo(Equal(a2.Spec.AccountID))
		Expect(a1.Spec.ID).To(BeNumerically(">", 0))
		Expect(a2.Spec.ID).NotTo(Equal(a1.Spec.ID))

		tok := newToken(ns, "one-token", "one")
		Expect(k8s.Create(ctx, tok)).To(Succeed())
		Expect(tok.Spec.TokenID).To(HaveLen(36))

		adm := &tenancyv1alpha1.Admin{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "one"},
			Spec: tenancyv1alpha1.AdminSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: "one"}}}
		Expect(k8s.Create(ctx, adm)).To(Succeed())
		Expect(adm.Spec.UUID).To(HaveLen(36))
		Expect(adm.Spec.ID).To(BeNumerically(">", 0))
		Expect(adm.Spec.AccessType).To(Equal(tenancyv1alpha1.AccessFull), "access type defaults to full")

		g := &tenancyv1alpha1.Group{}
		Expect(k8s.Get(ctx, client.ObjectKey{Name: "ids"}, g)).To(Succeed())
		Expect(g.Spec.UUID).To(HaveLen(36))
		Expect(g.Spec.ID).To(BeNumerically(">", 0))
	})

	It("keeps a client-chosen accountID", func() {
		a := newAccount(ns, "chosen", "chosen@ids.example")
		a.Spec.AccountID = "8950722f-3fd4-4223-b48f-03f95f0e8dfb"
		Expect(k8s.Create(ctx, a)).To(Succeed())
		Expect(a.Spec.AccountID).To(Equal("8950722f-3fd4-4223-b48f-03f95f0e8dfb"))
	})

	It("carries identifiers over when a replace leaves them out", func() {
		a := newAccount(ns, "replaced", "replaced@ids.example")
		Expect(k8s.Create(ctx, a)).To(Succeed())
		uid, id := a.Spec.AccountID, a.Spec.ID

		// A manifest that never had the identifiers, PUT over the stored object.
		fresh := newAccount(ns, "replaced", "replaced@ids.example")
		fresh.Spec.Description = "replaced from git"
		Expect(update(ctx, a, func(a *tenancyv1alpha1.Account) {
			a.Spec = fresh.Spec
		})).To(Succeed())
		fresh = a
		Expect(fresh.Spec.AccountID).To(Equal(uid))
		Expect(fresh.Spec.ID).To(Equal(id))
		Expect(fresh.Spec.Description).To(Equal("replaced from git"))
	})

	It("skips ids that clients chose from the allocator's range", func() {
		a := newAccount(ns, "drawn", "drawn@ids.example")
		Expect(k8s.Create(ctx, a)).To(Succeed())
		var last *tenancyv1alpha1.Account
		for i := int64(1); i <= 3; i++ {
			last = newAccount(ns, fmt.Sprintf("chose-%d", i), fmt.Sprintf("chose-%d@ids.example", i))
			last.Spec.ID = a.Spec.ID + i
			Expect(k8s.Create(ctx, last)).To(Succeed())
		}
		// The defaulter asks the operator's cache, which sees a write a moment later.
		Eventually(func() error {
			return op.GetClient().Get(ctx, client.ObjectKeyFromObject(last), &tenancyv1alpha1.Account{})
		}, 5*time.Second, 20*time.Millisecond).Should(Succeed())

		next := newAccount(ns, "after-chosen", "after-chosen@ids.example")
		Expect(k8s.Create(ctx, next)).To(Succeed(), "an id the client did not choose must not be refused")
		Expect(next.Spec.ID).To(BeNumerically(">", a.Spec.ID+3))
	})
})
