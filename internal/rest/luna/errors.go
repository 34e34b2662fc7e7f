package luna

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"time"

	"github.com/tessera-dev/tessera/internal/rest"
)

// Luna's documented error codes (seeds 000 and 001) and Tessera's own, for what the seeds leave
// out. Tessera's own codes are 90001–90099; the OpenAPI document lists them.
const (
	CodeInternal           = 1
	CodeTimeout            = 9
	CodeBadQuery           = 12012
	CodeNoJSON             = 12002
	CodeBadJSON            = 12022
	CodeUnsupportedMedia   = 12024
	CodeAccountIDMissing   = 11066
	CodeAccountIDNotUUID   = 11037
	CodeAccountNotFound    = 28001
	CodeLoginExists        = 41001
	CodeAccountIDExists    = 41002
	CodeTokenNotFound      = 41003
	CodeAdminTypeFixed     = 41004
	CodeTokenGone          = 41005
	CodeWrongCredentials   = 41006
	CodeTokenExpired       = 41007
	CodePermissionsRefused = 41009
	CodeUnauthenticated    = 90001
	CodeInvalidCredentials = 90002
	CodeForbidden          = 90003
	CodeLocked             = 90004
	CodeDisabled           = 90005
	CodeNotApproved        = 90006
	CodeThrottled          = 90029
	CodeUnavailable        = 90503
	// CodeNoRoute, CodeMethodNotAllowed and CodeConflict answer an unrouted path, a method the
	// path does not have (with Allow) and a conflict no Luna code names (a concurrent change).
	CodeNoRoute             = 90404
	CodeMethodNotAllowed    = 90405
	CodeConflict            = 90409
	descBadInput            = "Bad/incomplete input data"
	descNotFound            = "Object not found"
	descIntegrity           = "Integrity Error"
	descCredentialsWrong    = "Account credentials wrong"
	descForbidden           = "Forbidden"
	descUnauthenticated     = "Unauthorized"
	descTooManyRequests     = "Too many requests"
	descServiceUnavailable  = "Service unavailable"
	descInternalServerError = "Internal server error"
	lunaErrorLink           = "https://docs.visionlabs.ai/info/luna/troubleshooting/errors-description/code-"
	// tesseraErrorLink documents Tessera's own codes in the development manual.
	tesseraErrorLink = "/1/docs/dev#error-"
)

// apiError is an error answer: the HTTP status, Luna's envelope and extra headers.
type apiError struct {
	Status int
	Body   Error
	Header http.Header
}

func (e *apiError) Error() string { return e.Body.Detail }

func lunaErr(status, code int, desc, detail string) *apiError {
	return &apiError{Status: status, Body: newError(code, desc, detail)}
}

func tesseraErr(status, code int, desc, detail string) *apiError {
	return &apiError{Status: status, Body: Error{Code: code, Desc: desc, Detail: detail,
		Link: tesseraErrorLink + strconv.Itoa(code)}}
}

// The catalog. Texts are the seeds', word for word.

func errBadQuery(name string) *apiError {
	return lunaErr(http.StatusBadRequest, CodeBadQuery, descBadInput, fmt.Sprintf("Bad query parameters '%s'", name))
}

func errBadJSON(path, message string) *apiError {
	if message != "unexpected value" {
		message = "'" + message + "'"
	}
	return lunaErr(http.StatusBadRequest, CodeBadJSON, descBadInput,
		fmt.Sprintf("Failed to validate input json. Path: '%s', message: %s", path, message))
}

func errNoJSON() *apiError {
	return lunaErr(http.StatusBadRequest, CodeNoJSON, descBadInput, "Request does not contain json")
}

// errUnsupportedMedia is the seeds' 12024, whose desc and detail read as given there.
func errUnsupportedMedia() *apiError {
	return lunaErr(http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "Unsupported media type", descBadInput)
}

func errAccountIDMissing() *apiError {
	return lunaErr(http.StatusBadRequest, CodeAccountIDMissing, descBadInput, "Luna-Account-Id header not found")
}

