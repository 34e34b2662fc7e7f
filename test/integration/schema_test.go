package integration

import (
	"context"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// expectInvalid asserts the API server refused err as Invalid with a message naming field.
func expectInvalid(err error, field string) {
	GinkgoHelper()
	Expect(err).To(HaveOccurred())
	Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want an Invalid error, got %v", err)
	Expect(err.Error()).To(ContainSubstring(field))
}

var _ = Describe("The API server's own validation of Tessera objects", Ordered, func() {
	var ctx context.Context
	var ns string

	BeforeAll(func() {
		ctx = context.Background()
		ns = groupNamespace(ctx, "schema")
	})

	DescribeTable("refuses an Account",
		func(mutate func(*tenancyv1alpha1.Account), field, message string) {
			a := newAccount(ns, "bad", "valid-login")
			mutate(a)
			err := k8s.Create(ctx, a)
			expectInvalid(err, field)
			Expect(err.Error()).To(ContainSubstring(message))
		},
		Entry("whose login has whitespace", func(a *tenancyv1alpha1.Account) { a.Spec.Login = "john doe" }, "spec.login", "should match"),
		Entry("whose login is too short", func(a *tenancyv1alpha1.Account) { a.Spec.Login = "jo" }, "spec.login", "at least 3"),
		Entry("whose login is too long", func(a *tenancyv1alpha1.Account) { a.Spec.Login = strings.Repeat("j", 129) }, "spec.login", "may not be more than 128"),
		Entry("with an unknown type", func(a *tenancyv1alpha1.Account) { a.Spec.Type = "superuser" }, "spec.type", "Unsupported value"),
		Entry("with an unknown approval state", func(a *tenancyv1alpha1.Account) { a.Spec.Approval = "maybe" }, "spec.approval", "Unsupported value"),
		Entry("with a description over 128 characters", func(a *tenancyv1alpha1.Account) { a.Spec.Description = strings.Repeat("d", 129) }, "spec.description", "may not be more than 128"),
		Entry("whose accountID is not a UUID", func(a *tenancyv1alpha1.Account) { a.Spec.AccountID = "not-a-uuid" }, "spec.accountID", "should match"),
	)

	It("keeps an Account's accountID immutable and an admin's type fixed", func() {
		a := newAccount(ns, "fixed", "fixed-login")
		a.Spec.Type = tenancyv1alpha1.AccountTypeAdmin
		Expect(k8s.Create(ctx, a)).To(Succeed())
		Expect(a.Spec.AccountID).NotTo(BeEmpty())

		err := update(ctx, a.DeepCopy(), func(a *tenancyv1alpha1.Account) {
			a.Spec.AccountID = "00000000-0000-4000-8000-000000000001"
		})
		expectInvalid(err, "spec.accountID")
		Expect(err.Error()).To(ContainSubstring("accountID is immutable"))

		err = update(ctx, a.DeepCopy(), func(a *tenancyv1alpha1.Account) { a.Spec.Type = tenancyv1alpha1.AccountTypeUser })
		expectInvalid(err, "spec.type")
		Expect(err.Error()).To(ContainSubstring("the type of an admin account cannot be changed"))
	})

	It("refuses Tokens with a bad visibility area, custom permission, or description, and keeps accountRef immutable", func() {
		t := newToken(ns, "bad-visibility", "someone")
		t.Spec.VisibilityArea = "everyone"
		expectInvalid(k8s.Create(ctx, t), "spec.visibilityArea")

		t = newToken(ns, "bad-custom", "someone")
		t.Spec.Permissions.Custom = map[string]tenancyv1alpha1.CustomPermission{"X": {"view"}}
		err := k8s.Create(ctx, t)
		expectInvalid(err, "spec.permissions.custom")
		Expect(err.Error()).To(ContainSubstring("3-16 lowercase letters"))

		t = newToken(ns, "bad-verb", "someone")
		t.Spec.Permissions.Custom = map[string]tenancyv1alpha1.CustomPermission{"cameras": {"matching"}}
		expectInvalid(k8s.Create(ctx, t), "spec.permissions.custom.cameras[0]")

		t = newToken(ns, "reused-name", "someone")
		t.Spec.Permissions.Custom = map[string]tenancyv1alpha1.CustomPermission{"face_sample": {"view"}}
		expectInvalid(k8s.Create(ctx, t), "spec.permissions.custom")

		t = newToken(ns, "long-description", "someone")
		t.Spec.Description = strings.Repeat("d", 129)
		expectInvalid(k8s.Create(ctx, t), "spec.description")

		t = newToken(ns, "moving", "someone")
		Expect(k8s.Create(ctx, t)).To(Succeed())
		Expect(t.Spec.Permissions.Token).To(ConsistOf(tenancyv1alpha1.CRUDVerb("view")), "token permissions default to [view]")
		Expect(t.Spec.VisibilityArea).To(Equal(tenancyv1alpha1.VisibilityAll))
		err = update(ctx, t, func(t *tenancyv1alpha1.Token) { t.Spec.AccountRef.Name = "someone-else" })
		expectInvalid(err, "spec.accountRef")
		Expect(err.Error()).To(ContainSubstring("accountRef is immutable"))
	})

	It("refuses Groups that break the root rule, have an unknown kind, or a reserved name", func() {
		g := newGroup("orphan-company", "")
		err := k8s.Create(ctx, g)
		expectInvalid(err, "spec.parent")
		Expect(err.Error()).To(ContainSubstring("must have kind 0"))

		g = newGroup("odd-kind", "root")
		g.Spec.Kind = 41
		expectInvalid(k8s.Create(ctx, g), "spec.kind")

		expectInvalid(k8s.Create(ctx, newGroup("system", "root")), "tessera-<name>")
		expectInvalid(k8s.Create(ctx, newGroup("has.dots", "root")), "DNS label")
	})

	It("refuses an Admin with an access type outside the portal's bitmask", func() {
		a := &tenancyv1alpha1.Admin{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bad-access"},
			Spec: tenancyv1alpha1.AdminSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: "someone"},
				AccessType: 32},
		}
		expectInvalid(k8s.Create(ctx, a), "spec.accessType")
	})

	It("serves the four kinds in the tessera category with their short names", func() {
		Eventually(func(g Gomega) {
			dc := discoveryFor(cfg)
			list, err := dc.ServerResourcesForGroupVersion(tenancyv1alpha1.GroupVersion.String())
			g.Expect(err).NotTo(HaveOccurred())
			short := map[string][]string{}
			for _, r := range list.APIResources {
				if strings.Contains(r.Name, "/") {
					continue
				}
				g.Expect(r.Categories).To(ContainElement("tessera"), r.Name)
				short[r.Kind] = r.ShortNames
			}
			g.Expect(short).To(Equal(map[string][]string{
				"Group": {"grp"}, "Account": {"acct"}, "Token": {"tok"}, "Admin": {"adm"},
			}))
		}, 10*time.Second).Should(Succeed())
	})

})
