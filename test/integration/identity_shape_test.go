package integration

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Every answer of the identity API, routed or not, is in its envelope {"status", "error"}.
var _ = Describe("The identity API's envelope", func() {
	expectEnvelope := func(resp *http.Response, body map[string]any, code int, contains string) {
		GinkgoHelper()
		expectIdnError(resp, body, code, contains)
		Expect(resp.Header.Get("Content-Type")).To(HavePrefix("application/json"))
		Expect(body).To(HaveLen(2), "body %v", body)
	}

	It("answers unrouted paths with 404", func() {
		for _, path := range []string{"/api/v0.1.0/nothing", "/api/v0.1.0/", "/api/v1.2.3/user/a/b", "/api/v0.1.0/users/x"} {
			resp, body := oteCall("GET", path, nil, nil)
			expectEnvelope(resp, body, http.StatusNotFound, "no such endpoint")
		}
	})

	It("answers a wrong method with 405 and the methods the path allows", func() {
		for path, allow := range map[string]map[string]string{
			"/api/v0.1.0/ping":         {"POST": "GET, HEAD"},
			"/api/v0.1.0/users":        {"DELETE": "GET, HEAD"},
			"/api/v0.1.0/user":         {"GET": "POST"},
			"/api/v0.1.0/access_token": {"GET": "DELETE, POST, PUT"},
			"/api/v0.1.0/user/3745576a-06f4-11eb-9d06-10e7c6e703cb": {"PATCH": "DELETE, GET, HEAD, PUT"},
		} {
			for method, methods := range allow {
				resp, body := oteCall(method, path, nil, nil)
				expectEnvelope(resp, body, http.StatusMethodNotAllowed, method)
				Expect(resp.Header.Get("Allow")).To(Equal(methods), "%s %s", method, path)
			}
		}
	})

	It("answers a body that is not JSON with 400, whatever its Content-Type", func() {
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/json"} {
			resp, body := oteCall("POST", "/api/v0.1.0/user", http.Header{"Content-Type": {ct}}, "nick_name=x&password=y")
			expectEnvelope(resp, body, http.StatusBadRequest, "JSON")
			resp, body = oteCall("POST", "/api/v0.1.0/access_token", http.Header{"Content-Type": {ct}}, "email=a@b.org")
			expectEnvelope(resp, body, http.StatusBadRequest, "JSON")
		}
		resp, body := oteCall("PUT", "/api/v0.1.0/access_token", nil, nil)
		expectEnvelope(resp, body, http.StatusBadRequest, "JSON body")
	})

	It("answers an unsupported version with 404, on routes and elsewhere", func() {
		for _, path := range []string{"/api/v0.0.9/users", "/api/v0.0.1/user", "/api/V1.0.0/ping", "/api/v1.0.0.0/nothing"} {
			for _, method := range []string{"GET", "POST"} {
				resp, body := oteCall(method, path, nil, nil)
				expectEnvelope(resp, body, http.StatusNotFound, "0.1.0")
			}
		}
	})

	It("answers HEAD where it answers GET", func() {
		resp, body := oteCall("HEAD", "/api/v0.1.0/ping", nil, nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(body).To(HaveKeyWithValue("raw", ""))
		resp, _ = oteCall("HEAD", "/api/v0.1.0/users", nil, nil)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
	})
})
