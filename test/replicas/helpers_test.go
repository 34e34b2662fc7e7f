package replicas

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// httpClient bounds every call, so that a request to a dying replica cannot hang a worker.
var httpClient = &http.Client{Timeout: 15 * time.Second}

// call sends a JSON request to a replica and decodes a JSON object answer. hdr holds header
// name and value pairs; basic, when set, is the admin's Basic credential.
func call(base, method, path string, body any, basic bool, hdr ...string) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if basic {
		req.SetBasicAuth(adminLogin, adminPassword)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	out := map[string]any{}
	if len(bytes.TrimSpace(raw)) > 0 && json.Unmarshal(raw, &out) != nil {
		out["raw"] = string(raw)
	}
	return resp.StatusCode, out, nil
}

// mustCall is call for replicas that must answer.
func mustCall(base, method, path string, body any, hdr ...string) (int, map[string]any) {
	GinkgoHelper()
	status, out, err := call(base, method, path, body, false, hdr...)
	Expect(err).NotTo(HaveOccurred())
	return status, out
}

// groupWithAccount creates a company Group under root and an Account in its namespace, and
// returns the Account as admission completed it (accountID set).
func groupWithAccount(ctx context.Context, group, login string) *tenancyv1alpha1.Account {
	GinkgoHelper()
	Expect(k8s.Create(ctx, &tenancyv1alpha1.Group{
		ObjectMeta: metav1.ObjectMeta{Name: group},
		Spec:       tenancyv1alpha1.GroupSpec{Parent: "root", Kind: tenancyv1alpha1.GroupKindEndUserCompany},
	})).To(Succeed())
	ns := tenancyv1alpha1.GroupNamespace(group)
	Eventually(func() error {
		return k8s.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{})
	}, 30*time.Second, 50*time.Millisecond).Should(Succeed())
	acct := &tenancyv1alpha1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "owner"},
		Spec:       tenancyv1alpha1.AccountSpec{Login: login, Type: tenancyv1alpha1.AccountTypeUser},
	}
	Expect(k8s.Create(ctx, acct)).To(Succeed())
	Expect(acct.Spec.AccountID).NotTo(BeEmpty())
	return acct
}

// tokenCreator creates a Token for acct that may create Tokens, and returns its JWT.
func tokenCreator(ctx context.Context, acct *tenancyv1alpha1.Account) string {
	GinkgoHelper()
	tok := &tenancyv1alpha1.Token{
		ObjectMeta: metav1.ObjectMeta{Namespace: acct.Namespace, Name: "creator"},
		Spec: tenancyv1alpha1.TokenSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: acct.Name},
			Permissions: tenancyv1alpha1.TokenPermissions{Token: []tenancyv1alpha1.CRUDVerb{"creation", "view"}}},
	}
	Expect(k8s.Create(ctx, tok)).To(Succeed())
	var jwt string
	Eventually(func(g Gomega) {
		s := &corev1.Secret{}
		g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: tok.Namespace, Name: tok.Name + "-jwt"}, s)).To(Succeed())
		jwt = string(s.Data["token"])
		g.Expect(jwt).NotTo(BeEmpty())
	}, 30*time.Second, 50*time.Millisecond).Should(Succeed())
	return jwt
}

// verifyToken asks a replica's /1/verifier about a JWT; nil when it verifies for accountID.
func verifyToken(base, jwt, accountID string) error {
	status, out, err := call(base, "POST", "/1/verifier", map[string]any{"token": jwt}, false)
	if err != nil {
		return err
	}
	if status != http.StatusOK || out["account_id"] != accountID {
		return &answerError{status: status, body: out}
	}
	return nil
}

// issuedAt is a JWT's iat claim, read without verifying it; 0 when unreadable.
func issuedAt(jwt string) int64 {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return 0
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return 0
	}
	var claims struct {
		IssuedAt int64 `json:"iat"`
	}
	_ = json.Unmarshal(raw, &claims)
	return claims.IssuedAt
}

// answerError is an unexpected answer.
type answerError struct {
	status int
	body   map[string]any
}

func (e *answerError) Error() string {
	raw, _ := json.Marshal(e.body)
	return http.StatusText(e.status) + ": " + string(raw)
}
