package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/verify"
)

// leak is text that must never reach a client: an object name and internal error text, which
// only the API server's status message and Go errors carry.
const leak = "obj-x1"

var accounts = tenancyv1alpha1.GroupVersion.WithResource("accounts").GroupResource()

// refused is an API-server error carrying Tessera's admission cause, as the webhooks build it.
func refused(err *apierrors.StatusError, cause metav1.CauseType, path, msg string) error {
	if err.ErrStatus.Details == nil {
		err.ErrStatus.Details = &metav1.StatusDetails{}
	}
	err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, metav1.StatusCause{Type: cause, Field: path, Message: msg})
	return err
}

func lockedWrite(msg string) error {
	return refused(apierrors.NewForbidden(accounts, leak, errors.New(msg)), tenancyv1alpha1.CauseLocked, "", msg)
}

// duplicate is the refusal of a value another Account holds, with both causes admission sets.
func duplicate(path, msg string) error {
	err := apierrors.NewConflict(accounts, leak, errors.New(msg))
	err.ErrStatus.Details.Causes = []metav1.StatusCause{{Type: metav1.CauseTypeFieldValueDuplicate, Field: path, Message: msg}}
	return refused(err, tenancyv1alpha1.CauseDuplicate, path, msg)
}

// decoded is what decode answers for body.
func decoded(body string) error {
	var dst registration
	return decode(httptest.NewRequest("POST", "/api/v0.1.0/user", strings.NewReader(body)), &dst)
}

