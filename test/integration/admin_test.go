package integration

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/bootstrap"
)

func newAdmin(namespace, name, account string, access tenancyv1alpha1.AccessType) *tenancyv1alpha1.Admin {
	return &tenancyv1alpha1.Admin{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: tenancyv1alpha1.AdminSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: account},
			AccessType: access},
	}
}

// expectAdmin waits until the Admin's status satisfies check.
func expectAdmin(ctx context.Context, namespace, name string, timeout time.Duration, check func(g Gomega, a *tenancyv1alpha1.Admin)) {
	Eventually(func(g Gomega) {
		a := &tenancyv1alpha1.Admin{}
		g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, a)).To(Succeed())
		g.Expect(a.Status.ObservedGeneration).To(Equal(a.Generation))
		check(g, a)
	}, timeout, 25*time.Millisecond).Should(Succeed())
}

func readyWith(g Gomega, conds []metav1.Condition, status metav1.ConditionStatus, reason string) {
	c := meta.FindStatusCondition(conds, tenancyv1alpha1.ConditionReady)
	g.Expect(c).NotTo(BeNil())
	g.Expect(c.Status).To(Equal(status))
	g.Expect(c.Reason).To(Equal(reason))
}

var _ = Describe("The Admin controller", func() {
	ctx := context.Background()

	// grant creates an Account and an Admin for it in namespace and waits for the Admin's role.
	grant := func(ns, name string, access tenancyv1alpha1.AccessType, role tenancyv1alpha1.PortalRole, group string) {
		acct := newAccount(ns, name, name+"@"+group+".example")
		Expect(k8s.Create(ctx, acct)).To(Succeed())
		Expect(k8s.Create(ctx, newAdmin(ns, name, name, access))).To(Succeed())
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(acct), acct)).To(Succeed())
		Expect(acct.Spec.AccountID).NotTo(BeEmpty())
		expectAdmin(ctx, ns, name, 10*time.Second, func(g Gomega, a *tenancyv1alpha1.Admin) {
			g.Expect(a.Status.Role).To(Equal(role))
			g.Expect(a.Status.Group).To(Equal(group))
			g.Expect(a.Status.AccountID).To(Equal(acct.Spec.AccountID))
			readyWith(g, a.Status.Conditions, metav1.ConditionTrue, tenancyv1alpha1.ReasonGranted)
			g.Expect(meta.IsStatusConditionFalse(a.Status.Conditions, tenancyv1alpha1.ConditionLocked)).To(BeTrue())
		})
	}

	It("derives the portal role from the Group's kind and the access type", func() {
		// The bootstrap administrator holds full access on the root.
		rootNS := tenancyv1alpha1.GroupNamespace(tenancyv1alpha1.RootGroupName)
		acct := &tenancyv1alpha1.Account{}
		Eventually(func() error {
			return k8s.Get(ctx, client.ObjectKey{Namespace: rootNS, Name: bootstrap.AdminName}, acct)
		}, 20*time.Second).Should(Succeed())
		expectAdmin(ctx, rootNS, bootstrap.AdminName, 20*time.Second, func(g Gomega, a *tenancyv1alpha1.Admin) {
			g.Expect(a.Status.Role).To(Equal(tenancyv1alpha1.RoleRootAdmin))
			g.Expect(a.Status.Group).To(Equal(tenancyv1alpha1.RootGroupName))
			g.Expect(a.Status.AccountID).To(Equal(acct.Spec.AccountID))
			readyWith(g, a.Status.Conditions, metav1.ConditionTrue, tenancyv1alpha1.ReasonGranted)
		})

		partner := kindGroupNamespace(ctx, "adm-partner", "root", tenancyv1alpha1.GroupKindDistributor)
		grant(partner, "partner-full", tenancyv1alpha1.AccessFull, tenancyv1alpha1.RolePartnerAdmin, "adm-partner")
		grant(partner, "partner-rw", tenancyv1alpha1.AccessReadWrite, tenancyv1alpha1.RolePartnerAdmin, "adm-partner")

		company := kindGroupNamespace(ctx, "adm-company", "root", tenancyv1alpha1.GroupKindEndUserCompany)
		grant(company, "company-full", tenancyv1alpha1.AccessFull, tenancyv1alpha1.RoleCompanyAdmin, "adm-company")
		grant(company, "company-ro", tenancyv1alpha1.AccessRead, tenancyv1alpha1.RoleReadonlyAdmin, "adm-company")

		dept := kindGroupNamespace(ctx, "adm-dept", "adm-company", tenancyv1alpha1.GroupKindCompanyDepartment)
		grant(dept, "dept-full", tenancyv1alpha1.AccessFull, tenancyv1alpha1.RoleUnitAdmin, "adm-dept")

		// Read-only wins over the kind, even at the root of a partner tree.
		grant(partner, "partner-ro", tenancyv1alpha1.AccessRead, tenancyv1alpha1.RoleReadonlyAdmin, "adm-partner")
	})

	It("reports AccountMissing while its Account does not exist, and becomes Ready when it appears", func() {
		ns := groupNamespace(ctx, "adm-missing")
		Expect(k8s.Create(ctx, newAdmin(ns, "ghost-admin", "ghost", tenancyv1alpha1.AccessFull))).To(Succeed())
		expectAdmin(ctx, ns, "ghost-admin", 10*time.Second, func(g Gomega, a *tenancyv1alpha1.Admin) {
			readyWith(g, a.Status.Conditions, metav1.ConditionFalse, tenancyv1alpha1.ReasonAccountMissing)
			g.Expect(a.Status.AccountID).To(BeEmpty(), "no account id may be invented")
			g.Expect(a.Status.Group).To(Equal("adm-missing"))
		})

		ghost := newAccount(ns, "ghost", "ghost@adm-missing.example")
		Expect(k8s.Create(ctx, ghost)).To(Succeed())
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(ghost), ghost)).To(Succeed())
		// Well within the controller's 10s requeue: the Account watch must notice it.
		expectAdmin(ctx, ns, "ghost-admin", 5*time.Second, func(g Gomega, a *tenancyv1alpha1.Admin) {
			readyWith(g, a.Status.Conditions, metav1.ConditionTrue, tenancyv1alpha1.ReasonGranted)
			g.Expect(a.Status.AccountID).To(Equal(ghost.Spec.AccountID))
			g.Expect(a.Status.Role).To(Equal(tenancyv1alpha1.RoleCompanyAdmin))
		})
	})
})
