package integration

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// envelopeResp is an error answer of any dialect.
type envelopeResp struct {
	Status int
	Header http.Header
	Body   map[string]any
}

// rawCall sends body as it is with contentType ("" for none) and decodes the JSON answer; the
// answer must be JSON, whatever went wrong.
func rawCall(method, path, contentType, body string) envelopeResp {
	GinkgoHelper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, restURL+path, rd)
	Expect(err).NotTo(HaveOccurred())
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	Expect(resp.Header.Get("Content-Type")).To(Equal("application/json"), "%s %s answered %q", method, path, raw)
	out := envelopeResp{Status: resp.StatusCode, Header: resp.Header}
	Expect(json.Unmarshal(raw, &out.Body)).To(Succeed(), "body %q", raw)
	Expect(resp.Header.Get("Luna-Request-Id")).NotTo(BeEmpty())
	return out
}

// expectLunaEnvelope checks status, error_code and the envelope's four fields.
func expectLunaEnvelope(r envelopeResp, status, code int) {
	GinkgoHelper()
	Expect(r.Status).To(Equal(status), "body %v", r.Body)
	Expect(r.Body).To(HaveKeyWithValue("error_code", BeEquivalentTo(code)), "body %v", r.Body)
	Expect(r.Body).To(HaveKey("desc"))
	Expect(r.Body).To(HaveKey("detail"))
	Expect(r.Body).To(HaveKey("link"))
}

var _ = Describe("Every API's envelope", func() {
	Context("Luna (/1/, /version, /healthcheck and paths no API claims)", func() {
		It("answers an unrouted path with 404 (90404)", func() {
			r := rawCall("GET", "/1/no-such-thing", "", "")
			expectLunaEnvelope(r, http.StatusNotFound, 90404)
			Expect(r.Body["detail"]).To(ContainSubstring("/1/no-such-thing"))
			Expect(r.Body["link"]).To(Equal("/1/docs/dev#error-90404"))
			expectLunaEnvelope(rawCall("GET", "/2/accounts", "", ""), http.StatusNotFound, 90404)
		})

		It("answers a wrong method with 405 (90405) and Allow", func() {
			r := rawCall("POST", "/version", "", "")
			expectLunaEnvelope(r, http.StatusMethodNotAllowed, 90405)
			Expect(r.Header.Get("Allow")).To(Equal("GET, HEAD"))
			r = rawCall("PUT", "/1/accounts/8950722f-3fd4-4223-b48f-03f95f0e8dfb", "application/json", "{}")
			expectLunaEnvelope(r, http.StatusMethodNotAllowed, 90405)
			Expect(r.Header.Get("Allow")).To(Equal("DELETE, GET, HEAD, PATCH"))
		})

		It("answers bodies that are not JSON with 12002, 12024 and 12022", func() {
			body := `{"token": "x"}`
			expectLunaEnvelope(rawCall("POST", "/1/verifier", "", body), http.StatusBadRequest, 12002)
			expectLunaEnvelope(rawCall("POST", "/1/verifier", "text/plain", body), http.StatusUnsupportedMediaType, 12024)
			r := rawCall("POST", "/1/verifier", "application/json", `{"token": `)
			expectLunaEnvelope(r, http.StatusBadRequest, 12022)
			Expect(r.Body["detail"]).To(HavePrefix("Failed to validate input json"))
		})
	})

	Context("ote-stack (/v1/)", func() {
		expectOte := func(r envelopeResp, status int) {
			GinkgoHelper()
			Expect(r.Status).To(Equal(status), "body %v", r.Body)
			Expect(r.Body).To(HaveKeyWithValue("code", BeEquivalentTo(status)))
			Expect(r.Body).To(HaveKeyWithValue("message", Not(BeEmpty())))
		}

		It("answers an unrouted path with 404", func() {
			expectOte(rawCall("GET", "/v1/no-such-thing", "", ""), http.StatusNotFound)
		})

		It("answers a wrong method with 405 and Allow", func() {
			r := rawCall("DELETE", "/v1/user", "", "")
			expectOte(r, http.StatusMethodNotAllowed)
			Expect(r.Header.Get("Allow")).To(Equal("POST, PUT"))
		})

		It("answers a body that is not JSON with 422", func() {
			expectOte(rawCall("POST", "/v1/authorization", "text/plain", "user=a&password=b"), http.StatusUnprocessableEntity)
		})
	})

	Context("identity (/api/vX.Y.Z/)", func() {
		expectIdn := func(r envelopeResp, status int) {
			GinkgoHelper()
			Expect(r.Status).To(Equal(status), "body %v", r.Body)
			Expect(r.Body).To(HaveKeyWithValue("status", Not(BeEmpty())))
			Expect(r.Body).To(HaveKeyWithValue("error", Not(BeEmpty())))
		}

		It("answers an unrouted path with 404", func() {
			expectIdn(rawCall("GET", "/api/v0.1.0/no-such-thing", "", ""), http.StatusNotFound)
		})

		It("answers a wrong method with 405 and Allow", func() {
			r := rawCall("DELETE", "/api/v0.1.0/users", "", "")
			expectIdn(r, http.StatusMethodNotAllowed)
			Expect(r.Header.Get("Allow")).To(Equal("GET"))
		})

		It("answers a body that is not JSON with 400", func() {
			expectIdn(rawCall("POST", "/api/v0.1.0/access_token", "text/plain", "email=a"), http.StatusBadRequest)
		})
	})

	Context("/.well-known/ and /metrics", func() {
		It("answer in a plain {\"error\"} shape", func() {
			r := rawCall("GET", "/.well-known/no-such-thing", "", "")
			Expect(r.Status).To(Equal(http.StatusNotFound))
			Expect(r.Body).To(HaveKeyWithValue("error", ContainSubstring("/.well-known/no-such-thing")))
			r = rawCall("POST", "/metrics", "", "")
			Expect(r.Status).To(Equal(http.StatusMethodNotAllowed))
			Expect(r.Header.Get("Allow")).To(Equal("GET, HEAD"))
			Expect(r.Body).To(HaveKey("error"))
		})
	})
})
