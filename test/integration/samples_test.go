package integration

import (
	"context"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/testenv"
)

var _ = Describe("config/samples", func() {
	It("applies in one `kubectl apply --server-side -k` and the tree it declares becomes Ready", func() {
		ctx := context.Background()
		Eventually(func() error { return k8s.Get(ctx, client.ObjectKey{Name: "root"}, &tenancyv1alpha1.Group{}) },
			20*time.Second).Should(Succeed())

		// An administrator of the test API server, as the deprecated default user was.
		admin, err := env.ControlPlane.AddUser(envtest.User{Name: "samples", Groups: []string{"system:masters"}}, nil)
		Expect(err).NotTo(HaveOccurred())
		kubectl, err := admin.Kubectl()
		Expect(err).NotTo(HaveOccurred())
		stdout, stderr, err := kubectl.Run("apply", "--server-side", "-k", filepath.Join(testenv.RepoRoot(), "config", "samples"))
		out, _ := readAll(stdout)
		errOut, _ := readAll(stderr)
		Expect(err).NotTo(HaveOccurred(), "kubectl apply --server-side -k config/samples: %s %s", out, errOut)
		Expect(out).To(ContainSubstring("account.tenancy.tessera.dev/alice serverside-applied"))

		Eventually(func(g Gomega) {
			acme := &tenancyv1alpha1.Group{}
			g.Expect(k8s.Get(ctx, client.ObjectKey{Name: "acme"}, acme)).To(Succeed())
			g.Expect(meta.IsStatusConditionTrue(acme.Status.Conditions, tenancyv1alpha1.ConditionReady)).To(BeTrue(),
				"acme: %v", acme.Status.Conditions)
			g.Expect(acme.Status.Path).To(Equal([]string{"root", "northwind"}))
		}, 20*time.Second, 100*time.Millisecond).Should(Succeed())

		// `kubectl get tessera` lists every kind through the category.
		stdout, _, err = kubectl.Run("get", "tessera", "-A")
		Expect(err).NotTo(HaveOccurred())
		out, _ = readAll(stdout)
		for _, want := range []string{"group.tenancy.tessera.dev/acme", "account.tenancy.tessera.dev/alice",
			"token.tenancy.tessera.dev/alice-ci", "admin.tenancy.tessera.dev/alice"} {
			Expect(out).To(ContainSubstring(want))
		}
	})
})
