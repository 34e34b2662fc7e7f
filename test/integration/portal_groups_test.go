package integration

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

var _ = Describe("The portal's groups (/api/1/groups)", func() {
	path := func(id int64, rest ...string) string { return fmt.Sprintf("/groups/%d", id) + strings.Join(rest, "") }

	It("builds a tree through the API as the root admin, which the Group objects show", func() {
		u := oteUniq()
		partner := createGroup(asAdmin, rootID(), "Partner "+u, 10)
		company := createGroup(asAdmin, partner, "Company "+u, 40)
		dept := createGroup(asAdmin, company, "Dept "+u, 50)

		r := portalCall("GET", path(company), asAdmin, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		for _, key := range []string{"brand", "customer_id", "customer_type", "id", "uuid", "internal_tag", "grade", "kind",
			"language", "migration_enabled", "migration_service", "name", "parent_has_access", "parent_id", "status",
			"version", "capabilities", "default_identity_provider_id", "external", "billing", "contact", "storage",
			"agents", "pricing", "privileges", "usage", "locked", "locked_by"} {
			Expect(r.Body).To(HaveKey(key))
		}
		Expect(r.Body).To(HaveKeyWithValue("name", "Company "+u))
		Expect(r.Body).To(HaveKeyWithValue("kind", BeEquivalentTo(40)))
		Expect(r.Body).To(HaveKeyWithValue("grade", BeEquivalentTo(2)))
		Expect(r.Body).To(HaveKeyWithValue("parent_id", BeEquivalentTo(partner)))
		Expect(r.Body).To(HaveKeyWithValue("locked", BeEquivalentTo(0)))
		Expect(r.Body).To(HaveKeyWithValue("locked_by", BeNil()))
		Expect(r.Body["contact"]).To(HaveKey("zipcode"))
		Expect(r.Body["privileges"]).To(HaveKeyWithValue("local_backup", HaveKey("permitted")))
		Expect(r.Body["usage"]).To(HaveKeyWithValue("service_users", BeEquivalentTo(0)))

		cp, cc, cd := groupCR(partner), groupCR(company), groupCR(dept)
		Expect(cc.Spec.Parent).To(Equal(cp.Name))
		Expect(cd.Spec.Parent).To(Equal(cc.Name))
		Expect(cc.Spec.DisplayName).To(Equal("Company " + u))
		Expect(cc.Spec.Kind).To(Equal(tenancyv1alpha1.GroupKindEndUserCompany))
		Expect(r.Body["uuid"]).To(Equal(cc.Spec.UUID))
		Expect(r.Body["version"]).To(BeEquivalentTo(cc.Generation))

		// The uuid works wherever the id does, in either case.
		byUUID := portalCall("GET", "/groups/"+strings.ToUpper(cc.Spec.UUID), asAdmin, nil)
		Expect(byUUID.Status).To(Equal(http.StatusOK))
		Expect(byUUID.Body["id"]).To(BeEquivalentTo(company))
		expectPortalError(portalCall("GET", "/groups/999999999", asAdmin, nil), http.StatusNotFound)
		expectPortalError(portalCall("GET", "/groups/not-an-id", asAdmin, nil), http.StatusNotFound)

		kids := portalCall("GET", path(partner, "/children"), asAdmin, nil)
		Expect(kids.Status).To(Equal(http.StatusOK))
		Expect(kids.Body["items"]).To(ConsistOf(SatisfyAll(HaveKeyWithValue("id", BeEquivalentTo(company)),
			HaveKeyWithValue("has_children", BeEquivalentTo(1)), HaveKeyWithValue("mfa_status", "disabled"),
			HaveKeyWithValue("pricing", HaveKey("enabled")))))
		uuids := portalCall("GET", path(partner, "/children?request_type=uuids_list"), asAdmin, nil)
		Expect(uuids.Body["items"]).To(Equal([]any{cc.Spec.UUID}))
		batch := portalCall("GET", path(partner, "/children?request_type=tenants_batch&uuids="+cc.Spec.UUID), asAdmin, nil)
		Expect(batch.Body["items"]).To(HaveLen(1))
		none := portalCall("GET", path(partner, "/children?request_type=tenants_batch&uuids=00000000-0000-4000-8000-000000000000"), asAdmin, nil)
		Expect(none.Body["items"]).To(BeEmpty())
		expectPortalError(portalCall("GET", path(partner, "/children?request_type=everything"), asAdmin, nil), http.StatusBadRequest)
		expectPortalError(portalCall("GET", path(partner, "/children?request_type=tenants_batch&uuids=x"), asAdmin, nil), http.StatusBadRequest)
	})

	It("follows the seed's tree rules (400), and creates nothing it refuses", func() {
		u := oteUniq()
		company := createGroup(asAdmin, rootID(), "Rules "+u, 40)
		for _, tc := range []struct {
			parent int64
			kind   int
		}{{rootID(), 21}, {rootID(), 50}, {company, 40}, {company, -1}, {company, 99}} {
			name := fmt.Sprintf("Refused %s %d", u, tc.kind)
			info := expectPortalError(portalCall("POST", path(tc.parent, "/children"), asAdmin,
				map[string]any{"name": name, "kind": tc.kind}), http.StatusBadRequest)
			Expect(info).To(ContainSubstring("kind"))
			list := &tenancyv1alpha1.GroupList{}
			Expect(k8s.List(context.Background(), list)).To(Succeed())
			for _, g := range list.Items {
				Expect(g.Spec.DisplayName).NotTo(Equal(name))
			}
		}
		// Kinds change only as modification allows: an MSP at grade 1 may become a distributor.
		msp := createGroup(asAdmin, rootID(), "MSP "+u, 30)
		v := groupVersion(asAdmin, company)
		expectPortalError(portalCall("PUT", path(company), asAdmin, map[string]any{"kind": 10}), http.StatusBadRequest)
		Expect(groupVersion(asAdmin, company)).To(Equal(v))
		r := portalCall("PUT", path(msp), asAdmin, map[string]any{"kind": 10})
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(groupCR(msp).Spec.Kind).To(Equal(tenancyv1alpha1.GroupKindDistributor))
		expectPortalError(portalCall("PUT", path(msp), asAdmin, map[string]any{"grade": 3}), http.StatusBadRequest)
	})

	It("keeps sibling names unique (409), on create, rename and move", func() {
		u := oteUniq()
		p1 := createGroup(asAdmin, rootID(), "Sib P1 "+u, 10)
		p2 := createGroup(asAdmin, rootID(), "Sib P2 "+u, 10)
		createGroup(asAdmin, p1, "Same", 40)
		expectPortalError(portalCall("POST", path(p1, "/children"), asAdmin, map[string]any{"name": "SAME", "kind": 40}),
			http.StatusConflict)
		other := createGroup(asAdmin, p1, "Other", 40)
		expectPortalError(portalCall("PUT", path(other), asAdmin, map[string]any{"name": "same"}), http.StatusConflict)
		Expect(groupCR(other).Spec.DisplayName).To(Equal("Other"))
		twin := createGroup(asAdmin, p2, "Other", 40)
		expectPortalError(portalCall("PUT", path(twin), asAdmin, map[string]any{"parent_id": p1}), http.StatusConflict)
		Expect(groupCR(twin).Spec.Parent).To(Equal(groupCR(p2).Name))
		// A move elsewhere is fine, and cycles are refused.
		r := portalCall("PUT", path(twin), asAdmin, map[string]any{"parent_id": p1, "name": "Moved"})
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(groupCR(twin).Spec.Parent).To(Equal(groupCR(p1).Name))
		expectPortalError(portalCall("PUT", path(p1), asAdmin, map[string]any{"parent_id": twin}), http.StatusBadRequest)
	})

	It("compares ?version= (426) and answers the new version, which GET shows", func() {
		g := createGroup(asAdmin, rootID(), "Versioned "+oteUniq(), 40)
		v := groupVersion(asAdmin, g)
		info := expectPortalError(portalCall("PUT", path(g, fmt.Sprintf("?version=%d", v+5)), asAdmin,
			map[string]any{"name": "Stale"}), http.StatusUpgradeRequired)
		Expect(info).To(ContainSubstring(fmt.Sprint(v)))
		Expect(groupCR(g).Spec.DisplayName).NotTo(Equal("Stale"))
		r := portalCall("PUT", path(g, fmt.Sprintf("?version=%d", v)), asAdmin, map[string]any{"name": "Fresh " + oteUniq(),
			"contact": map[string]any{"city": "Lyon"}, "internal_tag": "t1", "privileges": map[string]any{"quota_servers_hard": 3}})
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(HaveLen(1))
		Expect(r.Body).To(HaveKeyWithValue("version", BeEquivalentTo(v+1)))
		got := portalCall("GET", path(g), asAdmin, nil).Body
		Expect(got).To(HaveKeyWithValue("version", BeEquivalentTo(v+1)))
		Expect(got).To(HaveKeyWithValue("internal_tag", "t1"))
		Expect(got["privileges"]).To(HaveKeyWithValue("quota_servers_hard", BeEquivalentTo(3)))
		Expect(got["contact"]).To(HaveKeyWithValue("city", "Lyon"))
		cr := groupCR(g)
		Expect(cr.Generation).To(Equal(v + 1))
		Expect(cr.Spec.Contact.City).To(Equal("Lyon"))
		expectPortalError(portalCall("DELETE", path(g, fmt.Sprintf("?version=%d", v)), asAdmin, nil), http.StatusUpgradeRequired)
		Expect(portalCall("DELETE", path(g, fmt.Sprintf("?version=%d", v+1)), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
	})

	It("refuses to delete a group with children or accounts (409), and cascades on request", func() {
		u := oteUniq()
		top := createGroup(asAdmin, rootID(), "Doomed "+u, 10)
		mid := createGroup(asAdmin, top, "Doomed company "+u, 40)
		createGroup(asAdmin, mid, "Doomed dept "+u, 50)
		portalAdmin(mid, tenancyv1alpha1.AccessFull)
		expectPortalError(portalCall("DELETE", path(top), asAdmin, nil), http.StatusConflict)
		info := expectPortalError(portalCall("DELETE", path(mid), asAdmin, nil), http.StatusConflict)
		Expect(info).To(ContainSubstring("admin"))
		expectPortalError(portalCall("DELETE", path(top, "?version=999"), asAdmin, nil), http.StatusUpgradeRequired)
		expectPortalError(portalCall("DELETE", path(top, "?cascade=yes"), asAdmin, nil), http.StatusBadRequest)
		Expect(groupCR(top).DeletionTimestamp).To(BeNil())

		names := []string{groupCR(top).Name, groupCR(mid).Name}
		r := portalCall("DELETE", path(top, "?cascade=1"), asAdmin, nil)
		Expect(r.Status).To(Equal(http.StatusNoContent), "body %s", r.Raw)
		for _, name := range names {
			Eventually(func() bool {
				return apierrors.IsNotFound(k8s.Get(context.Background(), client.ObjectKey{Name: name}, &tenancyv1alpha1.Group{}))
			}, 60*time.Second, 200*time.Millisecond).Should(BeTrue(), "Group %s", name)
		}
		expectPortalError(portalCall("GET", path(top), asAdmin, nil), http.StatusNotFound)
	})

	It("locks a subtree: writes inside answer 423, GET shows locked and locked_by, unlock restores", func() {
		u := oteUniq()
		top := createGroup(asAdmin, rootID(), "Locked "+u, 10)
		child := createGroup(asAdmin, top, "Locked child "+u, 40)
		for range 2 { // idempotent
			Expect(portalCall("POST", path(top, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		}
		Expect(groupCR(top).Spec.Lock.Enabled).To(BeTrue())
		r := portalCall("GET", path(child), asAdmin, nil)
		Expect(r.Body).To(HaveKeyWithValue("locked", BeEquivalentTo(1)))
		Expect(r.Body).To(HaveKeyWithValue("locked_by", BeEquivalentTo(top)))
		Expect(portalCall("GET", path(top), asAdmin, nil).Body).To(HaveKeyWithValue("locked_by", BeEquivalentTo(top)))
		kids := portalCall("GET", path(top, "/children"), asAdmin, nil)
		Expect(kids.Body["items"]).To(ConsistOf(HaveKeyWithValue("locked_by", BeEquivalentTo(top))))

		info := expectPortalError(portalCall("PUT", path(child), asAdmin, map[string]any{"name": "Nope"}), http.StatusLocked)
		Expect(info).To(ContainSubstring(fmt.Sprint(top)))
		expectPortalError(portalCall("POST", path(child, "/children"), asAdmin, map[string]any{"name": "Nope", "kind": 50}),
			http.StatusLocked)
		expectPortalError(portalCall("DELETE", path(child), asAdmin, nil), http.StatusLocked)
		expectPortalError(portalCall("DELETE", path(child, "/lock"), asAdmin, nil), http.StatusLocked)

		for range 2 {
			Expect(portalCall("DELETE", path(top, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		}
		Expect(groupCR(top).Spec.Lock.Enabled).To(BeFalse())
		Expect(portalCall("GET", path(child), asAdmin, nil).Body).To(HaveKeyWithValue("locked_by", BeNil()))
		Expect(portalCall("PUT", path(child), asAdmin, map[string]any{"name": "Unlocked " + u}).Status).To(Equal(http.StatusOK))
	})

	It("keeps every admin inside its own subtree (403), by role and access", func() {
		u := oteUniq()
		partner := createGroup(asAdmin, rootID(), "Scope partner "+u, 10)
		a := createGroup(asAdmin, partner, "Scope A "+u, 40)
		b := createGroup(asAdmin, partner, "Scope B "+u, 40)
		adminA := portalAdmin(a, tenancyv1alpha1.AccessFull)
		for _, call := range []struct {
			method, path string
			body         any
		}{{"GET", path(b), nil}, {"PUT", path(b), map[string]any{"name": "Taken over"}}, {"GET", path(b, "/children"), nil},
			{"POST", path(b, "/children"), map[string]any{"name": "Inside B", "kind": 50}}, {"GET", path(partner), nil}} {
			expectPortalError(portalCall(call.method, call.path, adminA, call.body), http.StatusForbidden)
		}
		Expect(groupCR(b).Spec.DisplayName).To(Equal("Scope B " + u))
		Expect(portalCall("GET", path(a), adminA, nil).Status).To(Equal(http.StatusOK))
		createGroup(adminA, a, "A's unit "+u, 50)
		// A company admin may not lock (root and partner admins only), nor delete its own group.
		expectPortalError(portalCall("POST", path(a, "/lock"), adminA, nil), http.StatusForbidden)
		expectPortalError(portalCall("DELETE", path(a), adminA, nil), http.StatusForbidden)
		// Search shows nothing outside the subtree.
		hits := portalCall("GET", "/groups?prefix=scope", adminA, nil)
		Expect(hits.Status).To(Equal(http.StatusOK))
		Expect(hits.Body["items"]).To(ConsistOf(HaveKeyWithValue("id", BeEquivalentTo(a))))
		// A read-only admin reads but does not write.
		reader := portalAdmin(partner, tenancyv1alpha1.AccessRead)
		Expect(portalCall("GET", path(b), reader, nil).Status).To(Equal(http.StatusOK))
		expectPortalError(portalCall("PUT", path(b), reader, map[string]any{"name": "Read-only"}), http.StatusForbidden)
	})

	It("searches names and logins by prefix, strictly, with limits counted apart", func() {
		u := oteUniq()
		parent := createGroup(asAdmin, rootID(), "Zeta"+u+" parent", 10)
		for i := range 11 {
			createGroup(asAdmin, parent, fmt.Sprintf("Zeta%s %02d", u, i), 40)
		}
		r := portalCall("GET", "/groups?prefix=zeta"+u, asAdmin, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body["items"]).To(HaveLen(10))
		r = portalCall("GET", "/groups?limit=3&prefix=ZETA"+u, asAdmin, nil)
		Expect(r.Body["items"]).To(HaveLen(3))
		r = portalCall("GET", fmt.Sprintf("/groups?strict=1&prefix=zeta%s%%2007", u), asAdmin, nil)
		Expect(r.Body["items"]).To(ConsistOf(SatisfyAll(HaveKeyWithValue("name", "Zeta"+u+" 07"),
			HaveKeyWithValue("kind", BeEquivalentTo(40)), HaveKeyWithValue("parent_id", BeEquivalentTo(parent)))))
		expectPortalError(portalCall("GET", "/groups?limit=101", asAdmin, nil), http.StatusBadRequest)
		expectPortalError(portalCall("GET", "/groups?strict=2", asAdmin, nil), http.StatusBadRequest)

		admin := portalAdmin(parent, tenancyv1alpha1.AccessFull)
		r = portalCall("GET", "/groups?limit=1&prefix="+admin.login, asAdmin, nil)
		Expect(r.Body["items"]).To(ConsistOf(SatisfyAll(HaveKeyWithValue("name", admin.login),
			HaveKeyWithValue("kind", BeNil()), HaveKeyWithValue("parent_id", BeEquivalentTo(parent)))))
	})

	It("lists children and users that follow every change made after a listing", func() {
		u := oteUniq()
		partner := createGroup(asAdmin, rootID(), "Follow "+u, 10)
		company := createGroup(asAdmin, partner, "Follow company "+u, 40)
		item := func() map[string]any {
			items := portalCall("GET", path(partner, "/children"), asAdmin, nil).Body["items"].([]any)
			Expect(items).To(HaveLen(1))
			return items[0].(map[string]any)
		}
		Expect(item()).To(SatisfyAll(HaveKeyWithValue("has_children", BeEquivalentTo(0)), HaveKeyWithValue("locked", BeEquivalentTo(0)),
			HaveKeyWithValue("usage", HaveKeyWithValue("service_users", BeEquivalentTo(0)))))

		Expect(portalCall("PUT", path(company), asAdmin, map[string]any{"name": "Renamed " + u}).Status).To(Equal(http.StatusOK))
		Eventually(item).Should(HaveKeyWithValue("name", "Renamed "+u))
		createGroup(asAdmin, company, "Unit "+u, 50)
		Eventually(item).Should(HaveKeyWithValue("has_children", BeEquivalentTo(1)))
		userID, _ := createAPIUser(asAdmin, company, nil)
		Eventually(item).Should(HaveKeyWithValue("usage", HaveKeyWithValue("service_users", BeEquivalentTo(1))))
		Expect(portalCall("POST", path(partner, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		Eventually(item).Should(SatisfyAll(HaveKeyWithValue("locked", BeEquivalentTo(1)), HaveKeyWithValue("locked_by", BeEquivalentTo(partner))))
		Expect(portalCall("DELETE", path(partner, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		Eventually(item).Should(HaveKeyWithValue("locked", BeEquivalentTo(0)))

		users := func() []any { return portalCall("GET", path(company, "/users"), asAdmin, nil).Body["items"].([]any) }
		Expect(users()).To(HaveExactElements(HaveKeyWithValue("firstname", BeEmpty())))
		Expect(portalCall("PUT", fmt.Sprintf("/users/%d", userID), asAdmin, map[string]any{"firstname": "Ada"}).Status).To(Equal(http.StatusOK))
		Eventually(users).Should(HaveExactElements(HaveKeyWithValue("firstname", "Ada")))
	})

	It("finds service users and admins by login in login order, only inside the caller's subtree", func() {
		u := strings.ToLower(oteUniq())
		parent := createGroup(asAdmin, rootID(), "Logins "+u, 10)
		crowded, lone := createGroup(asAdmin, parent, "Crowded "+u, 40), createGroup(asAdmin, parent, "Lone "+u, 40)
		login := func(i int) string { return fmt.Sprintf("find-%s-%d@logins.example", u, i) }
		users := map[string]int64{}
		for i, g := range []int64{crowded, crowded, crowded, lone} {
			id, _ := createAPIUser(asAdmin, g, map[string]any{"login": login(i)})
			users[login(i)] = id
		}
		loneAdmin := createAPIAdmin(asAdmin, lone, 15, nil)
		// Each service user counts in its own group's usage; the admin's Account does not.
		Eventually(func() any { return portalCall("GET", path(crowded), asAdmin, nil).Body["usage"] }).
			Should(HaveKeyWithValue("service_users", BeEquivalentTo(3)))
		Expect(portalCall("GET", path(lone), asAdmin, nil).Body["usage"]).To(HaveKeyWithValue("service_users", BeEquivalentTo(1)))

		// The root admin sees every match: the first two in login order, case-insensitively.
		r := portalCall("GET", "/groups?limit=2&prefix="+strings.ToUpper("find-"+u), asAdmin, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body["items"]).To(HaveExactElements(
			SatisfyAll(HaveKeyWithValue("name", login(0)), HaveKeyWithValue("id", BeEquivalentTo(users[login(0)])),
				HaveKeyWithValue("kind", BeNil()), HaveKeyWithValue("parent_id", BeEquivalentTo(crowded))),
			HaveKeyWithValue("name", login(1))))
		// Lone's admin has fewer Accounts in its subtree than the prefix matches: it sees its own
		// user only, and itself as an admin (its Admin's id).
		r = portalCall("GET", "/groups?prefix=find-"+u, loneAdmin.cred, nil)
		Expect(r.Body["items"]).To(HaveExactElements(HaveKeyWithValue("id", BeEquivalentTo(users[login(3)]))))
		r = portalCall("GET", "/groups?strict=1&prefix="+url.QueryEscape(loneAdmin.login), loneAdmin.cred, nil)
		Expect(r.Body["items"]).To(HaveExactElements(SatisfyAll(HaveKeyWithValue("id", BeEquivalentTo(loneAdmin.id)),
			HaveKeyWithValue("parent_id", BeEquivalentTo(lone)))))
		// A deleted user is gone from the search and from the count.
		Expect(portalCall("DELETE", fmt.Sprintf("/users/%d", users[login(0)]), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		Eventually(func() any { return portalCall("GET", "/groups?limit=1&prefix=find-"+u, asAdmin, nil).Body["items"] }).
			Should(HaveExactElements(HaveKeyWithValue("name", login(1))))
		Eventually(func() any { return portalCall("GET", path(crowded), asAdmin, nil).Body["usage"] }).
			Should(HaveKeyWithValue("service_users", BeEquivalentTo(2)))
	})

	It("refuses bad input with a 4xx and leaves the group as it was", func() {
		g := createGroup(asAdmin, rootID(), "Strict "+oteUniq(), 40)
		before := groupCR(g)
		for _, body := range []any{
			map[string]any{"nope": 1}, map[string]any{"name": 5}, map[string]any{"status": 2}, map[string]any{"name": ""},
			map[string]any{"name": nil}, map[string]any{"privileges": map[string]any{"quota_nope": 1}},
			map[string]any{"contact": map[string]any{"city": 7}}, `{"name": "x"`, map[string]any{"parent_id": 999999999},
			map[string]any{"language": "not a language tag!"}, map[string]any{"pricing": map[string]any{"mode": "fast"}},
		} {
			r := portalCall("PUT", path(g), asAdmin, body)
			Expect(r.Status).To(BeNumerically(">=", 400), "body %v answered %s", body, r.Raw)
			Expect(r.Status).To(BeNumerically("<", 500), "body %v answered %s", body, r.Raw)
			expectPortalError(r, r.Status)
		}
		expectPortalError(portalCall("PUT", path(g), asAdmin, "name=x", "Content-Type", "text/plain"), http.StatusUnsupportedMediaType)
		expectPortalError(portalCall("POST", path(g, "/children"), asAdmin, map[string]any{"name": "No kind"}), http.StatusBadRequest)
		after := groupCR(g)
		Expect(after.Generation).To(Equal(before.Generation))
		Expect(after.Spec).To(Equal(before.Spec))
	})
})
