package ote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"time"

	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/verify"
)

// The fields of ote-stack's envelope: every answer has code and message, a 200 its data.
const (
	fieldCode    = "code"
	fieldMessage = "message"
	fieldData    = "data"
	// messageSuccess is the message of a 200.
	messageSuccess = "success"
)

// flagSet is the value of a flag annotation that is set (AnnotationIsAdmin, the business
// flags); any other value, or none, is unset.
const flagSet = "true"

// apiError is an answer other than 200: {code, message} with code the HTTP status.
type apiError struct {
	Status     int
	Message    string
	RetryAfter time.Duration
}

func (e *apiError) Error() string { return e.Message }

// The catalog.

func errStatus(status int, format string, args ...any) *apiError {
	return &apiError{Status: status, Message: fmt.Sprintf(format, args...)}
}

// errParam is 422 for a request parameter, as the document answers a failed validation.
func errParam(name, format string, args ...any) *apiError {
	return errStatus(http.StatusUnprocessableEntity, "parameter '%s': "+format, append([]any{name}, args...)...)
}

func errForbidden(format string, args ...any) *apiError {
	return errStatus(http.StatusForbidden, format, args...)
}

func errNotFound(format string, args ...any) *apiError {
	return errStatus(http.StatusNotFound, format, args...)
}

func errConflict(format string, args ...any) *apiError {
	return errStatus(http.StatusConflict, format, args...)
}

func errUnauthorized(message string) *apiError {
	return errStatus(http.StatusUnauthorized, "%s", message)
}

func errUnavailable(message string, retryAfter time.Duration) *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Message: message, RetryAfter: retryAfter}
}

// writeErr is the one place errors are written; errors other than *apiError are mapped by
// fromError.
func writeErr(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = fromError(err)
	}
	if ae.RetryAfter > 0 {
		w.Header().Set("Retry-After", rest.RetryAfterHeader(ae.RetryAfter))
	}
	writeJSON(w, ae.Status, map[string]any{fieldCode: ae.Status, fieldMessage: ae.Message})
}

// Fallback answers status in ote-stack's envelope for what no handler took: a path without a
// route (404), a method the path does not have (405; the caller sets Allow).
func Fallback(w http.ResponseWriter, r *http.Request, status int) {
	msg := http.StatusText(status)
	switch status {
	case http.StatusNotFound:
		msg = "no such endpoint: " + r.URL.Path
	case http.StatusMethodNotAllowed:
		msg = fmt.Sprintf("%s %s is not supported (allowed: %s)", r.Method, r.URL.Path, w.Header().Get("Allow"))
	}
	writeErr(w, errStatus(status, "%s", msg))
}

// fromError maps the shared errors (verification, throttling, admission, the cache) to
// ote-stack answers.
func fromError(err error) *apiError {
	var th *rest.ThrottledError
	switch {
	case errors.As(err, &th):
		return &apiError{Status: http.StatusTooManyRequests, Message: th.Reason, RetryAfter: th.RetryAfter}
	case errors.Is(err, verify.ErrWrongPassword):
		return errUnauthorized("wrong user name or password")
	case errors.Is(err, verify.ErrNotApproved):
		return errForbidden("the account is not approved: %s", err.Error())
	case errors.Is(err, verify.ErrDisabled):
		return errForbidden("%s", err.Error())
	case errors.Is(err, verify.ErrLocked), errors.Is(err, people.ErrGroupLocked), people.IsLocked(err):
		return errStatus(http.StatusLocked, "%s", err.Error())
	case errors.Is(err, verify.ErrExpired):
		return errUnauthorized("the token has expired")
	case errors.Is(err, verify.ErrSessionRevoked):
		return errUnauthorized("the token was revoked (logged out)")
	case errors.Is(err, verify.ErrAccountGone):
		return errUnauthorized("the token's user no longer exists")
	case errors.Is(err, verify.ErrInvalid):
		return errUnauthorized("invalid token")
	case errors.Is(err, verify.ErrUnavailable):
		return errUnavailable(err.Error(), time.Second)
	case errors.Is(err, verify.ErrRevocationListFull):
		return errUnavailable(err.Error(), time.Minute)
	case errors.Is(err, credential.ErrNotVisible):
		return errUnavailable("the change was made but this server does not show it yet; retry in a moment", time.Second)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return errUnavailable("the request timed out", 0)
	}
	return errStatus(http.StatusInternalServerError, "unexpected internal error: %s", err.Error())
}

// decode reads the JSON body strictly into dst. The body is JSON whatever the Content-Type
// says (clients such as curl -d send form types); errors name the parameter.
func decode(r *http.Request, dst any) error {
	r.Header.Set("Content-Type", "application/json")
	err := rest.DecodeJSON(r, dst)
	var de *rest.DecodeError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, rest.ErrEmptyBody):
		return errParamless("the request needs a JSON body")
	case errors.Is(err, rest.ErrBadText) && errors.As(err, &de):
		return errStatus(http.StatusBadRequest, "parameter '%s': %s", de.Path, de.Message)
	case errors.As(err, &de) && de.Path != "":
		if de.Message == "extra fields not permitted" {
			return errParam(de.Path, "unknown parameter")
		}
		return errParam(de.Path, "wrong type")
	case errors.As(err, &de):
		return errParamless("the body is not valid JSON: %s", de.Message)
	}
	return errParamless("%s", err.Error())
}

// errParamless is 422 for a body that names no parameter.
func errParamless(format string, args ...any) *apiError {
	return errStatus(http.StatusUnprocessableEntity, format, args...)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// ok answers 200 with the document's success envelope and extra fields.
func ok(w http.ResponseWriter, extra map[string]any) {
	body := map[string]any{fieldCode: 200, fieldMessage: messageSuccess}
	maps.Copy(body, extra)
	writeJSON(w, http.StatusOK, body)
}
