package portal

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/rest/identity"
)

// The portal shares the mux with the identity API's /api/{version}/ patterns: registering both
// must not panic, and the portal's paths answer in its envelope, with identity's untouched.
func TestPortalBesideIdentity(t *testing.T) {
	mux := http.NewServeMux()
	(&identity.API{}).Register(mux)
	(&API{Auth: &rest.Authenticator{}}).Register(mux)
	router := rest.NewRouter(mux, rest.WriteJSONError)
	router.Dialect(identity.WriteError, "/api/v")
	router.Dialect(WriteError, Prefix+"/")

	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/api/1/logic/no-such-thing", http.StatusNotFound, ""},
		{"DELETE", "/api/1/logic/rules", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"GET", "/api/1/logic/rules", http.StatusUnauthorized, ""},
		{"POST", "/api/1/datacenter/gateways", http.StatusNotImplemented, ""},
		{"HEAD", "/api/1/users/7/machines", http.StatusNotImplemented, ""},
		{"GET", "/api/1/users/7/machines", http.StatusMethodNotAllowed, "HEAD, POST"},
		{"GET", "/api/1/groups/7/storages/3", http.StatusNotImplemented, ""},
		{"GET", "/api/1/docs/spec", http.StatusOK, ""},
	} {
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.status || rec.Header().Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d Allow %q, want %d Allow %q (%s)", tc.method, tc.path, rec.Code,
				rec.Header().Get("Allow"), tc.status, tc.allow, rec.Body)
			continue
		}
		if tc.status == http.StatusOK || tc.method == "HEAD" {
			continue
		}
		var body envelope
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Domain != Domain ||
			body.Error.Code != tc.status || body.Error.Message != Message(tc.status) || body.Error.Details.Info == "" {
			t.Errorf("%s %s: not the portal's envelope: %s", tc.method, tc.path, rec.Body)
		}
	}
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v0.1.0/no-such-thing", nil))
	var idBody map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &idBody); err != nil || rec.Code != http.StatusNotFound || idBody["status"] == nil {
		t.Errorf("identity's 404 changed: %d %s", rec.Code, rec.Body)
	}
}

// The OpenAPI document describes every implemented route, and lists every 501.
func TestOpenAPICoversTheRoutes(t *testing.T) {
	var doc struct {
		Info struct {
			NotImplemented []string `json:"x-tessera-not-implemented"`
		} `json:"info"`
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := yaml.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	unimplemented := strings.Join(doc.Info.NotImplemented, "\n")
	stubs := map[string]bool{}
	for _, f := range notImplemented {
		for _, pattern := range f.endpoints {
			stubs[pattern] = true
		}
	}
	for _, rt := range (&API{}).routes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if !stubs[rt.pattern] {
			if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
				t.Errorf("openapi.yaml lacks %s", rt.pattern)
			}
			continue
		}
		if !strings.Contains(unimplemented, path+"\n") && !strings.HasSuffix(unimplemented, path) {
			t.Errorf("openapi.yaml does not list %s among x-tessera-not-implemented", rt.pattern)
		}
	}
}
