package identity

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tessera-dev/tessera/internal/rest"
)

// unconnected is an API without a cluster: it authenticates nobody (no sessions to verify).
func unconnected() *API { return &API{Auth: &rest.Authenticator{}} }

// serve answers one request on mux; the endpoints exercised here never reach the cluster.
func serve(mux *http.ServeMux, method, path, contentType, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return w
}

func TestEveryAnswerIsInTheEnvelope(t *testing.T) {
	mux := http.NewServeMux()
	unconnected().Register(mux)
	for _, c := range []struct {
		method, path, contentType, body string
		code                            int
		status, allow                   string
	}{
		{"GET", "/api/v0.0.9/ping", "", "", http.StatusNotFound, "unsupported API version", ""},
		{"POST", "/api/v0.0.9/ping", "", "", http.StatusNotFound, "unsupported API version", ""},
		{"GET", "/api/1.0.0/nothing", "", "", http.StatusNotFound, "unsupported API version", ""},
		{"GET", "/api/vx.y.z/users", "", "", http.StatusNotFound, "unsupported API version", ""},
		{"GET", "/api/v0.1.0/nothing", "", "", http.StatusNotFound, "not found", ""},
		{"GET", "/api/v0.1.0/", "", "", http.StatusNotFound, "not found", ""},
		{"GET", "/api/v0.1.0/user/", "", "", http.StatusNotFound, "not found", ""},
		{"GET", "/api/v0.1.0/user/a/b", "", "", http.StatusNotFound, "not found", ""},
		{"POST", "/api/v0.1.0/ping", "", "", http.StatusMethodNotAllowed, "method not allowed", "GET, HEAD"},
		{"PATCH", "/api/v1.2.3/user/3745576a-06f4-11eb-9d06-10e7c6e703cb", "", "", http.StatusMethodNotAllowed, "method not allowed", "DELETE, GET, HEAD, PUT"},
		{"GET", "/api/v0.1.0/access_token", "", "", http.StatusMethodNotAllowed, "method not allowed", "DELETE, POST, PUT"},
		{"POST", "/api/v0.1.0/users", "", "", http.StatusMethodNotAllowed, "method not allowed", "GET, HEAD"},
		{"GET", "/api/v0.1.0/user", "", "", http.StatusMethodNotAllowed, "method not allowed", "POST"},
		{"GET", "/api/v0.1.0/users", "", "", http.StatusUnauthorized, "unauthorized", ""},
		{"POST", "/api/v0.1.0/user", "text/plain", "nick_name=x", http.StatusBadRequest, "bad request", ""},
		{"POST", "/api/v0.1.0/user", "application/x-www-form-urlencoded", "a=b&c=d", http.StatusBadRequest, "bad request", ""},
		{"POST", "/api/v0.1.0/access_token", "", "", http.StatusBadRequest, "bad request", ""},
		{"PUT", "/api/v0.1.0/access_token", "application/json", "[1,", http.StatusBadRequest, "bad request", ""},
		{"DELETE", "/api/v0.1.0/access_token", "application/json", `{"access_token": 1}`, http.StatusUnprocessableEntity, "validation error", ""},
	} {
		w := serve(mux, c.method, c.path, c.contentType, c.body)
		var e map[string]string
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != c.code || e["status"] != c.status || e["error"] == "" || len(e) != 2 {
			t.Errorf("%s %s: %d %s, want %d {status: %q, error: …}", c.method, c.path, w.Code, w.Body, c.code, c.status)
		}
		if got := w.Header().Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
}

func TestPingAndSpecUnderEveryVersion(t *testing.T) {
	mux := http.NewServeMux()
	unconnected().Register(mux)
	if w := serve(mux, "GET", "/api/v12.34.56/ping", "", ""); w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != `{"pong":"API version 12.34.56"}` {
		t.Errorf("ping: %d %s", w.Code, w.Body)
	}
	if w := serve(mux, "HEAD", "/api/v0.1.0/ping", "", ""); w.Code != http.StatusOK {
		t.Errorf("HEAD ping: %d %s", w.Code, w.Body)
	}
	if w := serve(mux, "GET", "/api/v0.2.0/docs/spec", "", ""); w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), "openapi: 3") {
		t.Errorf("docs/spec: %d %.40s", w.Code, w.Body)
	}
}

