package integration

import (
	"context"
	"fmt"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

func group(name, parent string, kind tenancyv1alpha1.GroupKind) *tenancyv1alpha1.Group {
	return &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: tenancyv1alpha1.GroupSpec{Parent: parent, Kind: kind}}
}

func setLock(ctx context.Context, name string, enabled bool, reason string) {
	GinkgoHelper()
	Eventually(func() error {
		g := &tenancyv1alpha1.Group{}
		if err := k8s.Get(ctx, client.ObjectKey{Name: name}, g); err != nil {
			return err
		}
		g.Spec.Lock = tenancyv1alpha1.GroupLock{Enabled: enabled, Reason: reason}
		return k8s.Update(ctx, g)
	}, 5*time.Second, 50*time.Millisecond).Should(Succeed())
}

var _ = Describe("Admission", func() {
	ctx := context.Background()

	It("refuses a parent that does not exist, naming spec.parent", func() {
		err := k8s.Create(ctx, group("wh-orphan", "wh-nowhere", tenancyv1alpha1.GroupKindEndUserCompany))
		expectInvalid(err, "spec.parent")
		Expect(err.Error()).To(ContainSubstring("wh-nowhere"))
	})

	It("refuses a second root", func() {
		err := k8s.Create(ctx, group("wh-root2", "", tenancyv1alpha1.GroupKindRoot))
		expectInvalid(err, "spec.parent")
		Expect(err.Error()).To(ContainSubstring("the tree already has a root, Group root"))
	})

	It("refuses a parent→child kind the portal's rules forbid", func() {
		Expect(k8s.Create(ctx, group("wh-company", "root", tenancyv1alpha1.GroupKindEndUserCompany))).To(Succeed())
		err := k8s.Create(ctx, group("wh-company2", "wh-company", tenancyv1alpha1.GroupKindEndUserCompany))
		expectInvalid(err, "spec.kind")
		Expect(err.Error()).To(ContainSubstring(`supported values: "50"`))
		Expect(k8s.Create(ctx, group("wh-dept", "wh-company", tenancyv1alpha1.GroupKindCompanyDepartment))).To(Succeed())
	})

	It("refuses an IP allow-list item that does not parse, on create and on update", func() {
		g := group("wh-ips", "root", tenancyv1alpha1.GroupKindEndUserCompany)
		g.Spec.Settings.LogonIPs = tenancyv1alpha1.LogonIPs{Enabled: true, Items: []string{"192.0.2.0/24", "192.0.2.300"}}
		err := k8s.Create(ctx, g)
		expectInvalid(err, "spec.settings.logonIPs.items[1]")
		Expect(err.Error()).To(ContainSubstring(`"192.0.2.300" is not an IP address`))

		g.Spec.Settings.LogonIPs.Items = []string{"192.0.2.0/24", "198.51.100.1 - 198.51.100.9"}
		Expect(k8s.Create(ctx, g)).To(Succeed())
		Eventually(func() error {
			cur := &tenancyv1alpha1.Group{}
			if err := k8s.Get(ctx, client.ObjectKeyFromObject(g), cur); err != nil {
				return err
			}
			cur.Spec.Settings.LogonIPs.Items = append(cur.Spec.Settings.LogonIPs.Items, "198.51.100.9 - 198.51.100.1")
			return k8s.Update(ctx, cur)
		}).Should(MatchError(ContainSubstring("ends before it starts")))
	})

	It("refuses a move that would make a cycle", func() {
		Expect(k8s.Create(ctx, group("wh-cyc-a", "root", tenancyv1alpha1.GroupKindDistributor))).To(Succeed())
		Expect(k8s.Create(ctx, group("wh-cyc-b", "wh-cyc-a", tenancyv1alpha1.GroupKindSubDistributor))).To(Succeed())
		Expect(k8s.Create(ctx, group("wh-cyc-c", "wh-cyc-b", tenancyv1alpha1.GroupKindMSP))).To(Succeed())
		var err error
		Eventually(func() bool {
			a := &tenancyv1alpha1.Group{}
			Expect(k8s.Get(ctx, client.ObjectKey{Name: "wh-cyc-a"}, a)).To(Succeed())
			a.Spec.Parent = "wh-cyc-c"
			a.Spec.Kind = tenancyv1alpha1.GroupKindEndUserCompany
			err = k8s.Update(ctx, a)
			return apierrors.IsConflict(err) // the controller wrote in between: try again
		}, 5*time.Second, 50*time.Millisecond).Should(BeFalse())
		expectInvalid(err, "spec.parent")
		Expect(err.Error()).To(ContainSubstring("cycle"))
	})

	It("changes a Group's kind only as the portal's modification rules allow", func() {
		Expect(k8s.Create(ctx, group("wh-kind-msp", "root", tenancyv1alpha1.GroupKindMSP))).To(Succeed())
		Expect(k8s.Create(ctx, group("wh-kind-co", "root", tenancyv1alpha1.GroupKindEndUserCompany))).To(Succeed())
		setKind := func(name string, kind tenancyv1alpha1.GroupKind) error {
			var err error
			Eventually(func() bool {
				g := &tenancyv1alpha1.Group{}
				Expect(k8s.Get(ctx, client.ObjectKey{Name: name}, g)).To(Succeed())
				g.Spec.Kind = kind
				err = k8s.Update(ctx, g)
				return apierrors.IsConflict(err)
			}, 5*time.Second, 50*time.Millisecond).Should(BeFalse())
			return err
		}
		err := setKind("wh-kind-co", tenancyv1alpha1.GroupKindMSP) // a company never changes kind
		expectInvalid(err, "spec.kind")
		Expect(err.Error()).To(ContainSubstring(`supported values: "40"`))
		Expect(setKind("wh-kind-msp", tenancyv1alpha1.GroupKindDistributor)).To(Succeed()) // an MSP at grade 1 may
	})

	It("refuses two siblings with one display name", func() {
		first := group("wh-sib-1", "root", tenancyv1alpha1.GroupKindEndUserCompany)
		first.Spec.DisplayName = "Initech"
		Expect(k8s.Create(ctx, first)).To(Succeed())
		Eventually(func() error {
			return k8s.Get(ctx, client.ObjectKey{Name: tenancyv1alpha1.GroupNamespace("wh-sib-1")}, &corev1.Namespace{})
		}, 10*time.Second).Should(Succeed())
		second := group("wh-sib-2", "root", tenancyv1alpha1.GroupKindEndUserCompany)
		second.Spec.DisplayName = "initech"
		err := k8s.Create(ctx, second)
		expectInvalid(err, "spec.displayName")
	})

	It("freezes a subtree three levels deep while an ancestor is locked, and unlocking restores it", func() {
		Expect(k8s.Create(ctx, group("wh-lock-p", "root", tenancyv1alpha1.GroupKindDistributor))).To(Succeed())
		Expect(k8s.Create(ctx, group("wh-lock-c", "wh-lock-p", tenancyv1alpha1.GroupKindEndUserCompany))).To(Succeed())
		Expect(k8s.Create(ctx, group("wh-lock-d", "wh-lock-c", tenancyv1alpha1.GroupKindCompanyDepartment))).To(Succeed())
		ns := tenancyv1alpha1.GroupNamespace("wh-lock-d")
		Eventually(func() error { return k8s.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{}) }, 10*time.Second).Should(Succeed())
		before := newAccount(ns, "before", "before@lock.example")
		Expect(k8s.Create(ctx, before)).To(Succeed())

		setLock(ctx, "wh-lock-p", true, "unpaid invoice")
		// Admission sees the lock as soon as the Group reconciler recorded it.
		Eventually(func() error {
			return k8s.Create(ctx, newAccount(ns, "during", "during@lock.example"))
		}, 5*time.Second, 50*time.Millisecond).Should(MatchError(ContainSubstring("Group wh-lock-p is locked (unpaid invoice)")))
		err := k8s.Create(ctx, newAccount(ns, "during", "during@lock.example"))
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "%v", err)

		changed := before.DeepCopy()
		Expect(update(ctx, changed, func(a *tenancyv1alpha1.Account) { a.Spec.Description = "changed while locked" })).
			To(MatchError(ContainSubstring("wh-lock-p is locked")))
		Expect(k8s.Delete(ctx, changed)).To(MatchError(ContainSubstring("wh-lock-p is locked")))
		Expect(k8s.Create(ctx, newToken(ns, "tok", "before"))).To(MatchError(ContainSubstring("wh-lock-p is locked")))
		Expect(k8s.Create(ctx, group("wh-lock-e", "wh-lock-d", tenancyv1alpha1.GroupKindCompanyDepartment))).
			To(MatchError(ContainSubstring("wh-lock-p is locked")))
		d := &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "wh-lock-d"}}
		Expect(update(ctx, d, func(g *tenancyv1alpha1.Group) { g.Spec.Description = "changed while locked" })).
			To(MatchError(ContainSubstring("wh-lock-p is locked")))

		setLock(ctx, "wh-lock-p", false, "")
		Eventually(func() error {
			return k8s.Create(ctx, newAccount(ns, "after", "after@lock.example"))
		}, 5*time.Second, 50*time.Millisecond).Should(Succeed())
		// Nothing was deleted by the lock.
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(before), &tenancyv1alpha1.Account{})).To(Succeed())
	})

	It("lets exactly one of 10 concurrent creates of one login win", func() {
		ns := groupNamespace(ctx, "wh-race")
		var wg sync.WaitGroup
		errs := make([]error, 10)
		for i := range errs {
			wg.Go(func() {
				errs[i] = k8s.Create(ctx, newAccount(ns, fmt.Sprintf("racer-%d", i), "racer@race.example"))
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			Expect(apierrors.IsConflict(err)).To(BeTrue(), "a losing create must be a conflict: %v", err)
			Expect(err.Error()).To(ContainSubstring(`login "racer@race.example" is already taken by Account ` + ns + "/racer-"))
		}
		Expect(won).To(Equal(1))
		list := &tenancyv1alpha1.AccountList{}
		Expect(k8s.List(ctx, list, client.InNamespace(ns))).To(Succeed())
		Expect(list.Items).To(HaveLen(1))

		// Once the winner is deleted, the login is free again at once, not after a grace period.
		Expect(k8s.Delete(ctx, &list.Items[0])).To(Succeed())
		Eventually(func() bool {
			return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(&list.Items[0]), &tenancyv1alpha1.Account{}))
		}, 10*time.Second, 50*time.Millisecond).Should(BeTrue())
		Expect(k8s.Create(ctx, newAccount(ns, "successor", "racer@race.example"))).To(Succeed())
	})

	It("refuses to delete a Group that has children unless cascade is asked for", func() {
		Expect(k8s.Create(ctx, group("wh-del-p", "root", tenancyv1alpha1.GroupKindEndUserCompany))).To(Succeed())
		Expect(k8s.Create(ctx, group("wh-del-c", "wh-del-p", tenancyv1alpha1.GroupKindCompanyDepartment))).To(Succeed())
		p := &tenancyv1alpha1.Group{}
		Expect(k8s.Get(ctx, client.ObjectKey{Name: "wh-del-p"}, p)).To(Succeed())
		Eventually(func() error { return k8s.Delete(ctx, p) }, 5*time.Second, 50*time.Millisecond).
			Should(MatchError(ContainSubstring("still has child Groups (wh-del-c)")))

		// With cascade asked for, the Group goes with its child and the Accounts below.
		ns := tenancyv1alpha1.GroupNamespace("wh-del-c")
		Eventually(func() error { return k8s.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{}) }, 10*time.Second).Should(Succeed())
		Expect(k8s.Create(ctx, newAccount(ns, "inside", "inside@del.example"))).To(Succeed())
		Eventually(func() error {
			if err := k8s.Get(ctx, client.ObjectKey{Name: "wh-del-p"}, p); err != nil {
				return err
			}
			p.Annotations = map[string]string{tenancyv1alpha1.AnnotationCascadeDelete: "true"}
			return k8s.Update(ctx, p)
		}, 5*time.Second, 50*time.Millisecond).Should(Succeed())
		Expect(k8s.Delete(ctx, p)).To(Succeed())
		for _, obj := range []client.Object{
			&tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "wh-del-p"}},
			&tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "wh-del-c"}},
			&tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "inside"}},
		} {
			Eventually(func() bool {
				return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj))
			}, 20*time.Second, 100*time.Millisecond).Should(BeTrue(), "%s %s is still there", obj.GetObjectKind(), obj.GetName())
		}
	})

	It("admits a child created right after its parent, 50 pairs at once, though the tree lags", func() {
		u := oteUniq()
		var wg sync.WaitGroup
		errs := make([]error, 50)
		for i := range errs {
			wg.Go(func() {
				parent := fmt.Sprintf("wh-pair-%s-%d", u, i)
				if errs[i] = k8s.Create(ctx, group(parent, "root", tenancyv1alpha1.GroupKindDistributor)); errs[i] != nil {
					return
				}
				errs[i] = k8s.Create(ctx, group(parent+"-child", parent, tenancyv1alpha1.GroupKindEndUserCompany))
			})
		}
		wg.Wait()
		for i, err := range errs {
			Expect(err).NotTo(HaveOccurred(), "pair %d", i)
		}
		for i := range errs {
			parent := fmt.Sprintf("wh-pair-%s-%d", u, i)
			Expect(k8s.Delete(ctx, group(parent+"-child", parent, 0))).To(Succeed())
			Eventually(func() error { return k8s.Delete(ctx, group(parent, "root", 0)) }, 10*time.Second, 100*time.Millisecond).
				Should(Or(Succeed(), Satisfy(apierrors.IsNotFound)))
		}
	})

	It("refuses Accounts outside a Group's namespace", func() {
		Expect(k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "plain"}})).To(Succeed())
		err := k8s.Create(ctx, newAccount("plain", "stray", "stray@plain.example"))
		Expect(err).To(MatchError(ContainSubstring("namespace plain belongs to no Tessera Group")))
	})
})
