package plugin

import (
	"context"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

var _ = Describe("kubectl tessera describe", func() {
	ctx := context.Background()
	get := func(obj client.Object, ns, name string) {
		GinkgoHelper()
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, obj)).To(Succeed())
	}

	It("shows an Account's ids, Group, lock, Admin grants and Tokens", func() {
		alice, ci, eternal := &tenancyv1alpha1.Account{}, &tenancyv1alpha1.Token{}, &tenancyv1alpha1.Token{}
		get(alice, "tessera-acme", "alice")
		get(ci, "tessera-acme", "alice-ci")
		get(eternal, "tessera-acme", "alice-eternal")
		Expect(succeed("describe", "alice", "-n", "tessera-acme")).To(Equal(fmt.Sprintf(
			`Name:         alice
Namespace:    tessera-acme
Login:        alice@acme.example
Type:         user
Account ID:   %s
ID:           %d
Group:        acme (EndUserCompany, path root/northwind/acme)
Lock:         -
Approval:     %s
Disabled:     false
Ready:        True

Admin grants:
  ADMIN         GROUP   ACCESS      ROLE            READY
  alice-admin   acme    15 (full)   company_admin   True

Tokens:
  TOKEN           TOKEN ID                               EXPIRES                STATE
  alice-ci        %s   2030-01-01T00:00:00Z   Ready
  alice-eternal   %s   never                  Ready
`, alice.Spec.AccountID, alice.Spec.ID, alice.Spec.Approval, ci.Status.TokenID, eternal.Status.TokenID)))
	})

	It("shows the effective lock, inherited from an ancestor", func() {
		DeferCleanup(clearLock, ctx, "northwind")
		succeed("lock", "northwind", "--reason", "audit")
		// The context's namespace is tessera-acme, so -n may be left out.
		Expect(succeed("describe", "alice")).To(MatchRegexp(`(?m)^Lock:\s+locked \(by northwind\): audit$`))
		Expect(succeed("describe", "nora", "-n", "tessera-northwind")).To(MatchRegexp(`(?m)^Lock:\s+locked: audit$`))
	})

	It("shows an Account without grants or Tokens", func() {
		out := succeed("describe", "bob")
		Expect(out).To(ContainSubstring("\nAdmin grants:\n  <none>\n\nTokens:\n  <none>\n"))
		Expect(out).To(MatchRegexp(`(?m)^ID:\s+[1-9][0-9]*$`))
	})

	It("fails with one line for an unknown Account", func() {
		Expect(fail("describe", "carol")).To(Equal(
			`account "carol" not found in namespace "tessera-acme" ` +
				`(Tessera's accounts live in their Group's namespace tessera-<group>: use -n)`))
	})
})
