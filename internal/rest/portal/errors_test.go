package portal

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tessera-dev/tessera/internal/rest"
)

// Every error is the seed's standard body: the status as code, its fixed message, and what
// went wrong in details.info, in the portal's field names.
func TestEnvelope(t *testing.T) {
	for _, tc := range []struct {
		err     error
		status  int
		message string
		info    string
	}{
		{errVersionMismatch(3, 2), http.StatusUpgradeRequired, "Version mismatch", "the object is at version 3, not 2"},
		{errLocked(7, "audit"), http.StatusLocked, "Locked", "group 7 is locked: audit"},
		{errNotFound("group %s does not exist", "9"), http.StatusNotFound, "Not found", "group 9 does not exist"},
		{errConflict("taken"), http.StatusConflict, "Conflict", "taken"},
		{errBadParam("limit", "must be a number"), http.StatusBadRequest, "Bad Request", "query parameter limit: must be a number"},
		{errBadField("kind", "unknown"), http.StatusBadRequest, "Bad Request", "kind: unknown"},
		{errBadRequest("no"), http.StatusBadRequest, "Bad Request", "no"},
		{&rest.Problem{Kind: rest.KindConflict, Field: "spec.displayName", Message: "Acme is taken"}, http.StatusConflict,
			"Conflict", "name: Acme is taken"},
		{&rest.DecodeError{Path: "contact.city", Message: "unexpected value"}, http.StatusBadRequest, "Bad Request",
			"contact.city: unexpected value"},
		{rest.ErrNotJSON, http.StatusUnsupportedMediaType, "Invalid content type", rest.ErrNotJSON.Error()},
		{&rest.Problem{Kind: rest.KindInvalid, Field: "spec.settings.flags", Message: "bad"}, http.StatusBadRequest, "Bad Request", "bad"},
		{&rest.Problem{Kind: rest.KindInvalid, Field: "spec.settings.language", Message: "spec.settings.language in body should match x"},
			http.StatusBadRequest, "Bad Request", "language in body should match x"},
	} {
		rec := httptest.NewRecorder()
		WriteError(rec, httptest.NewRequest("GET", "/api/1/x", nil), tc.err)
		var body envelope
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%v: %v", tc.err, err)
		}
		e := body.Error
		if rec.Code != tc.status || e.Code != tc.status || e.Domain != Domain || e.Message != tc.message || e.Details.Info != tc.info ||
			e.Context == nil {
			t.Errorf("%v: %d %s, want %d %q %q", tc.err, rec.Code, rec.Body, tc.status, tc.message, tc.info)
		}
	}
}
