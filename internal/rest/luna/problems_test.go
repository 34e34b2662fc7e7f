package luna

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
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/verify"
)

// leak is text that must never reach a client: object names and the webhook's words, which
// only the API server's status message carries, and internal error text.
const leak = "obj-x1"

// refusal is an admission refusal as the API server hands it back: the webhook's Status with
// the API server's prefix on its message.
func refusal(code int32, reason metav1.StatusReason, causes ...metav1.StatusCause) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: code, Reason: reason,
		Message: `admission webhook "vaccount.tessera.dev" denied the request: accounts.tenancy.tessera.dev "` + leak + `" is refused`,
		Details: &metav1.StatusDetails{Name: leak, Causes: causes}}}
}

func cause(t metav1.CauseType, field, msg string) metav1.StatusCause {
	return metav1.StatusCause{Type: t, Field: field, Message: msg}
}

// stubDialect is an API in the shape ote-stack and identity use: {code, message} with the
// kind's plain status, built with rest.NewErrorWriter.
type stubError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *stubError) Error() string { return e.Message }

var stubWriter = rest.NewErrorWriter(func(p *rest.Problem) *stubError {
	return &stubError{Code: p.Status(), Message: p.Message}
}, func(w http.ResponseWriter, e *stubError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Code)
	_ = json.NewEncoder(w).Encode(e)
})

