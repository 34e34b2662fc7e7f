package integration

import (
	"context"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/webhookinstall"
)

func getGroup(ctx context.Context, name string) func() (*tenancyv1alpha1.Group, error) {
	return func() (*tenancyv1alpha1.Group, error) {
		g := &tenancyv1alpha1.Group{}
		return g, k8s.Get(ctx, client.ObjectKey{Name: name}, g)
	}
}

var _ = Describe("The Group controller", func() {
	ctx := context.Background()

	It("gives each Group a labelled namespace and its place in the tree", func() {
		Expect(k8s.Create(ctx, &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "tree-partner"},
			Spec: tenancyv1alpha1.GroupSpec{Parent: "root", Kind: tenancyv1alpha1.GroupKindDistributor}})).To(Succeed())
		Expect(k8s.Create(ctx, newGroup("tree-company", "tree-partner"))).To(Succeed())

		Eventually(func(g Gomega) {
			grp, err := getGroup(ctx, "tree-company")()
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(grp.Status.Path).To(Equal([]string{"root", "tree-partner"}))
			g.Expect(grp.Status.Depth).To(BeEquivalentTo(2))
			g.Expect(grp.Status.Namespace).To(Equal("tessera-tree-company"))
			g.Expect(meta.IsStatusConditionTrue(grp.Status.Conditions, tenancyv1alpha1.ConditionReady)).To(BeTrue())
			g.Expect(grp.Status.ObservedGeneration).To(Equal(grp.Generation))
		}, 10*time.Second, 50*time.Millisecond).Should(Succeed())
		Eventually(func(g Gomega) {
			partner, err := getGroup(ctx, "tree-partner")()
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(partner.Status.ChildCount).To(BeEquivalentTo(1))
		}, 10*time.Second, 50*time.Millisecond).Should(Succeed())

		// HNC-style tree labels: the partner's subtree is one label selector away.
		nsList := &corev1.NamespaceList{}
		Expect(k8s.List(ctx, nsList, client.HasLabels{tenancyv1alpha1.TreeDepthLabel("tree-partner")})).To(Succeed())
		names := make([]string, 0, len(nsList.Items))
		for _, ns := range nsList.Items {
			names = append(names, ns.Name)
		}
		Expect(names).To(ConsistOf("tessera-tree-partner", "tessera-tree-company"))
		ns := &corev1.Namespace{}
		Expect(k8s.Get(ctx, client.ObjectKey{Name: "tessera-tree-company"}, ns)).To(Succeed())
		Expect(ns.Labels).To(HaveKeyWithValue(tenancyv1alpha1.TreeDepthLabel("root"), "2"))
		Expect(ns.Labels).To(HaveKeyWithValue(tenancyv1alpha1.LabelGroup, "tree-company"))
		Expect(metav1.GetControllerOf(ns).Name).To(Equal("tree-company"))
	})

	It("reports a lock on every descendant and lifts it on unlock", func() {
		Expect(k8s.Create(ctx, newGroup("lock-a", "root"))).To(Succeed())
		b := newGroup("lock-b", "lock-a")
		b.Spec.Kind = tenancyv1alpha1.GroupKindCompanyDepartment
		Expect(k8s.Create(ctx, b)).To(Succeed())
		c := newGroup("lock-c", "lock-b")
		c.Spec.Kind = tenancyv1alpha1.GroupKindCompanyDepartment
		Expect(k8s.Create(ctx, c)).To(Succeed())
		Eventually(func() (int32, error) {
			g, err := getGroup(ctx, "lock-c")()
			return g.Status.Depth, err
		}, 10*time.Second, 50*time.Millisecond).Should(BeEquivalentTo(3))

		setLock(ctx, "lock-a", true, "contract ended")
		Eventually(func(g Gomega) {
			grp, err := getGroup(ctx, "lock-c")()
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(grp.Status.LockedBy).To(Equal("lock-a"))
			cond := meta.FindStatusCondition(grp.Status.Conditions, tenancyv1alpha1.ConditionLocked)
			g.Expect(cond).NotTo(BeNil())
			g.Expect(cond.Status).To(Equal(metav1.ConditionTrue))
			g.Expect(cond.Message).To(Equal("locked by Group lock-a: contract ended"))
		}, time.Second, 20*time.Millisecond).Should(Succeed(), "every descendant reports the lock within a second")

		setLock(ctx, "lock-a", false, "")
		Eventually(func(g Gomega) {
			grp, err := getGroup(ctx, "lock-c")()
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(grp.Status.LockedBy).To(BeEmpty())
			g.Expect(meta.IsStatusConditionFalse(grp.Status.Conditions, tenancyv1alpha1.ConditionLocked)).To(BeTrue())
		}, 5*time.Second, 50*time.Millisecond).Should(Succeed())
	})

	It("halts a Group whose parent does not exist instead of guessing", func() {
		// Admission refuses a missing parent; an outage of the webhook is how one gets in anyway.
		withoutGroupAdmission(ctx, func() {
			Expect(k8s.Create(ctx, newGroup("lost", "nowhere"))).To(Succeed())
		})
		Eventually(func(g Gomega) {
			grp, err := getGroup(ctx, "lost")()
			g.Expect(err).NotTo(HaveOccurred())
			cond := meta.FindStatusCondition(grp.Status.Conditions, tenancyv1alpha1.ConditionReady)
			g.Expect(cond).NotTo(BeNil())
			g.Expect(cond.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(cond.Reason).To(Equal("TreeProblem"))
			g.Expect(cond.Message).To(ContainSubstring("parent Group nowhere does not exist"))
		}, 10*time.Second, 50*time.Millisecond).Should(Succeed())
	})

	It("never takes over a namespace that belongs to someone else", func() {
		Expect(k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "tessera-squatted"}})).To(Succeed())
		Expect(k8s.Create(ctx, newGroup("squatted", "root"))).To(Succeed())
		Eventually(func(g Gomega) {
			grp, err := getGroup(ctx, "squatted")()
			g.Expect(err).NotTo(HaveOccurred())
			cond := meta.FindStatusCondition(grp.Status.Conditions, tenancyv1alpha1.ConditionReady)
			g.Expect(cond).NotTo(BeNil())
			g.Expect(cond.Reason).To(Equal("NamespaceConflict"))
		}, 10*time.Second, 50*time.Millisecond).Should(Succeed())
		ns := &corev1.Namespace{}
		Expect(k8s.Get(ctx, client.ObjectKey{Name: "tessera-squatted"}, ns)).To(Succeed())
		Expect(ns.OwnerReferences).To(BeEmpty())
	})
})

