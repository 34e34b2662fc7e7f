package rest

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// recordingWriter is a dialect that answers {"dialect", "kind", "message"} with the kind's
// status and headers, and remembers the problem.
func recordingWriter(name string, got *Problem) ErrorWriter {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		p := ProblemOf(r, err)
		*got = p
		p.SetHeaders(w)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(p.Status())
		_ = json.NewEncoder(w).Encode(map[string]string{"dialect": name, "kind": p.Kind.String(), "message": p.Message})
	}
}

func TestRouterAnswersInTheDialectOfThePath(t *testing.T) {
	mux := http.NewServeMux()
	var pattern string
	mux.HandleFunc("GET /1/accounts/{id}", func(w http.ResponseWriter, r *http.Request) {
		pattern = r.Pattern
		_, _ = w.Write([]byte(r.PathValue("id")))
	})
	mux.HandleFunc("POST /1/accounts/{id}", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("PATCH /1/accounts/{id}", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("GET /v1/user", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("GET /v1/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("GET /v1/late-panic", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		panic("after the answer began")
	})
	var luna, ote, plain Problem
	rt := NewRouter(mux, recordingWriter("fallback", &plain))
	rt.Dialect(recordingWriter("luna", &luna), "/1/", "/version")
	rt.Dialect(recordingWriter("ote", &ote), "/v1/")
	rt.Dialect(recordingWriter("ote-admin", &ote), "/v1/admin/")

	cases := []struct {
		method, path  string
		status        int
		dialect, kind string
		allow         string
	}{
		{"GET", "/1/accounts/x", 200, "", "", ""},
		{"DELETE", "/1/accounts/x", 405, "luna", "MethodNotAllowed", "GET, HEAD, PATCH, POST"},
		{"GET", "/1/nothing", 404, "luna", "NotFound", ""},
		{"GET", "/versions", 404, "luna", "NotFound", ""},
		{"PUT", "/v1/user", 405, "ote", "MethodNotAllowed", "GET, HEAD"},
		{"GET", "/v1/admin/nothing", 404, "ote-admin", "NotFound", ""},
		{"GET", "/v1/panic", 500, "ote", "Internal", ""},
		{"GET", "/v1/late-panic", 202, "", "", ""},
		{"GET", "/elsewhere", 404, "fallback", "NotFound", ""},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			rt.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			if rec.Code != tc.status || rec.Header().Get("Allow") != tc.allow {
				t.Fatalf("status %d Allow %q, want %d %q: %s", rec.Code, rec.Header().Get("Allow"), tc.status, tc.allow, rec.Body)
			}
			if tc.dialect == "" {
				return
			}
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("not the envelope: %q", rec.Body)
			}
			if body["dialect"] != tc.dialect || body["kind"] != tc.kind {
				t.Fatalf("body %v, want dialect %s kind %s", body, tc.dialect, tc.kind)
			}
			if tc.kind == "Internal" && body["message"] != InternalMessage {
				t.Fatalf("a panic must not be echoed: %v", body)
			}
		})
	}
	if pattern != "GET /1/accounts/{id}" {
		t.Fatalf("the mux records the pattern for the metrics: %q", pattern)
	}
	if !errors.Is(&ote, ote.Err) || ote.Err == nil {
		t.Fatalf("the panic is the problem's cause: %+v", ote)
	}
}

func TestRouterLetsAbortHandlerThrough(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	var p Problem
	rt := NewRouter(mux, recordingWriter("fallback", &p))
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Fatalf("recovered %v", v)
		}
	}()
	rt.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

func TestWriteJSONError(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteJSONError(rec, httptest.NewRequest("GET", "/.well-known/x", nil), &Problem{Kind: KindUnavailable, Message: "not yet", RetryAfter: 1500e6})
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "2" || rec.Body.String() != "{\"error\":\"not yet\"}\n" {
		t.Fatalf("%d %v %q", rec.Code, rec.Header(), rec.Body)
	}
}
