package integration

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/tessera-dev/tessera/internal/version"
)

func get(path string, header http.Header) (*http.Response, map[string]any) {
	GinkgoHelper()
	req, err := http.NewRequest(http.MethodGet, restURL+path, nil)
	Expect(err).NotTo(HaveOccurred())
	maps.Copy(req.Header, header)
	var resp *http.Response
	Eventually(func() error {
		resp, err = http.DefaultClient.Do(req)
		return err
	}, 10*time.Second, 50*time.Millisecond).Should(Succeed())
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	body := map[string]any{}
	Expect(json.Unmarshal(raw, &body)).To(Succeed(), "body %q", raw)
	return resp, body
}

var _ = Describe("The REST server", func() {
	It("answers /healthcheck with the execution time", func() {
		resp, body := get("/healthcheck", nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(resp.Header.Get("Content-Type")).To(Equal("application/json"))
		Expect(body).To(HaveKeyWithValue("execution_time", BeNumerically(">=", 0)))
	})

	It("checks the API server and the caches with include_luna_services=1", func() {
		resp, body := get("/healthcheck?include_luna_services=1", nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK), "body %v", body)
	})

	It("refuses a bad include_luna_services in Luna's error envelope", func() {
		resp, body := get("/healthcheck?include_luna_services=yes", nil)
		Expect(resp.StatusCode).To(Equal(http.StatusBadRequest))
		Expect(body).To(HaveKeyWithValue("error_code", BeEquivalentTo(12012)))
		Expect(body).To(HaveKey("desc"))
		Expect(body).To(HaveKey("detail"))
		Expect(body).To(HaveKey("link"))
	})

	It("reports its version", func() {
		resp, body := get("/version", nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		major, minor, patch := version.Parts()
		Expect(body).To(HaveKeyWithValue("Version", map[string]any{
			"api": 1.0, "major": float64(major), "minor": float64(minor), "patch": float64(patch)}))
	})

	It("echoes a well-formed Luna-Request-Id and makes one up otherwise", func() {
		id := "1536751345,8b8b5937-2e9c-4e8b-a7a7-5caf86621b5a"
		resp, _ := get("/version", http.Header{"Luna-Request-Id": {id}})
		Expect(resp.Header.Get("Luna-Request-Id")).To(Equal(id))

		resp, _ = get("/version", http.Header{"Luna-Request-Id": {"not-an-id"}})
		Expect(resp.Header.Get("Luna-Request-Id")).To(MatchRegexp(`^[0-9]{10},[a-f0-9-]{36}$`))
	})

	It("counts requests per route in Luna's metric format", func() {
		resp, _ := get("/healthcheck", nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		r, err := http.Get(restURL + "/metrics")
		Expect(err).NotTo(HaveOccurred())
		defer func() { _ = r.Body.Close() }()
		text, err := io.ReadAll(r.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(text)).To(MatchRegexp(`request_count_total\{path="GET:/healthcheck",status_code="200"\} [1-9]`))
		Expect(string(text)).To(ContainSubstring(`request_duration_seconds_bucket{path="GET:/healthcheck"`))

		// An unknown path counts under one label, whatever it is.
		_, _ = http.Get(restURL + "/no/such/path/12345")
		r2, err := http.Get(restURL + "/metrics")
		Expect(err).NotTo(HaveOccurred())
		defer func() { _ = r2.Body.Close() }()
		text, _ = io.ReadAll(r2.Body)
		Expect(string(text)).To(ContainSubstring(`path="GET:<unrouted>",status_code="404"`))
		Expect(string(text)).NotTo(ContainSubstring("12345"))
	})
})
