package identity

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/verify"
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
	return newErr(http.StatusConflict, "user exists", "nick_name: "+nick+" is already taken")
}

func errEmailTaken(email string) *apiError {
	return newErr(http.StatusConflict, "user exists", "email: "+email+" is already registered")
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

func errInternal(err error) *apiError {
	return newErr(http.StatusInternalServerError, "internal error", err.Error())
}

// writeErr is the one place errors are written.
func writeErr(w http.ResponseWriter, err error) {
	ae := classify(err)
	maps.Copy(w.Header(), ae.Header)
	writeJSON(w, ae.Code, envelope{Detail: ae.Detail, Status: ae.Status})
}

func writeJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// classify maps any error to the catalog: the shared layers' typed errors (verify, rest, the
// API server's statuses), and 500 for the rest.
func classify(err error) *apiError {
	if ae, ok := errors.AsType[*apiError](err); ok {
		return ae
	}
	// Admission refusals become people.ErrLoginTaken and people.ErrGroupLocked here, once.
	err = people.ClassifyWrite(err)
	var th *rest.ThrottledError
	switch {
	case errors.As(err, &th):
		return errThrottled(th.RetryAfter, th.Reason)
	case errors.Is(err, verify.ErrWrongPassword):
		return errWrongCredentials()
	case errors.Is(err, verify.ErrNotApproved):
		return errNotApproved(err.Error())
	case errors.Is(err, verify.ErrDisabled):
		return errDisabled(err.Error())
	case errors.Is(err, verify.ErrLocked), errors.Is(err, people.ErrGroupLocked):
		return errLocked(message(err))
	case errors.Is(err, verify.ErrExpired):
		return errTokenExpired()
	case errors.Is(err, verify.ErrSessionRevoked):
		return errTokenRevoked()
	case errors.Is(err, verify.ErrAccountGone):
		return errInvalidToken("the token's user no longer exists")
	case errors.Is(err, verify.ErrInvalid):
		return errInvalidToken("the access token is not valid")
	case errors.Is(err, verify.ErrUnavailable):
		return errUnavailable(time.Second, err.Error())
	case errors.Is(err, verify.ErrRevocationListFull):
		return errUnavailable(time.Minute, err.Error())
	case errors.Is(err, people.ErrLoginTaken):
		return newErr(http.StatusConflict, "user exists", message(err))
	}
	return apiServerErr(err)
}

// apiServerErr maps the API server's refusals that nothing above claimed.
func apiServerErr(err error) *apiError {
	switch {
	case apierrors.IsForbidden(err):
		return errForbidden(message(err))
	case apierrors.IsInvalid(err):
		return newErr(http.StatusUnprocessableEntity, "validation error", message(err))
	case apierrors.IsNotFound(err):
		return errUserNotFound(message(err))
	case apierrors.IsConflict(err), apierrors.IsAlreadyExists(err):
		return errConflict(message(err))
	case apierrors.IsTimeout(err), apierrors.IsServerTimeout(err):
		return errTimeout(message(err))
	case apierrors.IsServiceUnavailable(err), apierrors.IsTooManyRequests(err):
		return errUnavailable(time.Second, message(err))
	}
	return errInternal(err)
}

// message is what err says to a client: the API server's own message when it answered (not
// the joined sentinels ClassifyWrite adds), else err's text.
func message(err error) string {
	var st apierrors.APIStatus
	if errors.As(err, &st) {
		return st.Status().Message
	}
	return err.Error()
}

// decodeErr maps the errors of rest.DecodeJSON: a body that is not JSON is a 400, a field of
// the wrong type or unknown a 422 naming it.
func decodeErr(err error) *apiError {
	var de *rest.DecodeError
	switch {
	case errors.Is(err, rest.ErrEmptyBody):
		return errBadRequest("the request needs a JSON body")
	case errors.Is(err, rest.ErrNotJSON):
		return errBadRequest("the body must be JSON")
	case errors.Is(err, rest.ErrBadText) && errors.As(err, &de):
		return errBadRequest(de.Path + ": " + de.Message)
	case errors.As(err, &de) && de.Path != "":
		if de.Message == "extra fields not permitted" {
			return errField(de.Path, "unknown field")
		}
		return errField(de.Path, "wrong type")
	case errors.As(err, &de):
		return errBadRequest("the body is not valid JSON: " + de.Message)
	}
	return errBadRequest(err.Error())
}
