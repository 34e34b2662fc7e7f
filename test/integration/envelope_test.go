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
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	Expect(resp.Header.Get("Content-Type")).To(Equal("application/json"), "%s %s answered %q", method, path, raw)
	out := envelopeResp{Status: resp.StatusCode, Header: resp.Header}
	Expect(json.Unmarshal(raw, &out.Body)).To(Succeed(), "body %q", raw)
	Expect(resp.Header.Get("Luna-Request-Id")).NotTo(BeEmpty())
	return out
}

var _ = Describe("Every API's envelope", func() {
	Context("Luna (/1/, /version, /healthcheck and paths no API claims)", func() {
		It("answers an unrouted path with 404 (90404)", func() {
			r := luna("GET", "/1/no-such-thing", anon, nil)
			expectLunaError(r, http.StatusNotFound, 90404)
			Expect(r.Body["detail"]).To(ContainSubstring("/1/no-such-thing"))
			Expect(r.Body["link"]).To(Equal("/1/docs/dev#error-90404"))
			Expect(r.Header.Get("Luna-Request-Id")).NotTo(BeEmpty())
			expectLunaError(luna("GET", "/2/accounts", anon, nil), http.StatusNotFound, 90404)
		})

		It("answers a wrong method with 405 (90405) and Allow", func() {
			r := luna("POST", "/version", anon, nil)
			expectLunaError(r, http.StatusMethodNotAllowed, 90405)
			Expect(r.Header.Get("Allow")).To(Equal("GET, HEAD"))
			r = luna("PUT", "/1/accounts/8950722f-3fd4-4223-b48f-03f95f0e8dfb", asAdmin, map[string]any{})
			expectLunaError(r, http.StatusMethodNotAllowed, 90405)
			Expect(r.Header.Get("Allow")).To(Equal("DELETE, GET, HEAD, PATCH"))
		})

		It("answers bodies that are not JSON with 12002, 12024 and 12022", func() {
			body := `{"token": "x"}`
			expectLunaError(luna("POST", "/1/verifier", anon, body, "Content-Type", ""), http.StatusBadRequest, 12002)
			expectLunaError(luna("POST", "/1/verifier", anon, body, "Content-Type", "text/plain"), http.StatusUnsupportedMediaType, 12024)
			r := luna("POST", "/1/verifier", anon, `{"token": `)
			expectLunaError(r, http.StatusBadRequest, 12022)
			Expect(r.Body["detail"]).To(HavePrefix("Failed to validate input json"))
		})
	})

	// ote-stack answers {code, message}, identity {status, error}; both with the plain status.
	for _, api := range []struct {
		name                        string
		fields                      [2]string
		unrouted, wrongMethod, form string
		allow                       string
		formStatus                  int
	}{
		{"ote-stack (/v1/)", [2]string{"code", "message"}, "/v1/no-such-thing", "/v1/user", "/v1/authorization",
			"POST, PUT", http.StatusUnprocessableEntity},
		{"identity (/api/vX.Y.Z/)", [2]string{"status", "error"}, "/api/v0.1.0/no-such-thing", "/api/v0.1.0/users",
			"/api/v0.1.0/access_token", "GET, HEAD", http.StatusBadRequest},
	} {
		Context(api.name, func() {
			expectEnvelope := func(r envelopeResp, status int) {
				GinkgoHelper()
				Expect(r.Status).To(Equal(status), "body %v", r.Body)
				Expect(r.Body).To(HaveKeyWithValue(api.fields[0], Not(BeZero())))
				Expect(r.Body).To(HaveKeyWithValue(api.fields[1], Not(BeEmpty())))
			}

			It("answers an unrouted path with 404", func() {
				expectEnvelope(rawCall("GET", api.unrouted, "", ""), http.StatusNotFound)
			})

			It("answers a wrong method with 405 and Allow", func() {
				r := rawCall("DELETE", api.wrongMethod, "", "")
				expectEnvelope(r, http.StatusMethodNotAllowed)
				Expect(r.Header.Get("Allow")).To(Equal(api.allow))
			})

			It("answers a body that is not JSON in its envelope", func() {
				expectEnvelope(rawCall("POST", api.form, "text/plain", "user=a&password=b"), api.formStatus)
			})
		})
	}

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
