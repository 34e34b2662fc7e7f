package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

var _ = Describe("The portal's group settings, watchers and branding", func() {
	path := func(id int64, rest ...string) string { return fmt.Sprintf("/groups/%d", id) + strings.Join(rest, "") }

	It("keeps a group's portal fields in spec.portal: the version moves with them, and a declared spec.portal shows", func() {
		g := createGroup(asAdmin, rootID(), "Spec portal "+oteUniq(), 40)
		v := groupVersion(asAdmin, g)
		r := portalCall("PUT", path(g), asAdmin, map[string]any{"internal_tag": "t1", "status": 0,
			"billing": map[string]any{"city": "Oslo"}, "pricing": map[string]any{"mode": 3, "price": 12.5},
			"privileges": map[string]any{"quota_vms_hard": 4, "local_backup": map[string]any{"permitted": 0}}})
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(HaveKeyWithValue("version", BeEquivalentTo(v+1)))
		p := groupCR(g).Spec.Portal
		Expect(p.InternalTag).To(HaveValue(Equal("t1")))
		Expect(p.Enabled).To(HaveValue(BeFalse()))
		Expect(p.Billing.City).To(Equal("Oslo"))
		Expect(p.Pricing.Mode).To(BeEquivalentTo(3))
		Expect(p.Pricing.Price).To(HaveValue(Equal("12.5")))
		Expect(p.Privileges.Quotas).To(HaveKeyWithValue("quota_vms_hard", BeEquivalentTo(4)))
		Expect(p.Privileges.LocalBackup.Permitted).To(HaveValue(BeFalse()))

		// Declared with the Kubernetes client, as GitOps would: GET shows it at the new version.
		cr := groupCR(g)
		Expect(update(context.Background(), cr, func(x *tenancyv1alpha1.Group) {
			x.Spec.Portal.CustomerID = new("cust-7")
			x.Spec.Portal.External = true
		})).To(Succeed())
		Eventually(func() map[string]any { return portalCall("GET", path(g), asAdmin, nil).Body }, 10*time.Second, 50*time.Millisecond).
			Should(SatisfyAll(HaveKeyWithValue("customer_id", "cust-7"), HaveKeyWithValue("external", BeEquivalentTo(1)),
				HaveKeyWithValue("version", BeEquivalentTo(cr.Generation)), HaveKeyWithValue("status", BeEquivalentTo(0))))
		Expect(cr.Generation).To(Equal(v + 2))

		// The API server's bounds hold for GitOps too.
		err := update(context.Background(), groupCR(g), func(x *tenancyv1alpha1.Group) {
			x.Spec.Portal.Privileges.Quotas = map[string]int64{"quota_nope": 1}
		})
		expectInvalid(err, "spec.portal.privileges.quotas")
	})
})
