package ote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/verify"
)

// secret is text only the server may know: object names and the webhook's words, which only
// the API server's status message carries, and internal error text.
const secret = "obj-q7"

var (
	accounts = tenancyv1alpha1.GroupVersion.WithResource("accounts").GroupResource()
	groups   = tenancyv1alpha1.GroupVersion.WithKind("Group").GroupKind()
)

// withCauses adds causes to an API server's refusal, as Tessera's webhooks do (webhook/causes.go).
func withCauses(err *apierrors.StatusError, causes ...metav1.StatusCause) error {
	if err.ErrStatus.Details == nil {
		err.ErrStatus.Details = &metav1.StatusDetails{}
	}
	err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, causes...)
	return err
}

func webhookSaid() error {
	return errors.New(`admission webhook "vaccount.tessera.dev" denied the request: ` + secret)
}

// TestErrorsInOTEStacksEnvelope drives every verification error, the shared server's
// problems, decoding errors and admission refusals through ote-stack's writer.
func TestErrorsInOTEStacksEnvelope(t *testing.T) {
	locked := "Account x is frozen: Group acme is locked (audit)"
	taken := `spec.login: login "ann" is already taken`
	cases := []struct {
		name       string
		err        error
		status     int
		says       string // a part of the message
		retryAfter string
		allow      string
	}{
		// Verification, as package verify wraps its sentinels.
		{"wrong password", verify.ErrWrongPassword, 401, "wrong user name or password", "", ""},
		{"invalid token", fmt.Errorf("%w: bad signature", verify.ErrInvalid), 401, "invalid token", "", ""},
		{"bad Authorization", rest.ErrBadAuthorization, 401, "raw or Bearer", "", ""},
		{"Luna token gone", fmt.Errorf("%w: t", verify.ErrTokenGone), 401, "revoked", "", ""},
		{"signed out", fmt.Errorf("%w: jti", verify.ErrSessionRevoked), 401, "revoked", "", ""},
		{"expired", fmt.Errorf("%w at 2026-01-01", verify.ErrExpired), 401, "expired", "", ""},
		{"account gone", fmt.Errorf("%w: id", verify.ErrAccountGone), 401, "no longer exists", "", ""},
		{"disabled", fmt.Errorf("%w: account ann is disabled", verify.ErrDisabled), 403, "disabled", "", ""},
		{"not approved", fmt.Errorf("%w: account ann is pending", verify.ErrNotApproved), 403, "pending", "", ""},
		{"locked account", fmt.Errorf("%w: Group acme is locked", verify.ErrLocked), 423, "acme", "", ""},
		{"keys not loaded", verify.ErrUnavailable, 503, "unavailable", "1", ""},
		{"revocation list full", verify.ErrRevocationListFull, 503, "try again later", "60", ""},
		{"throttled", &rest.ThrottledError{RetryAfter: 2500 * time.Millisecond, Reason: "too many sign-ins"}, 429, "too many", "3", ""},
		// Bodies.
		{"no body", rest.ErrEmptyBody, 422, "JSON body", "", ""},
		{"unknown field", &rest.DecodeError{Path: "extra", Message: rest.ErrUnknownField.Error(), Err: rest.ErrUnknownField},
			422, "parameter 'extra': unknown parameter", "", ""},
		{"wrong type", &rest.DecodeError{Path: "isAdmin", Message: "unexpected value"}, 422, "parameter 'isAdmin': wrong type", "", ""},
		{"not UTF-8", &rest.DecodeError{Path: "realName", Message: "string is not valid UTF-8", Err: rest.ErrBadText},
			400, "parameter 'realName'", "", ""},
		{"malformed", &rest.DecodeError{Message: "malformed JSON at offset 3"}, 422, "not valid JSON", "", ""},
		// Admission refusals, by their causes.
		{"locked write", withCauses(apierrors.NewForbidden(accounts, secret, webhookSaid()),
			metav1.StatusCause{Type: tenancyv1alpha1.CauseLocked, Message: locked}), 423, "Group acme is locked", "", ""},
		{"locked write, as people joins it", people.ClassifyWrite(withCauses(apierrors.NewForbidden(accounts, secret, webhookSaid()),
			metav1.StatusCause{Type: tenancyv1alpha1.CauseLocked, Message: locked})), 423, "Group acme is locked", "", ""},
		{"login taken", withCauses(apierrors.NewConflict(accounts, secret, webhookSaid()),
			metav1.StatusCause{Type: metav1.CauseTypeFieldValueDuplicate, Field: "spec.login", Message: taken},
			metav1.StatusCause{Type: tenancyv1alpha1.CauseDuplicate, Field: "spec.login", Message: taken}), 409, "already taken", "", ""},
		{"tree rule on a field", withCauses(apierrors.NewInvalid(groups, secret, field.ErrorList{
			field.NotSupported(field.NewPath("spec", "kind"), 10, []string{"2"})}),
			metav1.StatusCause{Type: tenancyv1alpha1.CauseTreeRule, Field: "spec.kind", Message: "Unsupported value: 10"}),
			422, "Unsupported value", "", ""},
		{"tree rule on a delete", withCauses(apierrors.NewForbidden(accounts, secret, webhookSaid()),
			metav1.StatusCause{Type: tenancyv1alpha1.CauseTreeRule, Message: "Group acme still has child Groups (dept)"}),
			403, "child Groups", "", ""},
		{"schema, on a parameter", apierrors.NewInvalid(groups, secret, field.ErrorList{
			field.TooLong(field.NewPath("spec", "displayName"), "x", 128)}), 422, "parameter 'name'", "", ""},
		// The API server's and the cache's own.
		{"concurrent change", apierrors.NewConflict(accounts, secret, errors.New(secret)), 409, "retry", "", ""},
		{"API server busy", apierrors.NewTooManyRequests("slow down "+secret, 5), 503, "busy", "5", ""},
		{"API server timeout", apierrors.NewTimeoutError("took "+secret, 1), 503, "in time", "1", ""},
		{"deadline", fmt.Errorf("waiting: %w", context.DeadlineExceeded), 503, "timed out", "1", ""},
		{"written, not yet shown", fmt.Errorf("Secret %s: %w", secret, credential.ErrNotVisible), 503, "retry", "1", ""},
		// The shared router's problems.
		{"no route", &rest.Problem{Kind: rest.KindNotFound, Message: "no such endpoint: /v1/x"}, 404, "/v1/x", "", ""},
		{"wrong method", &rest.Problem{Kind: rest.KindMethodNotAllowed, Message: "method PATCH", Allow: []string{"DELETE", "PUT"}},
			405, "PATCH", "", "DELETE, PUT"},
		// Internal errors are logged, never echoed.
		{"internal", fmt.Errorf("etcd said %s", secret), 500, rest.InternalMessage, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logged strings.Builder
			rec := serve(tc.err, &logged)
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("not JSON: %q", rec.Body)
			}
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range body {
					yield(k)
				}
			})
			if !slices.Equal(keys, []string{fieldCode, fieldMessage}) {
				t.Fatalf("the envelope is {code, message}: %s", rec.Body)
			}
			msg, _ := body[fieldMessage].(string)
			if rec.Code != tc.status || body[fieldCode] != float64(tc.status) || !strings.Contains(msg, tc.says) {
				t.Fatalf("%d %s; want %d with a message saying %q", rec.Code, rec.Body, tc.status, tc.says)
			}
			if got := rec.Header().Get("Retry-After"); got != tc.retryAfter {
				t.Fatalf("Retry-After %q; want %q", got, tc.retryAfter)
			}
			if got := rec.Header().Get("Allow"); got != tc.allow {
				t.Fatalf("Allow %q; want %q", got, tc.allow)
			}
			if strings.Contains(rec.Body.String(), secret) || strings.Contains(rec.Body.String(), "admission webhook") {
				t.Fatalf("internal text reached the client: %s", rec.Body)
			}
			if internal := tc.status == 500; internal != strings.Contains(logged.String(), secret) ||
				internal && !strings.Contains(logged.String(), requestID) {
				t.Fatalf("a 500, and only a 500, is logged with its cause and the request id: %q", logged.String())
			}
		})
	}
}

const requestID = "1536751345,0f6c3a52-4a4e-4c5e-9f3b-1d2e3f4a5b6c"

// serve writes err through WriteError for a request with a request id, logging into log.
func serve(err error, log *strings.Builder) *httptest.ResponseRecorder {
	logger := funcr.New(func(_, args string) { log.WriteString(args + "\n") }, funcr.Options{})
	req := httptest.NewRequest("GET", "/v1/authorization", nil)
	req.Header.Set(rest.RequestIDHeader, requestID)
	req = req.WithContext(logf.IntoContext(req.Context(), logger))
	rec := httptest.NewRecorder()
	rest.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { WriteError(w, r, err) })).ServeHTTP(rec, req)
	return rec
}