// withoutGroupAdmission runs f while the Group validating webhook is out of the configuration,
// as during an outage of the webhook, and puts it back afterwards.
func withoutGroupAdmission(ctx context.Context, f func()) {
	GinkgoHelper()
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	key := client.ObjectKey{Name: webhookinstall.ValidatingConfigName}
	Expect(k8s.Get(ctx, key, cfg)).To(Succeed())
	saved := cfg.DeepCopy()
	cfg.Webhooks = slices.DeleteFunc(cfg.Webhooks, func(w admissionregistrationv1.ValidatingWebhook) bool {
		return w.Name == "vgroup.tessera.dev"
	})
	Expect(k8s.Update(ctx, cfg)).To(Succeed())
	defer func() {
		Expect(k8s.Get(ctx, key, cfg)).To(Succeed())
		cfg.Webhooks = saved.Webhooks
		Expect(k8s.Update(ctx, cfg)).To(Succeed())
	}()
	// The API server picks configuration changes up asynchronously; retry f's effect instead of
	// sleeping is not possible for a create, so wait until a probe create passes.
	Eventually(func() error {
		probe := newGroup("probe-orphan", "probe-nowhere")
		err := k8s.Create(ctx, probe)
		if err == nil {
			_ = k8s.Delete(ctx, probe)
		}
		return err
	}, 10*time.Second, 100*time.Millisecond).Should(Succeed())
	f()
}