func TestEveryErrorInTheIdentityEnvelope(t *testing.T) {
	locked := "Account x is frozen: Group acme is locked (audit); only an administrator at or above acme can unlock it"
	cases := []struct {
		name       string
		err        error
		code       int
		status     string // the envelope's status text
		detailHas  string
		retryAfter string // "" when there must be none
	}{
		// Verification, as package verify wraps its sentinels.
		{"wrong password", verify.ErrWrongPassword, 401, "invalid credentials", "password", ""},
		{"invalid token", fmt.Errorf("%w: bad signature", verify.ErrInvalid), 401, "invalid token", "not valid", ""},
		{"bad Authorization", rest.ErrBadAuthorization, 401, "unauthorized", "Bearer <access_token>", ""},
		{"token gone", fmt.Errorf("%w: t", verify.ErrTokenGone), 401, "token revoked", "revoked", ""},
		{"signed out", fmt.Errorf("%w: signed out", verify.ErrSessionRevoked), 401, "token revoked", "revoked", ""},
		{"expired", fmt.Errorf("%w at 2026-01-01", verify.ErrExpired), 401, "token expired", "expired", ""},
		{"user gone", fmt.Errorf("%w: id", verify.ErrAccountGone), 401, "invalid token", "no longer exists", ""},
		{"disabled", fmt.Errorf("%w: account a is disabled", verify.ErrDisabled), 403, "user disabled", "a is disabled", ""},
		{"not approved", fmt.Errorf("%w: account a is pending", verify.ErrNotApproved), 403, "user not approved", "pending", ""},
		{"locked user", fmt.Errorf("%w: Group acme is locked", verify.ErrLocked), 423, "locked", "acme", ""},
		{"keys not loaded", verify.ErrUnavailable, 503, "unavailable", "unavailable", "1"},
		{"revocation list full", verify.ErrRevocationListFull, 503, "unavailable", "try again", "60"},
		{"throttled", &rest.ThrottledError{RetryAfter: 2500 * time.Millisecond, Reason: "too many sign-ins"}, 429, "too many requests", "too many sign-ins", "3"},
		// Bodies, as decode reads them.
		{"unknown field", decoded(`{"nick_name": "a", "bogus": 1}`), 422, "validation error", "bogus: unknown field", ""},
		{"wrong type", decoded(`{"nick_name": 1}`), 422, "validation error", "nick_name: wrong type", ""},
		{"not JSON", decoded(`nick_name=x`), 400, "bad request", "not valid JSON", ""},
		{"no body", decoded(``), 400, "bad request", "JSON body", ""},
		{"bad text", decoded("{\"nick_name\": \"\xff\"}"), 400, "bad request", "nick_name: ", ""},
		// Admission refusals, by their causes, also joined to people's sentinels.
		{"locked write", lockedWrite(locked), 423, "locked", "Group acme is locked", ""},
		{"locked write, joined", people.ClassifyWrite(lockedWrite(locked)), 423, "locked", "Group acme is locked", ""},
		{"nick name taken", duplicate("spec.login", `spec.login: login "a" is already taken`), 409, "user exists", "nick_name", ""},
		{"nick name taken, joined", people.ClassifyWrite(duplicate("spec.login", `spec.login: login "a" is already taken`)),
			409, "user exists", "nick_name", ""},
		{"e-mail taken", duplicate(emailField, `spec.profile.email: e-mail "a@b.org" is already taken`), 409, "user exists", "email", ""},
		{"tree rule on a field", refused(apierrors.NewInvalid(tenancyv1alpha1.GroupVersion.WithKind("Account").GroupKind(), leak,
			field.ErrorList{field.NotSupported(field.NewPath("spec", "login"), "x", []string{"y"})}),
			tenancyv1alpha1.CauseTreeRule, "spec.login", "Unsupported value: x"), 422, "validation error", "nick_name: Unsupported value", ""},
		{"tree rule", refused(apierrors.NewForbidden(accounts, leak, errors.New("child Groups")),
			tenancyv1alpha1.CauseTreeRule, "", "Group acme still has child Groups"), 403, "forbidden", "child Groups", ""},
		// The API server's own refusals.
		{"concurrent change", apierrors.NewConflict(accounts, leak, errors.New("modified "+leak)), 409, "conflict", "retry", ""},
		{"API server busy", apierrors.NewTooManyRequests("slow down "+leak, 5), 503, "unavailable", "busy", "5"},
		{"API server timeout", apierrors.NewTimeoutError("took "+leak, 1), 504, "timeout", "in time", ""},
		{"deadline", fmt.Errorf("waiting: %w", context.DeadlineExceeded), 504, "timeout", "timed out", ""},
		// The shared router's problems, and the API's own answers.
		{"no route", &rest.Problem{Kind: rest.KindNotFound, Message: "no such endpoint: /api/vx"}, 404, "not found", "/api/vx", ""},
		{"own answer", errField("email", "is not an e-mail address"), 422, "validation error", "email: is not", ""},
		// Internal errors are logged, never echoed.
		{"internal", fmt.Errorf("etcd said %s", leak), 500, "internal error", rest.InternalMessage, ""},
		{"panic", &rest.Problem{Kind: rest.KindInternal, Message: rest.InternalMessage, Err: errors.New("panic: " + leak)},
			500, "internal error", rest.InternalMessage, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logged strings.Builder
			rec := writeThrough(tc.err, &logged)
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body) != 2 || body["error"] == "" {
				t.Fatalf("not the envelope {status, error}: %q", rec.Body)
			}
			if rec.Code != tc.code || body["status"] != tc.status || !strings.Contains(body["error"], tc.detailHas) {
				t.Fatalf("%d %v, want %d {status: %q, error: …%q…}", rec.Code, body, tc.code, tc.status, tc.detailHas)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
			if got := rec.Header().Get("Retry-After"); got != tc.retryAfter {
				t.Fatalf("Retry-After %q, want %q", got, tc.retryAfter)
			}
			if strings.Contains(rec.Body.String(), leak) || strings.Contains(rec.Body.String(), "admission webhook") {
				t.Fatalf("internal text reached the client: %s", rec.Body)
			}
			if internal := tc.code == 500; internal != strings.Contains(logged.String(), leak) ||
				internal && !strings.Contains(logged.String(), requestID) {
				t.Fatalf("a 500, and only a 500, is logged with its cause and the request id: %q", logged.String())
			}
		})
	}
}

func TestWrongMethodNamesTheAllowedOnes(t *testing.T) {
	var logged strings.Builder
	rec := writeThrough(&rest.Problem{Kind: rest.KindMethodNotAllowed, Message: "method PUT", Allow: []string{"GET", "HEAD"}}, &logged)
	if rec.Code != 405 || rec.Header().Get("Allow") != "GET, HEAD" || !strings.Contains(rec.Body.String(), `"status":"method not allowed"`) {
		t.Fatalf("%d %q (Allow %q)", rec.Code, rec.Body, rec.Header().Get("Allow"))
	}
}

const requestID = "1536751345,8b8b5937-2e9c-4e8b-a7a7-5caf86621b5a"

// writeThrough writes err with WriteError, the writer of every identity answer, for a request with
// a request id and a logger that records into log.
func writeThrough(err error, log *strings.Builder) *httptest.ResponseRecorder {
	logger := funcr.New(func(_, args string) { log.WriteString(args + "\n") }, funcr.Options{})
	req := httptest.NewRequest("GET", "/api/v0.1.0/users", nil)
	req.Header.Set(rest.RequestIDHeader, requestID)
	req = req.WithContext(logf.IntoContext(req.Context(), logger))
	rec := httptest.NewRecorder()
	rest.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { WriteError(w, r, err) })).ServeHTTP(rec, req)
	return rec
}
