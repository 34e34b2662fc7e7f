package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

var _ = Describe("The portal's admins and service users (/api/1/admins, /api/1/users)", func() {
	admin := func(id int64, rest ...string) string { return fmt.Sprintf("/admins/%d", id) + strings.Join(rest, "") }
	user := func(id int64, rest ...string) string { return fmt.Sprintf("/users/%d", id) + strings.Join(rest, "") }
	group := func(id int64, rest ...string) string { return fmt.Sprintf("/groups/%d", id) + strings.Join(rest, "") }
	roleOf := func(id int64) func() tenancyv1alpha1.PortalRole {
		return func() tenancyv1alpha1.PortalRole {
			if adm := adminCR(id); adm != nil {
				return adm.Status.Role
			}
			return ""
		}
	}

	It("creates administrators of every role through the API, which the Admin and Account objects show", func() {
		u := oteUniq()
		distributor := createGroup(asAdmin, rootID(), "People dist "+u, 10)
		msp := createGroup(asAdmin, rootID(), "People MSP "+u, 30)
		company := createGroup(asAdmin, distributor, "People company "+u, 40)
		unit := createGroup(asAdmin, company, "People unit "+u, 50)

		for _, tc := range []struct {
			group  int64
			access int
			role   tenancyv1alpha1.PortalRole
		}{{rootID(), 15, tenancyv1alpha1.RoleRootAdmin}, {distributor, 15, tenancyv1alpha1.RolePartnerAdmin},
			{msp, 5, tenancyv1alpha1.RolePartnerAdmin}, {company, 15, tenancyv1alpha1.RoleCompanyAdmin},
			{unit, 5, tenancyv1alpha1.RoleUnitAdmin}, {distributor, 1, tenancyv1alpha1.RoleReadonlyAdmin}} {
			a := createAPIAdmin(asAdmin, tc.group, tc.access, map[string]any{"firstname": "Ada", "lastname": "Admin",
				"email": "ada@example.com", "notifications_backup": 3, "roles": 1})
			Eventually(roleOf(a.id), 20*time.Second, 100*time.Millisecond).Should(Equal(tc.role))
			cr, acct, g := adminCR(a.id), portalAccountCR(a.userID), groupCR(tc.group)
			Expect(cr.Namespace).To(Equal(tenancyv1alpha1.GroupNamespace(g.Name)))
			Expect(cr.Spec.AccessType).To(BeEquivalentTo(tc.access))
			Expect(cr.Spec.Notifications.Backup).To(BeEquivalentTo(3))
			Expect(cr.Spec.AccountRef.Name).To(Equal(acct.Name))
			Expect(acct.Spec.Login).To(Equal(a.login))
			Expect(acct.Spec.Profile.FirstName).To(Equal("Ada"))

			r := portalCall("GET", admin(a.id), a.cred, nil)
			Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
			for _, key := range []string{"id", "uuid", "user_id", "login", "access_type", "roles", "terms_accepted",
				"platform_terms_accepted", "privacy_policy_accepted", "version", "notifications_backup", "address1",
				"address2", "city", "country", "email", "firstname", "lastname", "phone", "state", "zipcode", "group",
				"status", "language", "integration_active", "notifications_management"} {
				Expect(r.Body).To(HaveKey(key))
			}
			Expect(r.Body).To(HaveKeyWithValue("user_id", BeEquivalentTo(acct.Spec.ID)))
			Expect(r.Body).To(HaveKeyWithValue("uuid", cr.Spec.UUID))
			Expect(r.Body).To(HaveKeyWithValue("group", BeEquivalentTo(tc.group)))
			Expect(r.Body).To(HaveKeyWithValue("status", BeEquivalentTo(1)))
			Expect(r.Body).To(HaveKeyWithValue("roles", BeEquivalentTo(1)))
			Expect(r.Body).To(HaveKeyWithValue("version", BeEquivalentTo(cr.Generation)))
			byUUID := portalCall("GET", "/admins/"+strings.ToUpper(cr.Spec.UUID), asAdmin, nil)
			Expect(byUUID.Body).To(HaveKeyWithValue("id", BeEquivalentTo(a.id)))
		}

		list := portalCall("GET", group(distributor, "/admins"), asAdmin, nil)
		Expect(list.Status).To(Equal(http.StatusOK), "body %s", list.Raw)
		items := list.Body["items"].([]any)
		Expect(items).To(HaveLen(2))
		Expect(items[0].(map[string]any)["id"].(float64)).To(BeNumerically("<", items[1].(map[string]any)["id"].(float64)))
		for _, key := range []string{"id", "uuid", "user_id", "firstname", "lastname", "login", "language", "roles",
			"status", "access_type", "email", "version"} {
			Expect(items[0]).To(HaveKey(key))
		}
		// Direct admins only: the company's admin is not the distributor's.
		Expect(portalCall("GET", group(company, "/admins"), asAdmin, nil).Body["items"]).To(HaveLen(1))

		// Without a password (the seed's body) the account awaits activation: status -1.
		r := portalCall("POST", group(company, "/admins"), asAdmin, map[string]any{"login": newLogin("inactive"),
			"firstname": "In", "lastname": "Active", "email": "in@example.com", "access_type": 1, "use_existing_identity": 0,
			"notifications_management": 0, "notifications_device_control": 1, "notifications_certificate_management": 7})
		Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
		got := portalCall("GET", admin(int64(r.Body["id"].(float64))), asAdmin, nil)
		Expect(got.Body).To(HaveKeyWithValue("status", BeEquivalentTo(-1)))
		Expect(got.Body).To(HaveKeyWithValue("notifications_certificate_management", BeEquivalentTo(7)))
		expectPortalError(portalCall("GET", "/admins/999999999", asAdmin, nil), http.StatusNotFound)
		expectPortalError(portalCall("GET", "/admins/not-an-id", asAdmin, nil), http.StatusNotFound)
	})

	It("enforces roles and subtrees on admins and users (403), and changes nothing it refuses", func() {
		u := oteUniq()
		partner := createGroup(asAdmin, rootID(), "Matrix partner "+u, 10)
		a := createGroup(asAdmin, partner, "Matrix A "+u, 40)
		b := createGroup(asAdmin, partner, "Matrix B "+u, 40)
		adminA := createAPIAdmin(asAdmin, a, 15, nil)
		adminB := createAPIAdmin(asAdmin, b, 15, nil)
		userB, _ := createAPIUser(asAdmin, b, nil)
		reader := createAPIAdmin(asAdmin, partner, 1, nil)
		before := adminCR(adminB.id)

		for _, call := range []struct {
			method, path string
			body         any
		}{{"GET", admin(adminB.id), nil}, {"PUT", admin(adminB.id), map[string]any{"firstname": "Taken"}},
			{"DELETE", admin(adminB.id), nil}, {"GET", group(b, "/admins"), nil}, {"GET", group(b, "/users"), nil},
			{"GET", user(userB), nil}, {"PUT", user(userB), map[string]any{"firstname": "Taken"}},
			{"DELETE", user(userB), nil}, {"POST", group(b, "/users"), map[string]any{"login": newLogin("intruder")}},
			{"GET", admin(adminB.id, "/jwt"), nil}, {"GET", user(userB, "/jwt"), nil}, {"GET", user(userB, "/links"), nil}} {
			expectPortalError(portalCall(call.method, call.path, adminA.cred, call.body), http.StatusForbidden)
		}
		// A company admin creates no admins (root and partner admins only); a reader writes nothing.
		expectPortalError(portalCall("POST", group(a, "/admins"), adminA.cred, map[string]any{"login": newLogin("x")}),
			http.StatusForbidden)
		Expect(portalCall("GET", admin(adminB.id), reader.cred, nil).Status).To(Equal(http.StatusOK))
		Expect(portalCall("GET", group(b, "/users"), reader.cred, nil).Status).To(Equal(http.StatusOK))
		for _, call := range []struct {
			method, path string
			body         any
		}{{"PUT", admin(adminB.id), map[string]any{"firstname": "Read-only"}}, {"DELETE", admin(adminB.id), nil},
			{"POST", group(b, "/admins"), map[string]any{"login": newLogin("ro")}},
			{"POST", group(b, "/users"), map[string]any{"login": newLogin("ro")}}, {"DELETE", user(userB), nil},
			{"PUT", user(userB), map[string]any{"firstname": "Read-only"}}} {
			expectPortalError(portalCall(call.method, call.path, reader.cred, call.body), http.StatusForbidden)
		}
		after := adminCR(adminB.id)
		Expect(after.Generation).To(Equal(before.Generation))
		Expect(portalAccountCR(adminB.userID).Spec.Profile.FirstName).To(BeEmpty())
		Expect(portalAccountCR(userB)).NotTo(BeNil())

		// Nobody grants access bits it lacks, nor changes its own access or deletes itself.
		writer := createAPIAdmin(asAdmin, partner, 5, nil)
		expectPortalError(portalCall("POST", group(a, "/admins"), writer.cred,
			map[string]any{"login": newLogin("escalated"), "access_type": 15}), http.StatusForbidden)
		expectPortalError(portalCall("PUT", admin(adminA.id), writer.cred, map[string]any{"access_type": 31}), http.StatusForbidden)
		lower := createAPIAdmin(writer.cred, a, 5, nil)
		Expect(adminCR(lower.id).Spec.AccessType).To(BeEquivalentTo(5))
		expectPortalError(portalCall("PUT", admin(adminA.id), adminA.cred, map[string]any{"access_type": 5}), http.StatusForbidden)
		expectPortalError(portalCall("PUT", admin(adminA.id), adminA.cred, map[string]any{"status": 0}), http.StatusForbidden)
		expectPortalError(portalCall("DELETE", admin(adminA.id), adminA.cred, nil), http.StatusForbidden)
		Expect(adminCR(adminA.id).Spec.AccessType).To(BeEquivalentTo(15))
		// Inside its own subtree a company admin manages users and its peers.
		id, _ := createAPIUser(adminA.cred, a, nil)
		Expect(portalCall("PUT", admin(lower.id), adminA.cred, map[string]any{"firstname": "Peer"}).Status).To(Equal(http.StatusOK))
		Expect(portalCall("DELETE", user(id), adminA.cred, nil).Status).To(Equal(http.StatusNoContent))
	})

	It("creates service users under companies and units only, with unique logins (409)", func() {
		u := oteUniq()
		msp := createGroup(asAdmin, rootID(), "Users MSP "+u, 30)
		company := createGroup(asAdmin, msp, "Users company "+u, 40)
		unit := createGroup(asAdmin, company, "Users unit "+u, 50)
		refused := newLogin("refused")
		info := expectPortalError(portalCall("POST", group(msp, "/users"), asAdmin, map[string]any{"login": refused}),
			http.StatusBadRequest)
		Expect(info).To(ContainSubstring("kind 30"))
		Expect(accountByLogin(refused)).To(BeNil())

		id, login := createAPIUser(asAdmin, company, map[string]any{"firstname": "John", "lastname": "Doe",
			"email": "john.doe@mail.com", "city": "Nowhere", "zipcode": "11111-1111", "privileged": 1, "roles": 1,
			"use_existing_identity": 1, "privileges": map[string]any{"quota_servers_hard": 2, "local_backup": 0},
			"agents": map[string]any{"autoupdate": 0}, "backup": map[string]any{"monitor": 1}, "notifications_backup": 3})
		unitUser, _ := createAPIUser(asAdmin, unit, nil)
		acct := portalAccountCR(id)
		Expect(acct.Spec.Login).To(Equal(login))
		Expect(acct.Namespace).To(Equal(tenancyv1alpha1.GroupNamespace(groupCR(company).Name)))
		Expect(acct.Spec.Portal.Address.City).To(Equal("Nowhere"))
		Expect(acct.Spec.Portal.Privileges).To(HaveKeyWithValue("quota_servers_hard", BeEquivalentTo(2)))
		Expect(portalAccountCR(unitUser).Namespace).To(Equal(tenancyv1alpha1.GroupNamespace(groupCR(unit).Name)))

		r := portalCall("GET", user(id), asAdmin, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		for _, key := range []string{"id", "uuid", "user_id", "access_type", "language", "roles", "usage", "email",
			"firstname", "version", "lastname", "login", "privileges", "status", "backup", "privileged", "address1",
			"address2", "city", "state", "country", "phone", "terms_accepted", "platform_terms_accepted",
			"privacy_policy_accepted", "zipcode", "agents", "tenant_id"} {
			Expect(r.Body).To(HaveKey(key))
		}
		Expect(r.Body).To(HaveKeyWithValue("uuid", acct.Spec.AccountID))
		Expect(r.Body).To(HaveKeyWithValue("tenant_id", BeEquivalentTo(company)))
		Expect(r.Body).To(HaveKeyWithValue("privileged", BeEquivalentTo(1)))
		Expect(r.Body).To(HaveKeyWithValue("status", BeEquivalentTo(-1)))
		Expect(r.Body["privileges"]).To(SatisfyAll(HaveKeyWithValue("quota_servers_hard", BeEquivalentTo(2)),
			HaveKeyWithValue("local_backup", BeEquivalentTo(0)), HaveKeyWithValue("quota_vms_hard", BeEquivalentTo(-1))))
		Expect(r.Body["agents"]).To(HaveKeyWithValue("autoupdate", BeEquivalentTo(0)))
		Expect(r.Body["backup"]).To(HaveKeyWithValue("monitor", BeEquivalentTo(1)))
		Expect(portalCall("GET", "/users/"+acct.Spec.AccountID, asAdmin, nil).Body).To(HaveKeyWithValue("id", BeEquivalentTo(id)))
		Expect(portalCall("GET", group(company), asAdmin, nil).Body["usage"]).To(HaveKeyWithValue("service_users", BeEquivalentTo(1)))

		// A login is unique across the cluster, admins' included.
		companyAdmin := createAPIAdmin(asAdmin, company, 15, nil)
		for _, taken := range []string{login, companyAdmin.login} {
			expectPortalError(portalCall("POST", group(unit, "/users"), asAdmin, map[string]any{"login": taken}), http.StatusConflict)
			expectPortalError(portalCall("POST", group(msp, "/admins"), asAdmin, map[string]any{"login": taken}), http.StatusConflict)
		}
		// An administrator's account is no service user.
		expectPortalError(portalCall("GET", user(companyAdmin.userID), asAdmin, nil), http.StatusNotFound)
		// The list: service users only, by id; hidden ones (pending approval) on request.
		hiddenID, _ := createAPIUser(asAdmin, company, nil)
		patchAccount(hiddenID, func(a *tenancyv1alpha1.Account) { a.Spec.Approval = tenancyv1alpha1.ApprovalPending })
		ids := func(query string) []any {
			r := portalCall("GET", group(company, "/users"+query), asAdmin, nil)
			Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
			items := r.Body["items"].([]any)
			out := make([]any, 0, len(items))
			for _, it := range items {
				out = append(out, it.(map[string]any)["id"])
			}
			return out
		}
		Eventually(func() []any { return ids("") }, 10*time.Second, 100*time.Millisecond).Should(Equal([]any{float64(id)}))
		Expect(ids("?include_hidden=1")).To(Equal([]any{float64(id), float64(hiddenID)}))
		expectPortalError(portalCall("GET", group(company, "/users?include_hidden=2"), asAdmin, nil), http.StatusBadRequest)

		// use_existing_identity=1 makes that login's service user an administrator.
		r = portalCall("POST", group(company, "/admins"), asAdmin, map[string]any{"login": login, "use_existing_identity": 1, "access_type": 5})
		Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
		Expect(r.Body).To(HaveKeyWithValue("user_id", BeEquivalentTo(id)))
		expectPortalError(portalCall("GET", user(id), asAdmin, nil), http.StatusNotFound)
	})

	It("updates users and admins partially, compares ?version= (426) and answers the new version", func() {
		u := oteUniq()
		company := createGroup(asAdmin, rootID(), "Versions "+u, 40)
		id, _ := createAPIUser(asAdmin, company, nil)
		stale := fmt.Sprintf("?version=%d", 7)
		expectPortalError(portalCall("PUT", user(id, stale), asAdmin, map[string]any{"city": "Stale"}), http.StatusUpgradeRequired)
		r := portalCall("PUT", user(id, "?version=1"), asAdmin, map[string]any{"city": "Lyon", "privileges": map[string]any{"quota_vms_hard": 4},
			"language": "fr", "agents": map[string]any{"autoupdate": 0}})
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(Equal(map[string]any{"version": float64(2)}))
		acct := portalAccountCR(id)
		Expect(acct.Generation).To(BeEquivalentTo(2))
		Expect(acct.Spec.Portal.Address.City).To(Equal("Lyon"))
		Expect(acct.Spec.Profile.Language).To(Equal("fr"))
		Expect(acct.Spec.Portal.AgentsAutoupdateDisabled).To(BeTrue())
		got := portalCall("GET", user(id), asAdmin, nil).Body
		Expect(got).To(HaveKeyWithValue("version", BeEquivalentTo(2)))
		Expect(got).To(HaveKeyWithValue("language", "fr"))
		// An unchanged body keeps the version; a new login is taken only when free.
		Expect(portalCall("PUT", user(id), asAdmin, map[string]any{"city": "Lyon"}).Body).To(HaveKeyWithValue("version", BeEquivalentTo(2)))
		renamed := newLogin("renamed")
		Expect(portalCall("PUT", user(id), asAdmin, map[string]any{"login": renamed}).Status).To(Equal(http.StatusOK))
		Expect(portalAccountCR(id).Spec.Login).To(Equal(renamed))
		other, _ := createAPIUser(asAdmin, company, nil)
		expectPortalError(portalCall("PUT", user(other), asAdmin, map[string]any{"login": renamed}), http.StatusConflict)

		a := createAPIAdmin(asAdmin, company, 15, nil)
		v := adminCR(a.id).Generation
		expectPortalError(portalCall("PUT", admin(a.id, fmt.Sprintf("?version=%d", v+3)), asAdmin, map[string]any{"firstname": "Stale"}),
			http.StatusUpgradeRequired)
		Expect(portalAccountCR(a.userID).Spec.Profile.FirstName).To(BeEmpty())
		// A change of the Account alone moves the admin's version too.
		r = portalCall("PUT", admin(a.id, fmt.Sprintf("?version=%d", v)), asAdmin, map[string]any{"firstname": "Grace", "email": "grace@example.com"})
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(Equal(map[string]any{"version": float64(v + 1)}))
		Expect(adminCR(a.id).Generation).To(Equal(v + 1))
		Expect(portalAccountCR(a.userID).Spec.Profile.Email).To(Equal("grace@example.com"))
		r = portalCall("PUT", admin(a.id), asAdmin, map[string]any{"access_type": 5, "notifications_backup": 31, "status": 0})
		Expect(r.Body).To(Equal(map[string]any{"version": float64(v + 2)}))
		Expect(adminCR(a.id).Spec.AccessType).To(BeEquivalentTo(5))
		Expect(portalAccountCR(a.userID).Spec.Disabled).To(BeTrue())
		got = portalCall("GET", admin(a.id), asAdmin, nil).Body
		Expect(got).To(SatisfyAll(HaveKeyWithValue("version", BeEquivalentTo(v+2)), HaveKeyWithValue("firstname", "Grace"),
			HaveKeyWithValue("status", BeEquivalentTo(0)), HaveKeyWithValue("notifications_backup", BeEquivalentTo(31))))

		expectPortalError(portalCall("DELETE", admin(a.id, "?version=1"), asAdmin, nil), http.StatusUpgradeRequired)
		expectPortalError(portalCall("DELETE", user(other, "?version=9"), asAdmin, nil), http.StatusUpgradeRequired)
		Expect(portalCall("DELETE", admin(a.id, fmt.Sprintf("?version=%d", v+2)), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		Expect(portalCall("DELETE", user(other, "?version=1"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		Expect(adminCR(a.id)).To(BeNil())
		for _, gone := range []int64{a.userID, other} {
			Eventually(func() *tenancyv1alpha1.Account { return portalAccountCR(gone) }, 30*time.Second, 200*time.Millisecond).Should(BeNil())
		}
		expectPortalError(portalCall("GET", admin(a.id), asAdmin, nil), http.StatusNotFound)
		expectPortalError(portalCall("GET", user(other), asAdmin, nil), http.StatusNotFound)
		Expect(portalCall("GET", group(company, "/admins"), asAdmin, nil).Body["items"]).To(BeEmpty())
	})

	It("refuses bad input with a 4xx in the envelope and leaves the objects as they were", func() {
		company := createGroup(asAdmin, rootID(), "Strict people "+oteUniq(), 40)
		id, _ := createAPIUser(asAdmin, company, nil)
		a := createAPIAdmin(asAdmin, company, 15, nil)
		acctBefore, admBefore, userBefore := portalAccountCR(a.userID), adminCR(a.id), portalAccountCR(id)
		for _, body := range []any{map[string]any{"nope": 1}, map[string]any{"firstname": 5}, map[string]any{"status": 2},
			map[string]any{"access_type": 0}, map[string]any{"access_type": 32}, map[string]any{"email": "not an address"},
			map[string]any{"language": "not a tag!"}, map[string]any{"notifications_backup": 32}, map[string]any{"roles": 2},
			map[string]any{"city": "Lyon"}, map[string]any{"login": "new-login"}, `{"firstname": "x"`, map[string]any{"status": nil}} {
			r := portalCall("PUT", admin(a.id), asAdmin, body)
			Expect(r.Status).To(SatisfyAll(BeNumerically(">=", 400), BeNumerically("<", 500)), "body %v answered %s", body, r.Raw)
			expectPortalError(r, r.Status)
		}
		for _, body := range []any{map[string]any{"nope": 1}, map[string]any{"privileges": map[string]any{"quota_nope": 1}},
			map[string]any{"privileges": map[string]any{"local_backup": 2}}, map[string]any{"login": "has space"},
			map[string]any{"login": "ab"}, map[string]any{"zipcode": strings.Repeat("9", 33)}, map[string]any{"idp_id": 99},
			map[string]any{"backup": map[string]any{"monitor": 3}}, map[string]any{"password": "Another-Passw0rd"},
			map[string]any{"privileged": "yes"}, map[string]any{"login": nil}} {
			r := portalCall("PUT", user(id), asAdmin, body)
			Expect(r.Status).To(SatisfyAll(BeNumerically(">=", 400), BeNumerically("<", 500)), "body %v answered %s", body, r.Raw)
			expectPortalError(r, r.Status)
		}
		expectPortalError(portalCall("PUT", user(id), asAdmin, "login=x", "Content-Type", "text/plain"), http.StatusUnsupportedMediaType)
		expectPortalError(portalCall("PUT", admin(a.id, "?version=x"), asAdmin, map[string]any{"firstname": "x"}), http.StatusBadRequest)
		Expect(portalAccountCR(a.userID).Spec).To(Equal(acctBefore.Spec))
		Expect(adminCR(a.id).Generation).To(Equal(admBefore.Generation))
		Expect(portalAccountCR(id).Generation).To(Equal(userBefore.Generation))

		for _, body := range []map[string]any{{}, {"login": "x y"}, {"login": newLogin("p"), "password": "short"},
			{"login": newLogin("n"), "kind": 40}, {"login": newLogin("a"), "access_type": "full"}} {
			expectPortalError(portalCall("POST", group(company, "/admins"), asAdmin, body), http.StatusBadRequest)
			expectPortalError(portalCall("POST", group(company, "/users"), asAdmin, body), http.StatusBadRequest)
			if login, ok := body["login"].(string); ok {
				Expect(accountByLogin(login)).To(BeNil())
			}
		}
		expectPortalError(portalCall("POST", "/groups/999999999/users", asAdmin, map[string]any{"login": newLogin("n")}), http.StatusNotFound)
		expectPortalError(portalCall("GET", "/users/999999999", asAdmin, nil), http.StatusNotFound)
	})

	It("answers 423 for writes in a locked subtree and for accounts inside it, until unlocked", func() {
		u := oteUniq()
		partner := createGroup(asAdmin, rootID(), "People locked "+u, 10)
		company := createGroup(asAdmin, partner, "People locked company "+u, 40)
		a := createAPIAdmin(asAdmin, company, 15, nil)
		id, _ := createAPIUser(asAdmin, company, nil)
		tok := issued(portalCall("GET", admin(a.id, "/jwt"), a.cred, nil))
		Expect(portalCall("POST", group(partner, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		before := portalAccountCR(id).Generation

		for _, call := range []struct {
			method, path string
			body         any
		}{{"PUT", admin(a.id), map[string]any{"firstname": "Locked"}}, {"DELETE", admin(a.id), nil},
			{"PUT", user(id), map[string]any{"city": "Locked"}}, {"DELETE", user(id), nil},
			{"POST", group(company, "/users"), map[string]any{"login": newLogin("locked")}},
			{"POST", group(company, "/admins"), map[string]any{"login": newLogin("locked")}}} {
			info := expectPortalError(portalCall(call.method, call.path, asAdmin, call.body), http.StatusLocked)
			Expect(info).To(ContainSubstring(fmt.Sprint(partner)))
		}
		Expect(portalCall("GET", admin(a.id), asAdmin, nil).Status).To(Equal(http.StatusOK))
		expectPortalError(portalCall("GET", group(company), a.cred, nil), http.StatusLocked)
		expectPortalError(portalCall("GET", group(company), bearer(tok), nil), http.StatusLocked)
		expectPortalError(portalCall("GET", user(id, "/jwt"), asAdmin, nil), http.StatusLocked)
		Expect(portalAccountCR(id).Generation).To(Equal(before))

		Expect(portalCall("DELETE", group(partner, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		Expect(portalCall("GET", group(company), bearer(tok), nil).Status).To(Equal(http.StatusOK))
		Expect(portalCall("PUT", user(id), a.cred, map[string]any{"city": "Free"}).Status).To(Equal(http.StatusOK))
	})

	It("deletes an admin with its account, which kubectl no longer shows", func() {
		company := createGroup(asAdmin, rootID(), "People delete "+oteUniq(), 40)
		a := createAPIAdmin(asAdmin, company, 15, nil)
		acct := portalAccountCR(a.userID)
		Expect(portalCall("DELETE", admin(a.id), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		Eventually(func() bool {
			return apierrors.IsNotFound(k8s.Get(context.Background(), client.ObjectKeyFromObject(acct), &tenancyv1alpha1.Account{}))
		}, 30*time.Second, 200*time.Millisecond).Should(BeTrue())
		expectPortalError(portalCall("GET", group(company), a.cred, nil), http.StatusUnauthorized)
		expectPortalError(portalCall("DELETE", admin(a.id), asAdmin, nil), http.StatusNotFound)
	})
})
