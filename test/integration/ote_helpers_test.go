package integration

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// oteUniq returns a short random suffix for names other specs must not share.
func oteUniq() string { return fmt.Sprintf("%06x", rand.IntN(1<<24)) }

// oteCall sends a JSON request to the REST server and decodes a JSON object answer.
func oteCall(method, path string, header http.Header, body any) (*http.Response, map[string]any) {
	GinkgoHelper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			raw, err := json.Marshal(body)
			Expect(err).NotTo(HaveOccurred())
			rd = bytes.NewReader(raw)
		}
	}
	req, err := http.NewRequest(method, restURL+path, rd)
	Expect(err).NotTo(HaveOccurred())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	maps.Copy(req.Header, header)
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	out := map[string]any{}
	if len(bytes.TrimSpace(raw)) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		Expect(json.Unmarshal(raw, &out)).To(Succeed(), "body %q", raw)
	} else {
		out["raw"] = string(raw)
	}
	return resp, out
}

func oteAuth(token string) http.Header { return http.Header{"Authorization": {token}} }

func oteBearer(token string) http.Header { return oteAuth("Bearer " + token) }

// oteJWTPayload decodes a JWT's payload without verifying it.
func oteJWTPayload(token string) map[string]any {
	GinkgoHelper()
	parts := strings.Split(token, ".")
	Expect(parts).To(HaveLen(3))
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	Expect(err).NotTo(HaveOccurred())
	out := map[string]any{}
	Expect(json.Unmarshal(raw, &out)).To(Succeed())
	return out
}

// oteAccount returns the Account with login, as the API server holds it.
func oteAccount(login string) *tenancyv1alpha1.Account {
	GinkgoHelper()
	list := &tenancyv1alpha1.AccountList{}
	Expect(k8s.List(context.Background(), list)).To(Succeed())
	for i := range list.Items {
		if list.Items[i].Spec.Login == login {
			return &list.Items[i]
		}
	}
	Fail("no Account with login " + login)
	return nil
}
