package ote

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"time"

	"github.com/tessera-dev/tessera/internal/rest"
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

// writeErr is the one place errors are written. An *apiError is written as it is; any other
// error is classified (rest.Classify: verification errors, throttling, decoding, API-server
// refusals by their causes) and rendered from the table in problems.go. A 500 is logged with
// its cause and the request id, and answers nothing more than "internal server error".
var writeErr = rest.NewErrorWriter(fromProblem, func(w http.ResponseWriter, e *apiError) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", rest.RetryAfterHeader(e.RetryAfter))
	}
	writeJSON(w, e.Status, map[string]any{fieldCode: e.Status, fieldMessage: e.Message})
})

// WriteError is ote-stack's rest.ErrorWriter, which the shared router calls under /v1/ (for a
// panic: the API answers its own unrouted paths and wrong methods).
func WriteError(w http.ResponseWriter, r *http.Request, err error) { writeErr(w, r, err) }

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
	writeErr(w, r, errStatus(status, "%s", msg))
}

// decode reads the JSON body strictly into dst. The body is JSON whatever the Content-Type
// says (clients such as curl -d send form types); the writer names the parameter of an error
// (problems.go).
func decode(r *http.Request, dst any) error {
	r.Header.Set("Content-Type", "application/json")
	return rest.DecodeJSON(r, dst)
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
