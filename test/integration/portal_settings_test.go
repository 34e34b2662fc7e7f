package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/people"
)

// pngOf is a w×h PNG of one color.
func pngOf(w, h int, c color.Color) []byte {
	GinkgoHelper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	Expect(png.Encode(&buf, img)).To(Succeed())
	return buf.Bytes()
}

// bareArray decodes an answer that is a JSON array of objects.
func bareArray(r lunaResp) []map[string]any {
	GinkgoHelper()
	Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
	Expect(bytes.TrimSpace(r.Raw)).To(HavePrefix("["))
	var out []map[string]any
	Expect(json.Unmarshal(r.Raw, &out)).To(Succeed())
	return out
}

// expectSuccess checks the seed's 200 "Success".
func expectSuccess(r lunaResp) {
	GinkgoHelper()
	Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
	Expect(strings.TrimSpace(string(r.Raw))).To(Equal(`"Success"`))
}

// groupSecret reads a Secret of the namespace of the group with portal id group.
func groupSecret(group int64, name string) (*corev1.Secret, error) {
	s := &corev1.Secret{}
	err := k8s.Get(context.Background(), client.ObjectKey{Namespace: tenancyv1alpha1.GroupNamespace(groupCR(group).Name), Name: name}, s)
	return s, err
}

// notifiedAdmin makes a full administrator of group whose Admin has notifications n.
func notifiedAdmin(group int64, n tenancyv1alpha1.AdminNotifications) cred {
	GinkgoHelper()
	c := portalAdmin(group, tenancyv1alpha1.AccessFull)
	adm := &tenancyv1alpha1.Admin{}
	adm.Namespace, adm.Name = tenancyv1alpha1.GroupNamespace(groupCR(group).Name), people.PersonAccountName(c.login)
	Expect(update(context.Background(), adm, func(a *tenancyv1alpha1.Admin) { a.Spec.Notifications = n })).To(Succeed())
	return c
}

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
	It("reads and sets flags (partial, apply_for_children), the aggregate, local backups, autoupdate and quotas", func() {
		u := oteUniq()
		partner := createGroup(asAdmin, rootID(), "Set P "+u, 10)
		company := createGroup(asAdmin, partner, "Set C "+u, 40)
		dept := createGroup(asAdmin, company, "Set D "+u, 50)
		Expect(update(context.Background(), groupCR(company), func(g *tenancyv1alpha1.Group) {
			g.Spec.Settings.LogonIPs = tenancyv1alpha1.LogonIPs{Enabled: true, Items: []string{"192.0.2.7"}}
		})).To(Succeed())
		Eventually(func() map[string]any { return portalCall("GET", path(company, "/settings"), asAdmin, nil).Body }, 10*time.Second, 50*time.Millisecond).
			Should(HaveKeyWithValue("logon_ips", map[string]any{"status": 1.0, "items": []any{"192.0.2.7"}}))
		all := portalCall("GET", path(company, "/settings"), asAdmin, nil).Body
		Expect(all).To(HaveLen(4))
		Expect(all["flags"]).To(Equal(map[string]any{"allow_add_devices": 1.0, "allow_download_tools": 1.0,
			"allow_download_docs": 1.0, "allow_download_agents": 1.0}))
		Expect(all["local_backup_restriction"]).To(Equal(map[string]any{"status": 0.0, "visible": 1.0}))
		Expect(all["agents_autoupdate"]).To(Equal(map[string]any{"status": 1.0}))

		// Partial: one flag changes, the others stay unset in the spec; the descendants keep theirs.
		expectSuccess(portalCall("POST", path(company, "/settings/flags"), asAdmin, map[string]any{"allow_add_devices": 0}))
		flags := portalCall("GET", path(company, "/settings/flags"), asAdmin, nil).Body
		Expect(flags).To(HaveKeyWithValue("allow_add_devices", BeEquivalentTo(0)))
		Expect(flags).To(HaveKeyWithValue("allow_download_docs", BeEquivalentTo(1)))
		cf := groupCR(company).Spec.Settings.Flags
		Expect(cf.AllowAddDevices).To(HaveValue(BeFalse()))
		Expect(cf.AllowDownloadDocs).To(BeNil())
		Expect(groupCR(dept).Spec.Settings.Flags.AllowAddDevices).To(BeNil())
		// apply_for_children=1 reaches every group below, and keeps what the body does not name.
		expectSuccess(portalCall("POST", path(partner, "/settings/flags?apply_for_children=1"), asAdmin,
			map[string]any{"allow_download_docs": 0, "allow_download_agents": 1}))
		for _, id := range []int64{partner, company, dept} {
			f := groupCR(id).Spec.Settings.Flags
			Expect(f.AllowDownloadDocs).To(HaveValue(BeFalse()), "group %d", id)
			Expect(f.AllowDownloadAgents).To(HaveValue(BeTrue()), "group %d", id)
			Expect(portalCall("GET", path(id, "/settings/flags"), asAdmin, nil).Body).To(HaveKeyWithValue("allow_download_docs", BeEquivalentTo(0)))
		}
		Expect(groupCR(company).Spec.Settings.Flags.AllowAddDevices).To(HaveValue(BeFalse()))
		Expect(groupCR(dept).Spec.Settings.Flags.AllowAddDevices).To(BeNil())

		// Local backup restriction is privileges.local_backup.permitted, inverted.
		expectSuccess(portalCall("POST", path(company, "/settings/local_backup_restriction"), asAdmin, map[string]any{"status": 1}))
		Expect(portalCall("GET", path(company, "/settings/local_backup_restriction"), asAdmin, nil).Body).
			To(Equal(map[string]any{"status": 1.0, "visible": 1.0}))
		Expect(groupCR(company).Spec.Portal.Privileges.LocalBackup.Permitted).To(HaveValue(BeFalse()))
		Expect(portalCall("GET", path(company), asAdmin, nil).Body["privileges"]).
			To(HaveKeyWithValue("local_backup", HaveKeyWithValue("permitted", BeEquivalentTo(0))))

		// Autoupdate and its twin; apply_for_children reaches the descendants.
		expectSuccess(portalCall("POST", path(partner, "/settings/agents_autoupdate"), asAdmin,
			map[string]any{"apply_for_children": 1, "status": 0}))
		for _, id := range []int64{partner, company, dept} {
			Expect(groupCR(id).Spec.Portal.AgentsAutoupdate).To(HaveValue(BeFalse()), "group %d", id)
		}
		Expect(portalCall("GET", path(dept, "/agents/autoupdate"), asAdmin, nil).Body).To(Equal(map[string]any{"status": 0.0}))
		expectSuccess(portalCall("POST", path(company, "/agents/autoupdate"), asAdmin, map[string]any{"apply_for_children": 0, "status": 1}))
		Expect(portalCall("GET", path(company, "/settings/agents_autoupdate"), asAdmin, nil).Body).To(Equal(map[string]any{"status": 1.0}))
		Expect(portalCall("GET", path(company), asAdmin, nil).Body["agents"]).To(Equal(map[string]any{"autoupdate": 1.0}))
		Expect(groupCR(dept).Spec.Portal.AgentsAutoupdate).To(HaveValue(BeFalse()))

		// Quota exceedance: nine flags; a quota of 0 is not exceeded by Tessera's usage of 0.
		Expect(portalCall("PUT", path(company), asAdmin, map[string]any{"privileges": map[string]any{"quota_vms_hard": 0}}).Status).
			To(Equal(http.StatusOK))
		q := portalCall("GET", path(company, "/quota_exceedance"), asAdmin, nil)
		Expect(q.Status).To(Equal(http.StatusOK))
		Expect(q.Body).To(HaveLen(9))
		for _, k := range []string{"virtualhosts", "workstations", "servers", "winserveressentials", "vms", "mailboxes", "mobiles",
			"websites", "universal_devices"} {
			Expect(q.Body).To(HaveKeyWithValue(k, BeEquivalentTo(0)))
		}

		// Bad input: a 4xx in the envelope, and nothing changes.
		before := groupCR(company)
		for _, call := range []struct {
			path string
			body any
		}{
			{"/settings/flags", map[string]any{"nope": 1}}, {"/settings/flags", map[string]any{"allow_add_devices": 2}},
			{"/settings/flags", map[string]any{"allow_add_devices": nil}}, {"/settings/flags", map[string]any{"allow_add_devices": "1"}},
			{"/settings/flags?apply_for_children=yes", map[string]any{"allow_add_devices": 1}}, {"/settings/flags", `{"allow_add_devices": 1`},
			{"/settings/local_backup_restriction", map[string]any{}}, {"/settings/local_backup_restriction", map[string]any{"status": 0, "nope": 1}},
			{"/settings/local_backup_restriction", map[string]any{"status": 0, "apply_for_children": 1}},
			{"/settings/agents_autoupdate", map[string]any{"status": 0}}, {"/agents/autoupdate", map[string]any{"status": 0, "apply_for_children": 3}},
		} {
			expectPortalError(portalCall("POST", path(company, call.path), asAdmin, call.body), http.StatusBadRequest)
		}
		expectPortalError(portalCall("POST", path(company, "/settings/flags"), asAdmin, "allow_add_devices=1", "Content-Type", "text/plain"),
			http.StatusUnsupportedMediaType)
		expectPortalError(portalCall("GET", path(company, "/settings"), asAdmin, "x", "Content-Type", "text/plain"), http.StatusUnsupportedMediaType)
		expectPortalError(portalCall("POST", "/groups/999999999/settings/flags", asAdmin, map[string]any{"allow_add_devices": 1}), http.StatusNotFound)
		after := groupCR(company)
		Expect(after.Generation).To(Equal(before.Generation))
		Expect(after.Spec).To(Equal(before.Spec))
	})

	It("keeps settings writes to their roles, subtrees and locks", func() {
		u := oteUniq()
		partner := createGroup(asAdmin, rootID(), "Roles P "+u, 10)
		company := createGroup(asAdmin, partner, "Roles C "+u, 40)
		sibling := createGroup(asAdmin, partner, "Roles S "+u, 40)
		dept := createGroup(asAdmin, company, "Roles D "+u, 50)
		reader := portalAdmin(partner, tenancyv1alpha1.AccessRead)
		companyAdmin := portalAdmin(company, tenancyv1alpha1.AccessFull)
		off := map[string]any{"allow_add_devices": 0}

		Expect(portalCall("GET", path(company, "/settings"), reader, nil).Status).To(Equal(http.StatusOK))
		Expect(portalCall("GET", path(company, "/watchers?event_mask=1&service_kind=2"), reader, nil).Status).To(Equal(http.StatusOK))
		for _, call := range []struct {
			path string
			body any
		}{{"/settings/flags", off}, {"/settings/local_backup_restriction", map[string]any{"status": 1}},
			{"/settings/agents_autoupdate", map[string]any{"status": 0, "apply_for_children": 0}}, {"/brand", nil}} {
			expectPortalError(portalCall("POST", path(company, call.path), reader, call.body), http.StatusForbidden)
		}
		// A company admin acts in its own company, not in a sibling's nor above; autoupdate and
		// the brand are for root and partner admins.
		expectSuccess(portalCall("POST", path(company, "/settings/flags"), companyAdmin, off))
		expectPortalError(portalCall("POST", path(sibling, "/settings/flags"), companyAdmin, off), http.StatusForbidden)
		expectPortalError(portalCall("GET", path(sibling, "/settings"), companyAdmin, nil), http.StatusForbidden)
		expectPortalError(portalCall("POST", path(partner, "/settings/flags"), companyAdmin, off), http.StatusForbidden)
		expectPortalError(portalCall("POST", path(company, "/agents/autoupdate"), companyAdmin,
			map[string]any{"status": 0, "apply_for_children": 0}), http.StatusForbidden)
		expectPortalError(portalCall("POST", path(company, "/brand"), companyAdmin, nil), http.StatusForbidden)
		Expect(groupCR(sibling).Spec.Settings.Flags.AllowAddDevices).To(BeNil())
		Expect(groupCR(partner).Spec.Settings.Flags.AllowAddDevices).To(BeNil())

		// A lock anywhere below refuses the whole write (423), before anything is written.
		Expect(portalCall("POST", path(dept, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		info := expectPortalError(portalCall("POST", path(partner, "/settings/flags?apply_for_children=1"), asAdmin,
			map[string]any{"allow_download_tools": 0}), http.StatusLocked)
		Expect(info).To(ContainSubstring(fmt.Sprint(dept)))
		Expect(groupCR(partner).Spec.Settings.Flags.AllowDownloadTools).To(BeNil())
		Expect(portalCall("DELETE", path(dept, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		Expect(portalCall("POST", path(partner, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		for _, call := range []struct {
			path string
			body any
		}{{"/settings/flags", off}, {"/settings/local_backup_restriction", map[string]any{"status": 1}},
			{"/agents/autoupdate", map[string]any{"status": 0, "apply_for_children": 1}}, {"/brand", nil},
			{"/logo", string(pngOf(2, 2, color.White))}} {
			hdr := []string{}
			if call.path == "/logo" {
				hdr = []string{"Content-Type", "image/png"}
			}
			expectPortalError(portalCall("POST", path(company, call.path), asAdmin, call.body, hdr...), http.StatusLocked)
		}
		Expect(groupCR(company).Spec.Portal).To(Equal(tenancyv1alpha1.GroupPortal{}))
		Expect(portalCall("DELETE", path(partner, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		expectSuccess(portalCall("POST", path(company, "/settings/local_backup_restriction"), asAdmin, map[string]any{"status": 1}))
	})

	It("lists the watchers of a group and its ancestors whose notifications match", func() {
		u := oteUniq()
		partner := createGroup(asAdmin, rootID(), "Watch P "+u, 10)
		company := createGroup(asAdmin, partner, "Watch C "+u, 40)
		dept := createGroup(asAdmin, company, "Watch D "+u, 50)
		pa := notifiedAdmin(partner, tenancyv1alpha1.AdminNotifications{Management: true, Backup: 1 | 4})
		ca := notifiedAdmin(company, tenancyv1alpha1.AdminNotifications{Backup: 2})
		notifiedAdmin(company, tenancyv1alpha1.AdminNotifications{})
		// levels_up=2 stops at the partner: other specs' administrators of the root may watch too.
		logins := func(query string) []string {
			items := bareArray(portalCall("GET", path(dept, "/watchers?"+query), asAdmin, nil))
			out := make([]string, 0, len(items))
			for _, w := range items {
				out = append(out, w["subject_login"].(string))
			}
			return out
		}
		Eventually(func() []string { return logins("event_mask=3&service_kind=2&levels_up=2") }, 10*time.Second, 50*time.Millisecond).
			Should(Equal([]string{ca.login, pa.login})) // nearest group first
		Expect(logins("event_mask=1&service_kind=2&levels_up=2")).To(Equal([]string{pa.login}))
		Expect(logins("event_mask=2&service_kind=2&levels_up=2")).To(Equal([]string{ca.login}))
		Expect(logins("event_mask=8&service_kind=2&levels_up=2")).To(BeEmpty())
		Expect(logins("event_mask=1&service_kind=1&levels_up=2")).To(Equal([]string{pa.login}))
		Expect(logins("event_mask=3&service_kind=2&levels_up=1")).To(Equal([]string{ca.login}))
		Expect(logins("event_mask=3&service_kind=2&levels_up=0")).To(BeEmpty())

		w := bareArray(portalCall("GET", path(dept, "/watchers?event_mask=2&service_kind=2"), asAdmin, nil))[0]
		Expect(w).To(HaveKeyWithValue("recipient", ca.login))
		Expect(w).To(HaveKeyWithValue("subject_email", ca.login))
		Expect(w).To(HaveKeyWithValue("language", "en"))
		Expect(w).To(HaveKeyWithValue("subject_hierarchy_name", HaveSuffix("/Watch P "+u+"/Watch C "+u)))
		Expect(w).To(HaveKeyWithValue("brand_id", BeNil()))
		for _, k := range []string{"subject_firstname", "subject_lastname", "sender"} {
			Expect(w).To(HaveKey(k))
		}
		// The brand in effect, and its SMTP sender, once the partner has them.
		Expect(portalCall("POST", path(partner, "/brand"), asAdmin, map[string]any{"smtp_override": 1,
			"smtp_server": "smtp.watch.test", "smtp_reply_address": "noreply@watch.test"}).Status).To(Equal(http.StatusOK))
		w = bareArray(portalCall("GET", path(dept, "/watchers?event_mask=2&service_kind=2"), asAdmin, nil))[0]
		Expect(w).To(HaveKeyWithValue("brand_id", BeEquivalentTo(partner)))
		Expect(w).To(HaveKeyWithValue("sender", "noreply@watch.test"))

		for _, query := range []string{"service_kind=2", "event_mask=1", "event_mask=x&service_kind=2", "event_mask=1&service_kind=3",
			"event_mask=0&service_kind=2", "event_mask=1&service_kind=2&levels_up=-1", "event_mask=1&event_mask=2&service_kind=2"} {
			expectPortalError(portalCall("GET", path(dept, "/watchers?"+query), asAdmin, nil), http.StatusBadRequest)
		}
	})
	It("enables, changes and disables a brand under its versions, with a write-only SMTP password", func() {
		u := oteUniq()
		partner := createGroup(asAdmin, rootID(), "Brand P "+u, 10)
		company := createGroup(asAdmin, partner, "Brand C "+u, 40)
		companyAdmin := portalAdmin(company, tenancyv1alpha1.AccessFull)
		const secret = "Sup3r-Secret-pw"

		schemes := portalCall("GET", "/branding/scheme/available", asAdmin, nil)
		Expect(schemes.Status).To(Equal(http.StatusOK))
		Expect(string(schemes.Raw)).To(HavePrefix(`["default",`))
		expectPortalError(portalCall("GET", path(partner, "/brand"), asAdmin, nil), http.StatusNotFound)
		expectPortalError(portalCall("GET", path(company, "/brand?effective=1"), asAdmin, nil), http.StatusNotFound)
		expectPortalError(portalCall("GET", path(company, "/brand?effective=2"), asAdmin, nil), http.StatusBadRequest)
		Expect(portalCall("GET", path(partner), asAdmin, nil).Body).To(HaveKeyWithValue("brand", BeNil()))

		v := groupVersion(asAdmin, partner)
		enable := map[string]any{"company_name": "Acme " + u, "color": "00FF00", "color_scheme": "dark", "smtp_override": 1,
			"smtp_server": "smtp.acme.test", "smtp_port": 2525, "smtp_user": "mailer", "smtp_password": secret,
			"smtp_reply_address": "noreply@acme.test", "smtp_encryption": "starttls", "owns_custom_legal_docs": true}
		expectPortalError(portalCall("POST", path(partner, fmt.Sprintf("/brand?version=%d", v+1)), asAdmin, enable),
			http.StatusUpgradeRequired)
		Expect(groupCR(partner).Spec.Portal.Branding.Enabled).To(BeFalse())
		_, err := groupSecret(partner, "portal-brand-smtp")
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "a refused write stores no password: %v", err)
		r := portalCall("POST", path(partner, fmt.Sprintf("/brand?version=%d", v)), asAdmin, enable)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(Equal(map[string]any{"version": float64(v + 1)}))

		// The objects: the spec names a Secret owned by the Group that holds the password.
		cr := groupCR(partner)
		b := cr.Spec.Portal.Branding
		Expect(b.Enabled).To(BeTrue())
		Expect(b.CompanyName).To(Equal("Acme " + u))
		Expect(b.SMTP.Encryption).To(Equal(tenancyv1alpha1.SMTPEncryptionSTARTTLS))
		Expect(b.SMTP.PasswordSecretRef).To(HaveValue(Equal(tenancyv1alpha1.SecretKeyReference{Name: "portal-brand-smtp", Key: "password"})))
		sec, err := groupSecret(partner, "portal-brand-smtp")
		Expect(err).NotTo(HaveOccurred())
		Expect(string(sec.Data["password"])).To(Equal(secret))
		Expect(sec.OwnerReferences).To(ConsistOf(HaveField("UID", cr.UID)))
		Expect(sec.Labels).To(HaveKeyWithValue(tenancyv1alpha1.LabelManagedBy, tenancyv1alpha1.ManagedByValue))

		got := portalCall("GET", path(partner), asAdmin, nil).Body
		Expect(got).To(HaveKeyWithValue("brand", BeEquivalentTo(partner)))
		Expect(got).To(HaveKeyWithValue("version", BeEquivalentTo(v+1)))
		brand := portalCall("GET", path(partner, "/brand"), asAdmin, nil)
		Expect(brand.Status).To(Equal(http.StatusOK))
		Expect(brand.Body).To(SatisfyAll(HaveKeyWithValue("id", BeEquivalentTo(partner)), HaveKeyWithValue("company_name", "Acme "+u),
			HaveKeyWithValue("color", "00FF00"), HaveKeyWithValue("color_scheme", "dark"), HaveKeyWithValue("smtp_override", BeEquivalentTo(1)),
			HaveKeyWithValue("smtp_server", "smtp.acme.test"), HaveKeyWithValue("smtp_port", BeEquivalentTo(2525)),
			HaveKeyWithValue("smtp_encryption", "STARTTLS"), HaveKeyWithValue("smtp_password", ""),
			HaveKeyWithValue("owns_custom_legal_docs", true), HaveKeyWithValue("support_url", BeNil()),
			HaveKeyWithValue("backup_console_url", ""), HaveKeyWithValue("logotype", BeNil())))
		Expect(string(brand.Raw)).NotTo(ContainSubstring(secret))

		// The effective brand is the nearest ancestor's; outside the caller's subtree its mail
		// server is not shown.
		expectPortalError(portalCall("GET", path(company, "/brand"), asAdmin, nil), http.StatusNotFound)
		eff := portalCall("GET", path(company, "/brand?effective=1"), asAdmin, nil)
		Expect(eff.Body).To(SatisfyAll(HaveKeyWithValue("id", BeEquivalentTo(partner)), HaveKeyWithValue("smtp_server", "smtp.acme.test")))
		eff = portalCall("GET", path(company, "/brand?effective=1"), companyAdmin, nil)
		Expect(eff.Status).To(Equal(http.StatusOK), "body %s", eff.Raw)
		Expect(eff.Body).To(SatisfyAll(HaveKeyWithValue("id", BeEquivalentTo(partner)), HaveKeyWithValue("company_name", "Acme "+u),
			HaveKeyWithValue("smtp_server", ""), HaveKeyWithValue("smtp_user", ""), HaveKeyWithValue("smtp_password", "")))
		expectPortalError(portalCall("GET", path(partner, "/brand"), companyAdmin, nil), http.StatusForbidden)

		// Public, without credentials and without SMTP fields.
		pub := portalCall("GET", fmt.Sprintf("/brands/%d", partner), anon, nil)
		Expect(pub.Status).To(Equal(http.StatusOK), "body %s", pub.Raw)
		Expect(pub.Body).To(HaveKeyWithValue("company_name", "Acme "+u))
		for k := range pub.Body {
			Expect(k).NotTo(HavePrefix("smtp_"))
		}
		Expect(string(pub.Raw)).NotTo(ContainSubstring("smtp.acme.test"))
		expectPortalError(portalCall("GET", fmt.Sprintf("/brands/%d", company), anon, nil), http.StatusNotFound)
		expectPortalError(portalCall("GET", "/brands/999999999", anon, nil), http.StatusNotFound)

		// PUT changes what it names, under the version.
		expectPortalError(portalCall("PUT", path(partner, fmt.Sprintf("/brand?version=%d", v)), asAdmin, map[string]any{"color": "FF0000"}),
			http.StatusUpgradeRequired)
		r = portalCall("PUT", path(partner, fmt.Sprintf("/brand?version=%d", v+1)), asAdmin,
			map[string]any{"color": "FF0000", "support_url": "https://support.acme.test", "id": partner, "smtp_password": ""})
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(HaveKeyWithValue("version", BeEquivalentTo(v+2)))
		brand = portalCall("GET", path(partner, "/brand"), asAdmin, nil)
		Expect(brand.Body).To(SatisfyAll(HaveKeyWithValue("color", "FF0000"), HaveKeyWithValue("company_name", "Acme "+u),
			HaveKeyWithValue("support_url", "https://support.acme.test")))
		sec, _ = groupSecret(partner, "portal-brand-smtp")
		Expect(string(sec.Data["password"])).To(Equal(secret), "an empty smtp_password keeps the password")
		Expect(portalCall("PUT", path(partner, "/brand"), asAdmin, map[string]any{"smtp_password": "n3w-" + secret}).Status).To(Equal(http.StatusOK))
		Eventually(func() string { s, _ := groupSecret(partner, "portal-brand-smtp"); return string(s.Data["password"]) }).Should(Equal("n3w-" + secret))
		Expect(string(portalCall("GET", path(partner, "/brand"), asAdmin, nil).Raw)).NotTo(ContainSubstring(secret))

		// Bad input changes nothing.
		before := groupCR(partner)
		for _, body := range []any{map[string]any{"nope": 1}, map[string]any{"color": "red"}, map[string]any{"color_scheme": "neon"},
			map[string]any{"id": partner + 1}, map[string]any{"logotype": 7}, map[string]any{"smtp_port": 70000},
			map[string]any{"smtp_encryption": "ssl3"}, map[string]any{"hide_predefined": 2}, map[string]any{"white_labeled_agent": 1},
			map[string]any{"company_name": strings.Repeat("x", 257)}, map[string]any{"smtp_password": 5}, `{"color": `} {
			r := portalCall("PUT", path(partner, "/brand"), asAdmin, body)
			expectPortalError(r, http.StatusBadRequest)
		}
		expectPortalError(portalCall("PUT", path(partner), asAdmin, map[string]any{"brand": nil}), http.StatusBadRequest)
		Expect(portalCall("PUT", path(partner), asAdmin, map[string]any{"brand": partner}).Status).To(Equal(http.StatusOK))
		after := groupCR(partner)
		Expect(after.Generation).To(Equal(before.Generation))
		Expect(after.Spec).To(Equal(before.Spec))

		// Brand writes need the branding bit: read-write without it is refused, branding alone is enough.
		readWrite := portalAdmin(partner, tenancyv1alpha1.AccessReadWrite)
		brander := portalAdmin(partner, tenancyv1alpha1.AccessBranding)
		expectPortalError(portalCall("PUT", path(partner, "/brand"), readWrite, map[string]any{"color": "000000"}), http.StatusForbidden)
		expectSuccess(portalCall("POST", path(partner, "/settings/flags"), readWrite, map[string]any{"allow_add_devices": 1}))
		Expect(portalCall("PUT", path(partner, "/brand"), brander, map[string]any{"color": "0000FF"}).Status).To(Equal(http.StatusOK))
		expectPortalError(portalCall("POST", path(partner, "/settings/flags"), brander, map[string]any{"allow_add_devices": 1}), http.StatusForbidden)
		Expect(groupCR(partner).Spec.Portal.Branding.Color).To(Equal("0000FF"))

		// DELETE disables (brand null) and keeps the settings; PUT then answers 404.
		v = groupVersion(asAdmin, partner)
		expectPortalError(portalCall("DELETE", path(partner, fmt.Sprintf("/brand?version=%d", v-1)), asAdmin, nil), http.StatusUpgradeRequired)
		r = portalCall("DELETE", path(partner, fmt.Sprintf("/brand?version=%d", v)), asAdmin, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(HaveKeyWithValue("version", BeEquivalentTo(v+1)))
		Expect(portalCall("GET", path(partner), asAdmin, nil).Body).To(HaveKeyWithValue("brand", BeNil()))
		expectPortalError(portalCall("GET", path(partner, "/brand"), asAdmin, nil), http.StatusNotFound)
		expectPortalError(portalCall("GET", path(company, "/brand?effective=1"), asAdmin, nil), http.StatusNotFound)
		expectPortalError(portalCall("GET", fmt.Sprintf("/brands/%d", partner), anon, nil), http.StatusNotFound)
		expectPortalError(portalCall("PUT", path(partner, "/brand"), asAdmin, map[string]any{"color": "000000"}), http.StatusNotFound)
		Expect(groupCR(partner).Spec.Portal.Branding.CompanyName).To(Equal("Acme " + u))
		// POST without a body enables it again as it was.
		Expect(portalCall("POST", path(partner, "/brand"), asAdmin, nil).Status).To(Equal(http.StatusOK))
		Expect(portalCall("GET", path(partner, "/brand"), asAdmin, nil).Body).To(HaveKeyWithValue("company_name", "Acme "+u))
		// smtp_password null removes the password and its Secret.
		Expect(portalCall("PUT", path(partner, "/brand"), asAdmin, map[string]any{"smtp_password": nil}).Status).To(Equal(http.StatusOK))
		Expect(groupCR(partner).Spec.Portal.Branding.SMTP.PasswordSecretRef).To(BeNil())
		Eventually(func() bool { _, err := groupSecret(partner, "portal-brand-smtp"); return apierrors.IsNotFound(err) }).Should(BeTrue())
	})

	It("stores PNG logos (else 400) and serves them as images with an ETag (304)", func() {
		u := oteUniq()
		partner := createGroup(asAdmin, rootID(), "Logo P "+u, 10)
		company := createGroup(asAdmin, partner, "Logo C "+u, 40)
		sibling := createGroup(asAdmin, partner, "Logo S "+u, 40)
		companyAdmin := portalAdmin(company, tenancyv1alpha1.AccessFull)
		logo := pngOf(3, 2, color.RGBA{R: 200, A: 255})
		asPNG := []string{"Content-Type", "image/png"}

		expectPortalError(portalCall("GET", path(partner, "/logo"), asAdmin, nil), http.StatusNotFound)
		v := groupVersion(asAdmin, partner)
		expectPortalError(portalCall("POST", path(partner, fmt.Sprintf("/logo?version=%d", v+3)), asAdmin, string(logo), asPNG...),
			http.StatusUpgradeRequired)
		secrets := func(id int64) []string {
			list := &corev1.SecretList{}
			Expect(k8s.List(context.Background(), list, client.InNamespace(tenancyv1alpha1.GroupNamespace(groupCR(id).Name)))).To(Succeed())
			var names []string
			for _, s := range list.Items {
				if strings.HasPrefix(s.Name, "portal-logo-") {
					names = append(names, s.Name)
				}
			}
			return names
		}
		Eventually(func() []string { return secrets(partner) }).Should(BeEmpty(), "a refused logo leaves no Secret")

		r := portalCall("POST", path(partner, fmt.Sprintf("/logo?version=%d", v)), asAdmin, string(logo), asPNG...)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(Equal(map[string]any{"version": float64(v + 1)}))
		cr := groupCR(partner)
		ref := cr.Spec.Portal.Branding.LogoSecretRef
		Expect(ref).NotTo(BeNil())
		sec, err := groupSecret(partner, ref.Name)
		Expect(err).NotTo(HaveOccurred())
		Expect(sec.Data["logo.png"]).To(Equal(logo))
		Expect(sec.OwnerReferences).To(ConsistOf(HaveField("UID", cr.UID)))

		got := portalCall("GET", path(partner, "/logo"), asAdmin, nil)
		Expect(got.Status).To(Equal(http.StatusOK))
		Expect(got.Raw).To(Equal(logo))
		Expect(got.Header.Get("Content-Type")).To(Equal("image/png"))
		Expect(got.Header.Get("Cache-Control")).To(Equal("max-age=86400, must-revalidate"))
		etag := got.Header.Get("ETag")
		Expect(etag).To(MatchRegexp(`^"[0-9a-f]+"$`))

		img := portalCall("GET", fmt.Sprintf("/content/images/%d", partner), asAdmin, nil)
		Expect(img.Status).To(Equal(http.StatusOK))
		Expect(img.Raw).To(Equal(logo))
		Expect(img.Header.Get("ETag")).To(Equal(etag))
		notModified := portalCall("GET", fmt.Sprintf("/content/images/%d", partner), asAdmin, nil, "If-None-Match", etag)
		Expect(notModified.Status).To(Equal(http.StatusNotModified))
		Expect(notModified.Raw).To(BeEmpty())
		Expect(portalCall("GET", fmt.Sprintf("/content/images/%d", partner), asAdmin, nil, "If-None-Match", `"other"`).Status).
			To(Equal(http.StatusOK))
		// The brand names it as its logotype, once enabled.
		Expect(portalCall("POST", path(partner, "/brand"), asAdmin, nil).Status).To(Equal(http.StatusOK))
		Expect(portalCall("GET", fmt.Sprintf("/brands/%d", partner), anon, nil).Body).To(HaveKeyWithValue("logotype", BeEquivalentTo(partner)))

		// A company admin sees the logos above it (its brand's), not a sibling's.
		Expect(portalCall("GET", fmt.Sprintf("/content/images/%d", partner), companyAdmin, nil).Status).To(Equal(http.StatusOK))
		mp := &bytes.Buffer{}
		mw := multipart.NewWriter(mp)
		fw, err := mw.CreateFormFile("file", "logo.png")
		Expect(err).NotTo(HaveOccurred())
		_, _ = fw.Write(logo)
		Expect(mw.Close()).To(Succeed())
		r = portalCall("POST", path(sibling, "/logo"), asAdmin, mp.String(), "Content-Type", mw.FormDataContentType())
		Expect(r.Status).To(Equal(http.StatusOK), "multipart: body %s", r.Raw)
		expectPortalError(portalCall("GET", fmt.Sprintf("/content/images/%d", sibling), companyAdmin, nil), http.StatusForbidden)
		expectPortalError(portalCall("GET", fmt.Sprintf("/content/images/%d", company), asAdmin, nil), http.StatusNotFound)
		expectPortalError(portalCall("GET", "/content/images/999999999", asAdmin, nil), http.StatusNotFound)
		expectPortalError(portalCall("POST", path(company, "/logo"), companyAdmin, string(logo), asPNG...), http.StatusForbidden)

		// Anything but a complete PNG is refused, and changes nothing.
		before := groupCR(partner)
		jpeg := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0, 1}
		for _, bad := range []struct {
			body, contentType string
			status            int
		}{
			{"GIF89a\x01\x00\x01\x00", "image/png", http.StatusBadRequest}, {string(jpeg), "image/jpeg", http.StatusBadRequest},
			{string(logo[:len(logo)-12]), "image/png", http.StatusBadRequest}, {"", "image/png", http.StatusBadRequest},
			{string(pngOf(5000, 1, color.White)), "image/png", http.StatusBadRequest},
			{string(append(bytes.Clone(logo), make([]byte, 600<<10)...)), "image/png", http.StatusRequestEntityTooLarge},
			{`{"logo": "x"}`, "application/json", http.StatusUnsupportedMediaType},
		} {
			expectPortalError(portalCall("POST", path(partner, "/logo"), asAdmin, bad.body, "Content-Type", bad.contentType), bad.status)
		}
		after := groupCR(partner)
		Expect(after.Generation).To(Equal(before.Generation))
		Expect(after.Spec).To(Equal(before.Spec))

		// A new logo moves the version and replaces the Secret of the old one.
		other := pngOf(2, 2, color.RGBA{B: 200, A: 255})
		r = portalCall("POST", path(partner, "/logo"), asAdmin, string(other), asPNG...)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(HaveKeyWithValue("version", BeEquivalentTo(after.Generation+1)))
		Expect(portalCall("GET", path(partner, "/logo"), asAdmin, nil).Raw).To(Equal(other))
		Expect(portalCall("GET", fmt.Sprintf("/content/images/%d", partner), asAdmin, nil, "If-None-Match", etag).Status).To(Equal(http.StatusOK))
		Eventually(func() []string { return secrets(partner) }).Should(ConsistOf(groupCR(partner).Spec.Portal.Branding.LogoSecretRef.Name))
		Expect(groupCR(partner).Spec.Portal.Branding.LogoSecretRef.Name).NotTo(Equal(ref.Name))
	})
})