func errAccountIDNotUUID() *apiError {
	return lunaErr(http.StatusBadRequest, CodeAccountIDNotUUID, descBadInput,
		"Luna-Account-Id header is not UUID, format: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
}

func errAccountNotFound(id string) *apiError {
	return lunaErr(http.StatusNotFound, CodeAccountNotFound, descNotFound, fmt.Sprintf("Account with id '%s' not found", id))
}

func errLoginExists(login string) *apiError {
	return lunaErr(http.StatusConflict, CodeLoginExists, descIntegrity, fmt.Sprintf("Account with login '%s' already exists", login))
}

func errAccountIDExists(id string) *apiError {
	return lunaErr(http.StatusConflict, CodeAccountIDExists, descIntegrity, fmt.Sprintf("Account with account_id '%s' already exists", id))
}

func errTokenNotFound(id string) *apiError {
	return lunaErr(http.StatusNotFound, CodeTokenNotFound, descNotFound, fmt.Sprintf("Token with id '%s' not found", id))
}

func errAdminTypeFixed(id string) *apiError {
	return lunaErr(http.StatusForbidden, CodeAdminTypeFixed, descForbidden,
		fmt.Sprintf("Account with account_id '%s' has admin type and its type can't be changed", id))
}

func errTokenGone() *apiError {
	return lunaErr(http.StatusUnauthorized, CodeTokenGone, descNotFound, "JWT token doesn't exist")
}

func errWrongCredentials() *apiError {
	return lunaErr(http.StatusUnauthorized, CodeWrongCredentials, descCredentialsWrong, "Login and password doesn't match any user")
}

func errTokenExpired() *apiError {
	return lunaErr(http.StatusUnauthorized, CodeTokenExpired, descCredentialsWrong, "Token has been expired")
}

func errPermissionsRefused(field, accountType string) *apiError {
	return lunaErr(http.StatusBadRequest, CodePermissionsRefused, descBadInput,
		fmt.Sprintf("Specified permissions ('%s') are unacceptable valid for '%s' account type", field, accountType))
}

func errInternal() *apiError {
	return lunaErr(http.StatusInternalServerError, CodeInternal, descInternalServerError, "internal server error")
}

func errTimeout(detail string) *apiError {
	return lunaErr(http.StatusGatewayTimeout, CodeTimeout, "Request timeout", detail)
}

// basicChallenge is the header of a 401 that asks for Basic credentials; a new one each time,
// as the writer copies it into the response.
func basicChallenge() http.Header {
	return http.Header{"Www-Authenticate": {`Basic realm="tessera"`}}
}

// Tessera's own codes.

func errUnauthenticated(detail string) *apiError {
	e := tesseraErr(http.StatusUnauthorized, CodeUnauthenticated, descUnauthenticated, detail)
	e.Header = basicChallenge()
	return e
}

func errInvalidCredentials(detail string) *apiError {
	e := tesseraErr(http.StatusUnauthorized, CodeInvalidCredentials, descCredentialsWrong, detail)
	e.Header = basicChallenge()
	return e
}

func errForbidden(detail string) *apiError {
	return tesseraErr(http.StatusForbidden, CodeForbidden, descForbidden, detail)
}

func errLocked(detail string) *apiError {
	return tesseraErr(http.StatusForbidden, CodeLocked, "Locked", detail)
}

func errDisabled(detail string) *apiError {
	return tesseraErr(http.StatusForbidden, CodeDisabled, "Account disabled", detail)
}

func errNotApproved(detail string) *apiError {
	return tesseraErr(http.StatusForbidden, CodeNotApproved, "Account not approved", detail)
}

func errThrottled(after time.Duration, detail string) *apiError {
	e := tesseraErr(http.StatusTooManyRequests, CodeThrottled, descTooManyRequests, detail)
	e.Header = http.Header{"Retry-After": {rest.RetryAfterHeader(after)}}
	return e
}

func errUnavailable(detail string) *apiError {
	e := tesseraErr(http.StatusServiceUnavailable, CodeUnavailable, descServiceUnavailable, detail)
	e.Header = http.Header{"Retry-After": {"1"}}
	return e
}

// decodeErr maps the errors of rest.DecodeJSON.
func decodeErr(r *http.Request, err error) *apiError {
	var de *rest.DecodeError
	switch {
	case errors.Is(err, rest.ErrNotJSON):
		if r.Header.Get("Content-Type") == "" {
			return errNoJSON()
		}
		return errUnsupportedMedia()
	case errors.Is(err, rest.ErrEmptyBody):
		return errNoJSON()
	case errors.As(err, &de):
		return errBadJSON(de.Path, de.Message)
	}
	return errBadJSON("", err.Error())
}

// writeErr is the one place errors are written. An *apiError is written as it is; any other
// error is classified (rest.Classify: verification errors, throttling, decoding, API-server
// refusals by their causes) and rendered from the table in problems.go. A 500 is logged with
// its cause and the request id, and answers nothing more than "internal server error". The
// Router calls it too, for unrouted paths, wrong methods and panics under Luna's prefixes.
var writeErr = rest.NewErrorWriter(fromProblem, func(w http.ResponseWriter, e *apiError) {
	maps.Copy(w.Header(), e.Header)
	writeJSON(w, e.Status, e.Body)
})

// WriteError is Luna's rest.ErrorWriter.
func WriteError(w http.ResponseWriter, r *http.Request, err error) { writeErr(w, r, err) }
