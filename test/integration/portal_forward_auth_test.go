package integration

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/rest/portal"
)

var _ = Describe("The portal's forward auth, routing and IP allow-lists (/api/1/checkauth, /accounts, logon_ips)", func() {
	groupPath := func(id int64, rest string) string { return fmt.Sprintf("/groups/%d%s", id, rest) }
	methods := []string{"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"}

	It("answers /checkauth for all six methods: 204 with who it is, 401 without credentials, 403 for a locked account", func() {
		company := createGroup(asAdmin, rootID(), "Forward "+oteUniq(), 40)
		adm := portalPerson(company, tenancyv1alpha1.AccessFull)
		_, ck := signIn(adm.login, nil)
		for _, m := range methods {
			r := portalCall(m, "/checkauth", anon, nil, withCookie(ck)...)
			Expect(r.Status).To(Equal(http.StatusNoContent), "%s: %s", m, r.Raw)
			Expect(r.Header.Get(portal.HeaderAuthUser)).To(Equal(adm.login))
			Expect(r.Header.Get(portal.HeaderAuthEmail)).To(Equal(adm.login))
			Expect(r.Header.Get(portal.HeaderAuthGroupID)).To(Equal(strconv.FormatInt(company, 10)))
			Expect(r.Header.Get(portal.HeaderAuthRole)).To(Equal("company_admin"))

			Expect(portalCall(m, "/checkauth", anon, nil).Status).To(Equal(http.StatusUnauthorized), m)
			Expect(portalCall(m, "/checkauth", basic(newLogin("nobody"), "wrong"), nil).Status).To(Equal(http.StatusUnauthorized), m)
		}
		expectPortalError(portalCall("GET", "/checkauth", anon, nil), http.StatusUnauthorized)
		// The proxied request's body is not the portal's business.
		Expect(portalCall("POST", "/checkauth", adm.basic(), "a=b", "Content-Type", "application/x-www-form-urlencoded").Status).
			To(Equal(http.StatusNoContent))
		user := portalPerson(company, 0)
		ur := portalCall("GET", "/checkauth", user.basic(), nil)
		Expect(ur.Status).To(Equal(http.StatusNoContent))
		Expect(ur.Header.Values(portal.HeaderAuthRole)).To(BeEmpty())

		Expect(portalCall("POST", groupPath(company, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		DeferCleanup(func() {
			Expect(portalCall("DELETE", groupPath(company, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		})
		for _, m := range methods {
			Expect(portalCall(m, "/checkauth", anon, nil, withCookie(ck)...).Status).To(Equal(http.StatusForbidden), m)
		}
		expectPortalError(portalCall("GET", "/checkauth", adm.basic(), nil), http.StatusForbidden)
		// Elsewhere an account inside a locked subtree answers 423, sign-in too.
		expectPortalError(portalCall("GET", groupPath(company, ""), anon, nil, withCookie(ck)...), http.StatusLocked)
		r, locked := signIn(adm.login, nil)
		expectPortalError(r, http.StatusLocked)
		Expect(locked).To(BeNil())
	})

	It("routes accounts: GET /accounts (public) and /accounts/check", func() {
		company := createGroup(asAdmin, rootID(), "Routing "+oteUniq(), 40)
		adm := portalPerson(company, tenancyv1alpha1.AccessFull)
		q := url.Values{"login": {adm.login}}
		r := portalCall("GET", "/accounts?"+q.Encode(), anon, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(MatchAllKeys(Keys{"server_url": Equal(restURL), "id": BeEquivalentTo(liveAdmin(adm.admin).Spec.ID),
			"login": Equal(adm.login)}))
		expectPortalError(portalCall("GET", "/accounts?login="+url.QueryEscape(newLogin("absent")), anon, nil), http.StatusNotFound)
		expectPortalError(portalCall("GET", "/accounts", anon, nil), http.StatusBadRequest)
		expectPortalError(portalCall("GET", "/accounts?"+q.Encode()+"&user_id=x", anon, nil), http.StatusBadRequest)

		check := func(login, server string) lunaResp {
			v := url.Values{"login": {login}, "server": {server}, "sign": {"unchecked"}}
			return portalCall("GET", "/accounts/check?"+v.Encode(), asAdmin, nil)
		}
		Expect(check(adm.login, restURL).Status).To(Equal(http.StatusNoContent))
		Expect(check(adm.login, restURL+"/").Status).To(Equal(http.StatusNoContent))
		expectPortalError(check(adm.login, "https://elsewhere.example"), http.StatusConflict)
		expectPortalError(check(newLogin("absent"), restURL), http.StatusNotFound)
		expectPortalError(portalCall("GET", "/accounts/check?"+q.Encode()+"&server=x", asAdmin, nil), http.StatusBadRequest)
		expectPortalError(portalCall("GET", "/accounts/check?"+q.Encode()+"&server=x&sign=y", anon, nil), http.StatusUnauthorized)
	})

	It("keeps accounts of a group and below to its IP allow-list, whose items are checked", func() {
		partner := createGroup(asAdmin, rootID(), "IP Partner "+oteUniq(), 10)
		company := createGroup(asAdmin, partner, "IP Company "+oteUniq(), 40)
		adm := portalPerson(company, tenancyv1alpha1.AccessFull)
		reader := portalPerson(company, tenancyv1alpha1.AccessRead)
		_, ck := signIn(adm.login, nil)
		settings, limits := groupPath(company, "/settings/logon_ips"), groupPath(company, "/limits/logon_ips")

		off := portalCall("GET", settings, adm.basic(), nil)
		Expect(off.Status).To(Equal(http.StatusOK))
		Expect(off.Body).To(MatchAllKeys(Keys{"status": BeEquivalentTo(0), "items": BeEmpty()}))

		// Refused input changes nothing.
		gen := groupCR(company).Generation
		for _, bad := range []any{
			map[string]any{"items": []string{"203.0.113.300"}}, map[string]any{"items": []string{"10.0.0.9 - 10.0.0.1"}},
			map[string]any{"items": []string{"10.0.0.0/40"}}, map[string]any{"items": []string{}}, map[string]any{},
			map[string]any{"items": []string{"10.0.0.1"}, "status": 1}, map[string]any{"items": "10.0.0.1"},
		} {
			expectPortalError(portalCall("POST", settings, asAdmin, bad), http.StatusBadRequest)
		}
		expectPortalError(portalCall("POST", settings, asAdmin, `{"items":["10.0.0.1"]}`, "Content-Type", "text/plain"),
			http.StatusUnsupportedMediaType)
		expectPortalError(portalCall("POST", settings, reader.basic(), map[string]any{"items": []string{"10.0.0.1"}}),
			http.StatusForbidden)
		// Unknown groups, and groups outside the caller's subtree.
		expectPortalError(portalCall("GET", groupPath(999999999, "/settings/logon_ips"), asAdmin, nil), http.StatusNotFound)
		expectPortalError(portalCall("POST", groupPath(partner, "/limits/logon_ips"), adm.basic(),
			map[string]any{"items": []string{"10.0.0.1"}}), http.StatusForbidden)
		expectPortalError(portalCall("GET", groupPath(partner, "/settings/logon_ips"), adm.basic(), nil), http.StatusForbidden)
		Expect(groupCR(partner).Spec.Settings.LogonIPs.Enabled).To(BeFalse())
		Expect(groupCR(company).Generation).To(Equal(gen))
		Expect(groupCR(company).Spec.Settings.LogonIPs.Enabled).To(BeFalse())

		items := []string{"203.0.113.2", "203.0.113.23 - 203.0.113.200", "198.51.100.0/27"}
		set := portalCall("POST", limits, asAdmin, map[string]any{"items": items})
		Expect(set.Status).To(Equal(http.StatusOK), "body %s", set.Raw)
		Expect(string(set.Raw)).To(MatchJSON(`"Success"`))
		Expect(groupCR(company).Spec.Settings.LogonIPs).To(Equal(tenancyv1alpha1.LogonIPs{Enabled: true, Items: items}))
		for _, p := range []string{settings, limits} {
			g := portalCall("GET", p, asAdmin, nil)
			Expect(g.Body).To(MatchAllKeys(Keys{"status": BeEquivalentTo(1), "items": Equal([]any{items[0], items[1], items[2]})}))
		}

		// The test client is the loopback peer, outside the list: refused with every credential,
		// and X-Forwarded-For from a peer that is no trusted proxy changes nothing.
		expectAddressRefused(portalCall("GET", groupPath(company, ""), adm.basic(), nil))
		expectAddressRefused(portalCall("GET", groupPath(company, ""), anon, nil, withCookie(ck)...))
		expectAddressRefused(portalCall("GET", groupPath(company, ""), adm.basic(), nil, "X-Forwarded-For", "203.0.113.2"))
		r, refused := signIn(adm.login, nil)
		expectAddressRefused(r)
		Expect(refused).To(BeNil())
		Expect(portalCall("GET", "/checkauth", adm.basic(), nil).Status).To(Equal(http.StatusForbidden))
		// The list binds the group's accounts, not those above it.
		Expect(portalCall("GET", groupPath(company, ""), asAdmin, nil).Status).To(Equal(http.StatusOK))

		// Admitted once the list holds the address.
		Expect(portalCall("POST", settings, asAdmin, map[string]any{"items": []string{"127.0.0.1 - 127.0.0.2"}}).Status).
			To(Equal(http.StatusOK))
		Expect(portalCall("GET", groupPath(company, ""), adm.basic(), nil).Status).To(Equal(http.StatusOK))
		// An ancestor's list binds too: every enabled list on the way down must admit.
		Expect(portalCall("POST", groupPath(partner, "/settings/logon_ips"), asAdmin, map[string]any{"items": []string{"192.0.2.0/24"}}).
			Status).To(Equal(http.StatusOK))
		expectAddressRefused(portalCall("GET", groupPath(company, ""), adm.basic(), nil))
		Expect(portalCall("DELETE", groupPath(partner, "/limits/logon_ips"), asAdmin, nil).Status).To(Equal(http.StatusOK))
		Expect(portalCall("GET", groupPath(company, ""), adm.basic(), nil).Status).To(Equal(http.StatusOK))

		// DELETE disables the list and keeps its items.
		del := portalCall("DELETE", settings, adm.basic(), nil)
		Expect(del.Status).To(Equal(http.StatusOK), "body %s", del.Raw)
		Expect(portalCall("GET", limits, adm.basic(), nil).Body).To(MatchAllKeys(Keys{"status": BeEquivalentTo(0),
			"items": Equal([]any{"127.0.0.1 - 127.0.0.2"})}))
		Expect(groupCR(company).Spec.Settings.LogonIPs.Enabled).To(BeFalse())
		Expect(portalCall("GET", groupPath(company, ""), anon, nil, withCookie(ck)...).Status).To(Equal(http.StatusOK))

		// Writes inside a locked subtree answer 423.
		Expect(portalCall("POST", groupPath(partner, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		DeferCleanup(func() {
			Expect(portalCall("DELETE", groupPath(partner, "/lock"), asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		})
		expectPortalError(portalCall("POST", settings, asAdmin, map[string]any{"items": []string{"10.0.0.1"}}), http.StatusLocked)
	})
})