// TestEveryErrorReachesEveryDialect drives each verification error, admission refusal and
// shared-server problem through the classifier, Luna's writer and a stub dialect.
func TestEveryErrorReachesEveryDialect(t *testing.T) {
	locked := "Account x is frozen: Group acme is locked (audit); only an administrator at or above acme can unlock it"
	cases := []struct {
		name      string
		err       error
		kind      rest.Kind
		status    int // Luna's
		code      int
		plain     int    // the stub's, the kind's plain status
		header    string // "Name: value" Luna must send
		detailHas string
	}{
		// Verification, as package verify wraps its sentinels.
		{"wrong password", verify.ErrWrongPassword, rest.KindWrongCredentials, 401, CodeWrongCredentials, 401, "Www-Authenticate: Basic realm=\"tessera\"", ""},
		{"invalid token", fmt.Errorf("%w: bad signature", verify.ErrInvalid), rest.KindInvalidCredentials, 401, CodeInvalidCredentials, 401, "", "bad signature"},
		{"bad Authorization", rest.ErrBadAuthorization, rest.KindInvalidCredentials, 401, CodeInvalidCredentials, 401, "", "Basic"},
		{"token revoked", fmt.Errorf("%w: token t was revoked", verify.ErrTokenGone), rest.KindRevoked, 401, CodeTokenGone, 401, "", ""},
		{"session signed out", fmt.Errorf("%w: signed out", verify.ErrSessionRevoked), rest.KindRevoked, 401, CodeTokenGone, 401, "", ""},
		{"expired", fmt.Errorf("%w at 2026-01-01", verify.ErrExpired), rest.KindExpired, 401, CodeTokenExpired, 401, "", ""},
		{"account gone", fmt.Errorf("%w: id", verify.ErrAccountGone), rest.KindAccountGone, 401, CodeInvalidCredentials, 401, "", "no longer exists"},
		{"disabled", fmt.Errorf("%w: account a is disabled", verify.ErrDisabled), rest.KindDisabled, 403, CodeDisabled, 403, "", "disabled"},
		{"not approved", fmt.Errorf("%w: account a is pending", verify.ErrNotApproved), rest.KindNotApproved, 403, CodeNotApproved, 403, "", "pending"},
		{"locked account", fmt.Errorf("%w: Group acme is locked", verify.ErrLocked), rest.KindLocked, 403, CodeLocked, 423, "", "acme"},
		{"keys not loaded", verify.ErrUnavailable, rest.KindUnavailable, 503, CodeUnavailable, 503, "Retry-After: 1", ""},
		{"revocation list full", verify.ErrRevocationListFull, rest.KindUnavailable, 503, CodeUnavailable, 503, "Retry-After: 60", ""},
		{"throttled", &rest.ThrottledError{RetryAfter: 2500 * time.Millisecond, Reason: "too many"}, rest.KindThrottled, 429, CodeThrottled, 429, "Retry-After: 3", "too many"},
		// Bodies.
		{"not JSON", rest.ErrNotJSON, rest.KindUnsupportedMedia, 415, CodeUnsupportedMedia, 415, "", ""},
		{"no body", rest.ErrEmptyBody, rest.KindNoBody, 400, CodeNoJSON, 400, "", ""},
		{"bad JSON", &rest.DecodeError{Path: "login", Message: "unexpected value"}, rest.KindInvalid, 400, CodeBadJSON, 400, "", "Path: 'login'"},
		// Admission refusals, by their causes.
		{"locked write", refusal(403, metav1.StatusReasonForbidden, cause(tenancyv1alpha1.CauseLocked, "", locked)),
			rest.KindLocked, 403, CodeLocked, 423, "", "Group acme is locked"},
		{"login taken", refusal(409, metav1.StatusReasonConflict,
			cause(metav1.CauseTypeFieldValueDuplicate, "spec.login", "spec.login: login \"a\" is already taken"),
			cause(tenancyv1alpha1.CauseDuplicate, "spec.login", "spec.login: login \"a\" is already taken")),
			rest.KindConflict, 409, CodeConflict, 409, "", "already taken"},
		{"display name taken", refusal(422, metav1.StatusReasonInvalid,
			cause(metav1.CauseTypeFieldValueDuplicate, "spec.displayName", "Duplicate value: \"Acme\""),
			cause(tenancyv1alpha1.CauseDuplicate, "spec.displayName", "Duplicate value: \"Acme\"")),
			rest.KindConflict, 409, CodeConflict, 409, "", "Acme"},
		{"tree rule", refusal(422, metav1.StatusReasonInvalid,
			cause(metav1.CauseTypeFieldValueNotSupported, "spec.kind", "Unsupported value: 10"),
			cause(tenancyv1alpha1.CauseTreeRule, "spec.kind", "Unsupported value: 10")),
			rest.KindInvalid, 400, CodeBadJSON, 400, "", "Unsupported value"},
		{"parent missing", refusal(422, metav1.StatusReasonInvalid,
			cause(metav1.CauseTypeFieldValueNotFound, "spec.parent", "Not found: \"nowhere\""),
			cause(tenancyv1alpha1.CauseParentMissing, "spec.parent", "Not found: \"nowhere\"")),
			rest.KindInvalid, 400, CodeBadJSON, 400, "", "nowhere"},
		{"delete with children", refusal(403, metav1.StatusReasonForbidden,
			cause(tenancyv1alpha1.CauseTreeRule, "", "Group acme still has child Groups (dept)")),
			rest.KindForbidden, 403, CodeForbidden, 403, "", "child Groups"},
		{"not in a Group", refusal(403, metav1.StatusReasonForbidden,
			cause(tenancyv1alpha1.CauseNotInGroup, "", "namespace default belongs to no Tessera Group")),
			rest.KindForbidden, 403, CodeForbidden, 403, "", "no Tessera Group"},
		// The API server's own refusals.
		{"schema", refusal(422, metav1.StatusReasonInvalid, cause(metav1.CauseTypeFieldValueInvalid, "spec.login", "Invalid value: \"x\": spec.login in body should match")),
			rest.KindInvalid, 400, CodeBadJSON, 400, "", "Path: 'login'"},
		{"concurrent change", refusal(409, metav1.StatusReasonConflict), rest.KindConflict, 409, CodeConflict, 409, "", "retry"},
		{"RBAC", refusal(403, metav1.StatusReasonForbidden), rest.KindForbidden, 403, CodeForbidden, 403, "", "refused"},
		{"object gone", apierrors.NewNotFound(tenancyv1alpha1.GroupVersion.WithResource("accounts").GroupResource(), leak),
			rest.KindNotFound, 404, CodeNoRoute, 404, "", ""},
		{"API server busy", apierrors.NewTooManyRequests("slow down "+leak, 5), rest.KindUnavailable, 503, CodeUnavailable, 503, "Retry-After: 5", ""},
		{"API server timeout", apierrors.NewTimeoutError("took "+leak, 1), rest.KindTimeout, 504, CodeTimeout, 504, "", ""},
		{"deadline", fmt.Errorf("waiting: %w", context.DeadlineExceeded), rest.KindTimeout, 504, CodeTimeout, 504, "", ""},
		// The shared router's problems.
		{"no route", &rest.Problem{Kind: rest.KindNotFound, Message: "no such endpoint: /1/x"}, rest.KindNotFound, 404, CodeNoRoute, 404, "", "/1/x"},
		{"wrong method", &rest.Problem{Kind: rest.KindMethodNotAllowed, Message: "method PUT", Allow: []string{"GET", "HEAD"}},
			rest.KindMethodNotAllowed, 405, CodeMethodNotAllowed, 405, "Allow: GET, HEAD", "PUT"},
		// Internal errors are logged, never echoed.
		{"internal", fmt.Errorf("etcd said %s", leak), rest.KindInternal, 500, CodeInternal, 500, "", rest.InternalMessage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := rest.Classify(tc.err)
			if p.Kind != tc.kind || p.Status() != tc.plain {
				t.Fatalf("Classify: kind %s (status %d), want %s (%d)", p.Kind, p.Status(), tc.kind, tc.plain)
			}
			var logged strings.Builder
			rec := serve(WriteError, tc.err, &logged)
			var body Error
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("Luna: not the envelope: %q", rec.Body)
			}
			if rec.Code != tc.status || body.Code != tc.code || body.Desc == "" || body.Link == "" {
				t.Fatalf("Luna: %d %+v, want %d code %d", rec.Code, body, tc.status, tc.code)
			}
			if !strings.Contains(body.Detail, tc.detailHas) {
				t.Fatalf("Luna: detail %q, want it to say %q", body.Detail, tc.detailHas)
			}
			if h, v, ok := strings.Cut(tc.header, ": "); ok && rec.Header().Get(h) != v {
				t.Fatalf("Luna: %s %q, want %q", h, rec.Header().Get(h), v)
			}
			if strings.Contains(rec.Body.String(), leak) || strings.Contains(rec.Body.String(), "admission webhook") {
				t.Fatalf("Luna: internal text reached the client: %s", rec.Body)
			}
			if internal := tc.kind == rest.KindInternal; internal != strings.Contains(logged.String(), leak) ||
				internal && !strings.Contains(logged.String(), requestID) {
				t.Fatalf("Luna: a 500, and only a 500, is logged with its cause and the request id: %q", logged.String())
			}

			stub := serve(stubWriter, tc.err, &logged)
			var sb stubError
			if err := json.Unmarshal(stub.Body.Bytes(), &sb); err != nil || stub.Code != tc.plain || sb.Code != tc.plain {
				t.Fatalf("stub: %d %q, want %d", stub.Code, stub.Body, tc.plain)
			}
			if strings.Contains(stub.Body.String(), leak) {
				t.Fatalf("stub: internal text reached the client: %s", stub.Body)
			}
			if p.RetryAfter > 0 && stub.Header().Get("Retry-After") == "" || len(p.Allow) > 0 && stub.Header().Get("Allow") == "" {
				t.Fatalf("stub: the problem's headers are set for every dialect: %v", stub.Header())
			}
		})
	}
}

