package plugin

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/kubectlplugin"
)

var _ = Describe("kubectl tessera lock and unlock", func() {
	ctx := context.Background()

	It("locks by server-side apply as kubectl-tessera; the subtree shows and enforces the inherited lock", func() {
		DeferCleanup(clearLock, ctx, "northwind")
		Expect(succeed("lock", "northwind", "--reason", "unpaid invoice")).To(Equal("group/northwind locked\n"))
		g := group(ctx, "northwind")
		Expect(g.Spec.Lock).To(Equal(tenancyv1alpha1.GroupLock{Enabled: true, Reason: "unpaid invoice"}))
		Expect(lockOwners(g, "f:enabled")).To(Equal([]string{"kubectl-tessera/Apply"}))
		Expect(lockOwners(g, "f:reason")).To(Equal([]string{"kubectl-tessera/Apply"}))

		out := succeed("tree", "northwind")
		Expect(out).To(MatchRegexp(`(?m)^northwind\s+Distributor\s+locked\s+True\s`))
		Expect(out).To(MatchRegexp(`(?m)^├── acme\s+EndUserCompany\s+locked \(by northwind\)\s+True\s`))
		Expect(out).To(MatchRegexp(`(?m)^│   └── acme-rnd\s+CompanyDepartment\s+locked \(by northwind\)\s+True\s`))
		var t kubectlplugin.Tree
		Expect(json.Unmarshal([]byte(succeed("tree", "acme", "-o", "json")), &t)).To(Succeed())
		Expect(t.Groups[0].Lock).To(Equal(
			kubectlplugin.LockState{Locked: true, LockedBy: "northwind", Inherited: true, Reason: "unpaid invoice"}))

		// The operator agrees, and admission freezes the subtree.
		Eventually(func() string { return group(ctx, "acme-rnd").Status.LockedBy }, 20*time.Second, 100*time.Millisecond).
			Should(Equal("northwind"))
		err := k8s.Create(ctx, account("tessera-acme", "carol", "carol@acme.example"))
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring("northwind is locked"))

		Expect(fail("unlock", "acme")).To(Equal(
			`group "acme" is not locked itself: it inherits the lock of "northwind" (kubectl tessera unlock northwind)`))
		Expect(fail("lock", "acme", "--reason", "again")).To(Equal(
			`group "acme" is already locked by its ancestor "northwind"; admission refuses changes inside it`))

		Expect(succeed("unlock", "northwind")).To(Equal("group/northwind unlocked\n"))
		g = group(ctx, "northwind")
		Expect(g.Spec.Lock).To(Equal(tenancyv1alpha1.GroupLock{}))
		Expect(lockOwners(g, "f:enabled")).To(Equal([]string{"kubectl-tessera/Apply"}))
		Expect(lockOwners(g, "f:reason")).To(BeEmpty())
		Expect(succeed("unlock", "northwind")).To(Equal("group/northwind is not locked\n"))
		Eventually(func() string { return group(ctx, "acme-rnd").Status.LockedBy }, 20*time.Second, 100*time.Millisecond).
			Should(BeEmpty())
	})

	It("requires a reason", func() {
		Expect(fail("lock", "globex")).To(Equal(
			"--reason is required: it is shown in every refusal inside the locked subtree"))
		Expect(fail("lock", "nope", "--reason", "x")).To(Equal(`group "nope" not found`))
	})

	// unlock forces the conflict on purpose: a lock that someone else applied is taken over,
	// and stderr names the previous manager. A reason only they own stays (it means nothing
	// while the lock is off).
	DescribeTable("unlocks a lock that someone else applied with kubectl",
		func(manager string, kubectlArgs ...string) {
			DeferCleanup(clearLock, ctx, "globex")
			kubectl(`apiVersion: tenancy.tessera.dev/v1alpha1
kind: Group
metadata: {name: globex}
spec: {parent: northwind, kind: 40, lock: {enabled: true, reason: set in git}}
`, kubectlArgs...)
			g := group(ctx, "globex")
			Expect(g.Spec.Lock.Enabled).To(BeTrue())
			Expect(lockOwners(g, "f:enabled")).To(Equal([]string{manager}))

			r := plugin("unlock", "globex")
			Expect(r.code).To(Equal(0), r.err)
			Expect(r.out).To(Equal("group/globex unlocked\n"))
			Expect(r.err).To(Equal(`Warning: took spec.lock of group/globex over from field manager "` +
				strings.Split(manager, "/")[0] + `"; an apply of theirs with another value sets it back` + "\n"))
			g = group(ctx, "globex")
			Expect(g.Spec.Lock).To(Equal(tenancyv1alpha1.GroupLock{Reason: "set in git"}))
			Expect(lockOwners(g, "f:enabled")).To(Equal([]string{"kubectl-tessera/Apply"}))
			Expect(strings.Split(succeed("tree", "globex"), "\n")[1]).To(MatchRegexp(`^globex\s+EndUserCompany\s+-\s`))
		},
		Entry("kubectl apply (client-side)", "kubectl-client-side-apply/Update", "apply", "-f", "-"),
		Entry("kubectl apply --server-side", "kubectl/Apply", "apply", "--server-side", "-f", "-"),
	)
})

func group(ctx context.Context, name string) *tenancyv1alpha1.Group {
	GinkgoHelper()
	g := &tenancyv1alpha1.Group{}
	Expect(k8s.Get(ctx, client.ObjectKey{Name: name}, g)).To(Succeed())
	return g
}

// lockOwners lists "manager/operation" for each managedFields entry that owns spec.lock.<field>.
func lockOwners(g *tenancyv1alpha1.Group, field string) []string {
	return fieldOwners(g, "f:spec", "f:lock", field)
}

// fieldOwners lists "manager/operation" for each managedFields entry of obj that owns the field
// at path (in managedFields notation: "f:spec", "f:lock", …).
func fieldOwners(obj client.Object, path ...string) []string {
	var out []string
	for _, mf := range obj.GetManagedFields() {
		var fields any
		if mf.FieldsV1 == nil || json.Unmarshal(mf.FieldsV1.GetRawBytes(), &fields) != nil {
			continue
		}
		for _, step := range path {
			m, _ := fields.(map[string]any)
			fields = m[step]
		}
		if fields != nil {
			out = append(out, mf.Manager+"/"+string(mf.Operation))
		}
	}
	return out
}

// clearLock unlocks name with the test's own client, so a failed spec leaves no lock behind.
func clearLock(ctx context.Context, name string) {
	Eventually(func() error {
		g := group(ctx, name)
		g.Spec.Lock = tenancyv1alpha1.GroupLock{}
		g.ManagedFields = []metav1.ManagedFieldsEntry{{}} // drop every manager's claim on the lock
		return k8s.Update(ctx, g)
	}, 10*time.Second, 100*time.Millisecond).Should(Succeed())
}

// kubectl runs bin/kubectl with the test kubeconfig and manifest on stdin.
func kubectl(manifest string, args ...string) {
	GinkgoHelper()
	args = append([]string{"--kubeconfig", kubeconfig, "--context", liveContext}, args...)
	cmd := exec.Command(assets+"/kubectl", args...)
	cmd.Stdin = strings.NewReader(manifest)
	out, err := cmd.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))
}
