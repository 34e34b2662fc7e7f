package luna

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tessera-dev/tessera/internal/verify"
	"github.com/tessera-dev/tessera/internal/verify/verifytest"
)

// BenchmarkVerifier measures POST /1/verifier with a token through the handler, on the
// manager's kind of cache filled from a real API server, beside GET /healthcheck on the same
// mux: what hack/bench scale compares, without the network. The difference in allocations is
// the verifier's garbage, which drives the collector under load.
func BenchmarkVerifier(b *testing.B) {
	ctx, direct, cached := verifytest.Cluster(b)
	raw, store := verifytest.TokenObjects(ctx, b, direct)
	a := &API{Verifier: &verify.Verifier{Keys: store, Cache: cached, Forest: verifytest.Forest(), Issuer: verifytest.Issuer}}
	mux := http.NewServeMux()
	a.Register(mux)
	body := `{"token":"` + raw + `"}`
	verifier := func(query string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/1/verifier"+query, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}
	verifytest.WaitCached(b, func() error {
		if w := verifier(""); w.Code != http.StatusOK {
			return &verifierBenchError{w.Code, w.Body.String()}
		}
		return nil
	})
	var answer struct {
		AccountID   string         `json:"account_id"`
		Permissions map[string]any `json:"permissions"`
	}
	if err := json.Unmarshal(verifier("?permissions_targets=all").Body.Bytes(), &answer); err != nil ||
		answer.AccountID != verifytest.AccountID || answer.Permissions["my_perm"] == nil {
		b.Fatalf("the verifier's answer: %+v (%v)", answer, err)
	}

	b.Run("healthcheck", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, httptest.NewRequest("GET", "/healthcheck", nil))
			if w.Code != http.StatusOK {
				b.Fatal(w.Code)
			}
		}
	})
	for name, query := range map[string]string{"token": "", "token all permissions": "?permissions_targets=all"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if w := verifier(query); w.Code != http.StatusOK {
					b.Fatal(w.Code, w.Body.String())
				}
			}
		})
	}
}

type verifierBenchError struct {
	code int
	body string
}

func (e *verifierBenchError) Error() string { return http.StatusText(e.code) + ": " + e.body }