const requestID = "1536751345,8b8b5937-2e9c-4e8b-a7a7-5caf86621b5a"

// serve writes err through write for a request with a request id and a logger that records
// into log.
func serve(write rest.ErrorWriter, err error, log *strings.Builder) *httptest.ResponseRecorder {
	logger := funcr.New(func(prefix, args string) { log.WriteString(args + "\n") }, funcr.Options{})
	req := httptest.NewRequest("GET", "/1/accounts", nil)
	req.Header.Set(rest.RequestIDHeader, requestID)
	req = req.WithContext(logf.IntoContext(req.Context(), logger))
	rec := httptest.NewRecorder()
	rest.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { write(w, r, err) })).ServeHTTP(rec, req)
	return rec
}

// TestJoinedRefusalsAreClassifiedByTheirCause: rest.ClassifyWrite and the like join sentinels
// to the API server's error; the cause inside still decides.
func TestJoinedRefusalsAreClassifiedByTheirCause(t *testing.T) {
	err := errors.Join(errors.New("wrapped"), refusal(403, metav1.StatusReasonForbidden,
		cause(tenancyv1alpha1.CauseLocked, "", "Group acme is locked")))
	if p := rest.Classify(err); p.Kind != rest.KindLocked || p.Message != "Group acme is locked" {
		t.Fatalf("a joined refusal is classified by its cause: %+v", p)
	}
}
