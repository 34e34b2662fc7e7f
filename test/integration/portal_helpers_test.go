package integration

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/tessera-dev/tessera/internal/rest/portal"
)

// portalCall sends a portal request under /api/1 (see luna for body and hdr).
func portalCall(method, path string, c cred, body any, hdr ...string) lunaResp {
	GinkgoHelper()
	return luna(method, portal.Prefix+path, c, body, hdr...)
}

// expectPortalError checks the standard envelope: code = status, the seed's domain and fixed
// message, and details.info; it returns details.info.
func expectPortalError(r lunaResp, status int) string {
	GinkgoHelper()
	Expect(r.Status).To(Equal(status), "body %s", r.Raw)
	Expect(r.Header.Get("Content-Type")).To(Equal("application/json"))
	Expect(r.Body).To(HaveKey("error"), "body %s", r.Raw)
	e := r.Body["error"].(map[string]any)
	Expect(e).To(HaveKeyWithValue("code", BeEquivalentTo(status)))
	Expect(e).To(HaveKeyWithValue("domain", "PlatformAccountServer"))
	Expect(e).To(HaveKeyWithValue("message", portal.Message(status)))
	Expect(e).To(HaveKeyWithValue("context", BeEmpty()))
	Expect(e).To(HaveKey("details"))
	info, _ := e["details"].(map[string]any)["info"].(string)
	Expect(info).NotTo(BeEmpty())
	return info
}
