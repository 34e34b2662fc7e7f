package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
)

// cred is how a Luna request authenticates: Basic login:password, Bearer token, or nothing.
type cred struct{ login, password, bearer string }

var (
	asAdmin = cred{login: adminLogin, password: adminPassword}
	anon    = cred{}
)

func basic(login, password string) cred { return cred{login: login, password: password} }
func bearer(tok string) cred            { return cred{bearer: tok} }

// lunaResp is a Luna answer.
type lunaResp struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   map[string]any
}

// luna sends a request; body is JSON-encoded unless it is a string (sent as is) or nil. Extra
// headers go in hdr (a Content-Type there wins).
func luna(method, path string, c cred, body any, hdr ...string) lunaResp {
	GinkgoHelper()
	var rdr io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case string:
		rdr, contentType = bytes.NewBufferString(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		Expect(err).NotTo(HaveOccurred())
		rdr, contentType = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, restURL+path, rdr)
	Expect(err).NotTo(HaveOccurred())
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	switch {
	case c.bearer != "":
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	case c.login != "":
		req.SetBasicAuth(c.login, c.password)
	}
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	out := lunaResp{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(bytes.TrimSpace(raw)) > 0 && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		Expect(json.Unmarshal(raw, &out.Body)).To(Succeed(), "body %s", raw)
	}
	return out
}

// expectLunaError checks status, error_code and the envelope's four fields.
func expectLunaError(r lunaResp, status, code int) {
	GinkgoHelper()
	Expect(r.Status).To(Equal(status), "body %s", r.Raw)
	Expect(r.Body).To(HaveKeyWithValue("error_code", BeEquivalentTo(code)), "body %s", r.Raw)
	Expect(r.Body).To(HaveKey("desc"))
	Expect(r.Body).To(HaveKey("detail"))
	Expect(r.Body).To(HaveKey("link"))
	Expect(r.Header.Get("Content-Type")).To(Equal("application/json"))
}

var loginSeq atomic.Int64

// newLogin returns a login unique in the suite that matches Luna's e-mail pattern.
func newLogin(prefix string) string {
	return fmt.Sprintf("%s%d.%d@tessera.example", prefix, time.Now().UnixNano()%1e9, loginSeq.Add(1))
}

// createLunaAccount creates an account through REST as the admin and returns its account_id.
func createLunaAccount(login, password, typ string) string {
	GinkgoHelper()
	r := luna("POST", "/1/accounts", asAdmin, map[string]any{"login": login, "password": password, "account_type": typ})
	Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
	return r.Body["account_id"].(string)
}

// createLunaToken creates a token for accountID as c and returns (token, token_id).
func createLunaToken(c cred, accountID string, body map[string]any) (string, string) {
	GinkgoHelper()
	r := luna("POST", "/1/tokens", c, body, "Luna-Account-Id", accountID)
	Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
	return r.Body["token"].(string), r.Body["token_id"].(string)
}

// accountCR finds the Account CR with an account id (through the API server, not the cache).
func accountCR(ctx context.Context, id string) (*tenancyv1alpha1.Account, error) {
	l := &tenancyv1alpha1.AccountList{}
	if err := k8s.List(ctx, l); err != nil {
		return nil, err
	}
	for i := range l.Items {
		if l.Items[i].Spec.AccountID == id {
			return &l.Items[i], nil
		}
	}
	return nil, fmt.Errorf("no Account with accountID %s", id)
}

var _ = index.AccountID
var _ client.Object = &tenancyv1alpha1.Account{}
