package identity

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/tessera-dev/tessera/internal/rest"
)

// apiError is an error answer: the HTTP status, the identity envelope's two texts and extra
// headers (Allow, Retry-After).
type apiError struct {
	Code   int
	Status string
	Detail string
	Header http.Header
}

func (e *apiError) Error() string { return e.Detail }

// The identity API's JSON names of the fields its errors name most.
const (
	fieldNickName = "nick_name"
	fieldEmail    = "email"
)

// statusUserExists is the status text of a nick name or e-mail another user holds.
const statusUserExists = "user exists"

// fieldStatus is the key of the status text in the answers of the identity API's writes
// ("user created"), as in its error envelope.
const fieldStatus = "status"

// envelope is the identity API's error body. Detail comes first so that the bytes are those the
// map this replaced encoded (keys in sorted order).
type envelope struct {
	Detail string `json:"error"`
	Status string `json:"status"`
}

func newErr(code int, status, detail string) *apiError {
	return &apiError{Code: code, Status: status, Detail: detail}
}

func (e *apiError) with(key, value string) *apiError {
	if e.Header == nil {
		e.Header = http.Header{}
	}
	e.Header.Set(key, value)
	return e
}

// The catalog: every error answer of the API is one of these.

func errUnsupportedVersion() *apiError {
	return newErr(http.StatusNotFound, "unsupported API version",
		"the path must start with /api/vX.Y.Z/ with X.Y.Z at least 0.1.0, e.g. /api/v0.1.0/ping")
}

func errNoRoute(path string) *apiError {
	return newErr(http.StatusNotFound, "not found", "no such endpoint: "+path)
}

func errMethodNotAllowed(method string, allow []string) *apiError {
	return newErr(http.StatusMethodNotAllowed, "method not allowed", method+" is not allowed here").
		with("Allow", strings.Join(allow, ", "))
}

func errBadRequest(detail string) *apiError {
	return newErr(http.StatusBadRequest, "bad request", detail)
}

// errField is a field that fails validation; the detail starts with the field's name.
func errField(field, format string, args ...any) *apiError {
	return newErr(http.StatusUnprocessableEntity, "validation error", field+": "+fmt.Sprintf(format, args...))
}

func errTokenRequired() *apiError {
	return newErr(http.StatusUnauthorized, "unauthorized", "an access token is required: Authorization: Bearer <access_token>")
}

func errBadAuthorization() *apiError {
	return newErr(http.StatusUnauthorized, "unauthorized", "the Authorization header must be Bearer <access_token>")
}

func errWrongCredentials() *apiError {
	return newErr(http.StatusUnauthorized, "invalid credentials", "wrong e-mail, nick name or password")
}

func errTokenExpired() *apiError {
	return newErr(http.StatusUnauthorized, "token expired", "the access token has expired")
}

func errTokenRevoked() *apiError {
	return newErr(http.StatusUnauthorized, "token revoked", "the access token was revoked")
}

func errInvalidToken(detail string) *apiError {
	return newErr(http.StatusUnauthorized, "invalid token", detail)
}

func errForbidden(detail string) *apiError {
	return newErr(http.StatusForbidden, "forbidden", detail)
}

func errRolesReserved() *apiError {
	return errForbidden(`only an administrator may grant roles other than "user"`)
}

func errNotApproved(detail string) *apiError {
	return newErr(http.StatusForbidden, "user not approved", detail)
}

func errDisabled(detail string) *apiError {
	return newErr(http.StatusForbidden, "user disabled", detail)
}

func errUserNotFound(detail string) *apiError {
	return newErr(http.StatusNotFound, "user not found", detail)
}

func errNickTaken(nick string) *apiError {
	return newErr(http.StatusConflict, statusUserExists, fieldNickName+": "+nick+" is already taken")
}

func errEmailTaken(email string) *apiError {
	return newErr(http.StatusConflict, statusUserExists, fieldEmail+": "+email+" is already registered")
}

func errConflict(detail string) *apiError {
	return newErr(http.StatusConflict, "conflict", detail)
}

func errLocked(detail string) *apiError {
	return newErr(http.StatusLocked, "locked", detail)
}

func errThrottled(after time.Duration, reason string) *apiError {
	return newErr(http.StatusTooManyRequests, "too many requests", reason).with("Retry-After", rest.RetryAfterHeader(after))
}

func errUnavailable(after time.Duration, detail string) *apiError {
	return newErr(http.StatusServiceUnavailable, "unavailable", detail).with("Retry-After", rest.RetryAfterHeader(after))
}

func errTimeout(detail string) *apiError {
	return newErr(http.StatusGatewayTimeout, "timeout", detail)
}

func errInternal() *apiError {
	return newErr(http.StatusInternalServerError, "internal error", rest.InternalMessage)
}

// writeErr is the one place errors are written. An *apiError is written as it is; any other
// error is classified (rest.Classify: verification errors, throttling, decoding, API-server
// refusals by their causes) and rendered from the table in problems.go. A 500 is logged with
// its cause and the request id, and answers nothing more than "internal server error". The
// Router calls it too (WriteError), for what identity's own routes do not take and for panics.
var writeErr = rest.NewErrorWriter(fromProblem, func(w http.ResponseWriter, e *apiError) {
	maps.Copy(w.Header(), e.Header)
	writeJSON(w, e.Code, envelope{Detail: e.Detail, Status: e.Status})
})

// WriteError is the identity API's rest.ErrorWriter, the Router's dialect under /api/v.
func WriteError(w http.ResponseWriter, r *http.Request, err error) { writeErr(w, r, err) }

func writeJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
