package luna

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHealthcheckAnswers503UntilReady(t *testing.T) {
	ready := errors.New("the root Group root is not in the tenant tree yet")
	a := &API{Ready: func(context.Context) error { return ready }}
	mux := http.NewServeMux()
	a.Register(mux)
	get := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", "/healthcheck", nil))
		return w
	}
	w := get()
	var e Error
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != http.StatusServiceUnavailable ||
		e.Code != CodeUnavailable || e.Detail != "Tessera is starting: "+ready.Error() || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("before ready: %d %s (Retry-After %q)", w.Code, w.Body, w.Header().Get("Retry-After"))
	}
	ready = nil
	if w := get(); w.Code != http.StatusOK {
		t.Fatalf("once ready: %d %s", w.Code, w.Body)
	}
}
