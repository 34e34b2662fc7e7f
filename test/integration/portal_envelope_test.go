package integration

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("The portal API's envelope (/api/1/)", func() {
	It("answers an unrouted path with 404", func() {
		info := expectPortalError(portalCall("GET", "/logic/no-such-thing", asAdmin, nil), http.StatusNotFound)
		Expect(info).To(ContainSubstring("/api/1/logic/no-such-thing"))
		expectPortalError(portalCall("GET", "/groups/1/no-such-thing", anon, nil), http.StatusNotFound)
		// Paths under a first segment no portal family has, and identity's own routes under the
		// portal's version, are the portal's too.
		for _, path := range []string{"/no-such-family", "/no-such-family/x", "/ping", "/user/x"} {
			expectPortalError(portalCall("GET", path, anon, nil), http.StatusNotFound)
		}
		r := portalCall("POST", "/ping", anon, nil)
		expectPortalError(r, http.StatusNotFound)
	})

	It("answers a wrong method with 405 and Allow", func() {
		r := portalCall("DELETE", "/logic/rules", asAdmin, nil)
		expectPortalError(r, http.StatusMethodNotAllowed)
		Expect(r.Header.Get("Allow")).To(Equal("GET, HEAD"))
		r = portalCall("GET", "/users/1/machines", asAdmin, nil)
		expectPortalError(r, http.StatusMethodNotAllowed)
		Expect(r.Header.Get("Allow")).To(Equal("HEAD, POST"))
	})

	It("answers a body that is not JSON with 415", func() {
		info := expectPortalError(portalCall("GET", "/logic/rules", asAdmin, "a=b", "Content-Type", "text/plain"),
			http.StatusUnsupportedMediaType)
		Expect(info).To(ContainSubstring("application/json"))
	})

	It("answers the families Tessera does not implement with 501", func() {
		for _, call := range [][2]string{
			{"GET", "/datacenter/backupservers"}, {"POST", "/datacenter/gateways"}, {"GET", "/groups/1/storages"},
			{"DELETE", "/groups/1/storages/2"}, {"GET", "/reports"}, {"POST", "/reports/3/send"},
			{"GET", "/groups/1/reports/ordered"}, {"PUT", "/groups/1/migration"}, {"GET", "/groups/1/backupconsole"},
			{"PUT", "/groups/1/backup_server_migration"}, {"POST", "/users/1/hosts"}, {"POST", "/users/1/machines"},
			{"GET", "/ca/certificate"}, {"GET", "/ca/crl"},
		} {
			expectPortalError(portalCall(call[0], call[1], asAdmin, nil), http.StatusNotImplemented)
		}
	})

	It("answers 401 without credentials or with wrong ones", func() {
		expectPortalError(portalCall("GET", "/logic/constants", anon, nil), http.StatusUnauthorized)
		expectPortalError(portalCall("GET", "/logic/constants", basic(adminLogin, "wrong-password"), nil), http.StatusUnauthorized)
	})

	It("serves the constants and the rules admission places Groups by", func() {
		r := portalCall("GET", "/logic/constants", asAdmin, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		Expect(r.Body).To(HaveKeyWithValue("GroupsKind", HaveKeyWithValue("ServiceUser", BeEquivalentTo(-1))))
		Expect(r.Body).To(HaveKeyWithValue("AccessTypes", HaveKeyWithValue("ReadWriteAccess", BeEquivalentTo(5))))
		r = portalCall("GET", "/logic/rules", asAdmin, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		creation := r.Body["GroupBusinessRules"].(map[string]any)["creation"].(map[string]any)
		Expect(creation["0"]).To(HaveKeyWithValue("0", ConsistOf(BeEquivalentTo(0), BeEquivalentTo(10),
			BeEquivalentTo(20), BeEquivalentTo(30), BeEquivalentTo(40))))
		Expect(creation["40"]).To(HaveKeyWithValue("any", ConsistOf(BeEquivalentTo(50), BeEquivalentTo(-1))))
	})

	It("serves its OpenAPI document", func() {
		r := portalCall("GET", "/docs/spec", anon, nil)
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(string(r.Raw)).To(ContainSubstring("openapi: 3"))
		Expect(string(r.Raw)).To(ContainSubstring("x-tessera-not-implemented"))
	})
})
