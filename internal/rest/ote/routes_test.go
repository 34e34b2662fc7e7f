package ote

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestUnrouted: paths without a route and methods a path lacks answer in ote-stack's envelope;
// routed requests still reach their handlers.
func TestUnrouted(t *testing.T) {
	mux := http.NewServeMux()
	(&API{}).Register(mux)
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/v1/nothing", http.StatusNotFound, ""},
		{"GET", "/v1/user", http.StatusMethodNotAllowed, "POST, PUT"},
		{"PATCH", "/v1/admin/user/7", http.StatusMethodNotAllowed, "DELETE, PUT"},
		{"POST", "/v1/authorization", http.StatusUnprocessableEntity, ""}, // the handler: no body
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, strings.NewReader("")))
		var body struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s %s: not JSON: %q", tc.method, tc.path, rec.Body)
		}
		if rec.Code != tc.status || body.Code != tc.status || body.Message == "" {
			t.Errorf("%s %s = %d %+v; want %d", tc.method, tc.path, rec.Code, body, tc.status)
		}
		if got := rec.Header().Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q; want %q", tc.method, tc.path, got, tc.allow)
		}
	}
}