// portalPatterns are a sample of seed 002's endpoints, mounted under /api/1/ as the portal will
// be: method-qualified, some of them the same shape as identity's routes.
var portalPatterns = []string{
	"GET /api/1/users/{user}", "PUT /api/1/users/{user}", "DELETE /api/1/users/{user}",
	"POST /api/1/users/{user}/jwt", "HEAD /api/1/users/{user}/machines", "GET /api/1/logic/rules",
	"POST /api/1/login", "GET /api/1/profile", "HEAD /api/1/checkauth", "OPTIONS /api/1/checkauth",
	"GET /api/1/groups/{group}/users", "POST /api/1/groups", "GET /api/1/accounts",
}

func TestThePortalCanShareTheMux(t *testing.T) {
	// The other APIs' dialect, as the shared Router gives it: a body of its own.
	foreign := func(string) rest.ErrorWriter {
		return func(w http.ResponseWriter, _ *http.Request, err error) {
			p := rest.Classify(err)
			if len(p.Allow) > 0 {
				w.Header().Set("Allow", strings.Join(p.Allow, ", "))
			}
			w.WriteHeader(p.Status())
			_, _ = w.Write([]byte("foreign"))
		}
	}
	for _, identityFirst := range []bool{true, false} {
		mux := http.NewServeMux()
		api := unconnected()
		api.Foreign = foreign
		if identityFirst {
			api.Register(mux)
		}
		for _, p := range portalPatterns {
			mux.HandleFunc(p, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("portal")) })
		}
		if !identityFirst {
			api.Register(mux)
		}
		for _, c := range []struct {
			method, path string
			code         int
			allow        string
		}{
			{"GET", "/api/1/logic/rules", http.StatusOK, ""},
			{"OPTIONS", "/api/1/checkauth", http.StatusOK, ""},
			{"DELETE", "/api/1/logic/rules", http.StatusMethodNotAllowed, "GET, HEAD"},
			{"GET", "/api/1/checkauth", http.StatusMethodNotAllowed, "HEAD, OPTIONS"},
			{"GET", "/api/1/nothing", http.StatusNotFound, ""},
			{"GET", "/api/1/ping", http.StatusNotFound, ""},         // an identity route, not the portal's
			{"PUT", "/api/1/access_token", http.StatusNotFound, ""}, // likewise
			{"GET", "/api/1/user/x", http.StatusNotFound, ""},       // likewise
			{"GET", "/api/2/users/alice", http.StatusNotFound, ""},  // numbered, so not identity's either
			{"GET", "/api/v0.1.0/ping", http.StatusOK, ""},          // identity unchanged
			{"GET", "/api/v0.1.0/nothing", http.StatusNotFound, ""}, // in identity's envelope (below)
			{"POST", "/api/v0.1.0/ping", http.StatusMethodNotAllowed, "GET, HEAD"},
		} {
			w := serve(mux, c.method, c.path, "", "")
			identity := strings.HasPrefix(c.path, "/api/v")
			isJSON := strings.HasPrefix(w.Header().Get("Content-Type"), "application/json")
			refused := c.code >= 400
			foreignBody := w.Body.String() == "foreign"
			if w.Code != c.code || w.Header().Get("Allow") != c.allow || foreignBody != (refused && !identity) ||
				refused && identity && !isJSON {
				t.Errorf("identity first %v: %s %s: %d %q (Allow %q, %s), want %d (Allow %q)", identityFirst, c.method, c.path,
					w.Code, w.Body, w.Header().Get("Allow"), w.Header().Get("Content-Type"), c.code, c.allow)
			}
		}
	}
}
