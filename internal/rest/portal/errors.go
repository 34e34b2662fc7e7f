package portal

import (
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/tessera-dev/tessera/internal/rest"
)

// Domain is the domain of the seed's standard error bodies.
const Domain = "PlatformAccountServer"

// messages are the seed's fixed message of each status it documents, word for word (every
// standard body of one status carries the same text); other statuses use the HTTP reason.
var messages = map[int]string{
	http.StatusBadRequest:           "Bad Request",
	http.StatusUnauthorized:         "Method required an authenticated user",
	http.StatusForbidden:            "Current user has no permissions for this URL/method",
	http.StatusNotFound:             "Not found",
	http.StatusNotAcceptable:        "Not Acceptable",
	http.StatusConflict:             "Conflict",
	http.StatusUnsupportedMediaType: "Invalid content type",
	http.StatusUpgradeRequired:      "Version mismatch",
}

// Message is the fixed message of status.
func Message(status int) string {
	if m, ok := messages[status]; ok {
		return m
	}
	return http.StatusText(status)
}

// envelope is the seed's error body: {"error": {code, context, domain, message, details}}.
type envelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    int            `json:"code"`
	Context map[string]any `json:"context"`
	Domain  string         `json:"domain"`
	Message string         `json:"message"`
	Details errorDetails   `json:"details"`
}

type errorDetails struct {
	Info string `json:"info"`
}

// apiError is an error answer: the status (the body's code), what details.info says beyond
// the fixed message, and extra headers.
type apiError struct {
	Status int
	Info   string
	Header http.Header
	// Body, when set, is written instead of the standard envelope: the seed's other shapes
	// (the ApplicationAccountServer bodies of /login, the IP allow-list's {client_ip, message}).
	Body any
}

func (e *apiError) Error() string { return e.Info }

func newErr(status int, format string, args ...any) *apiError {
	return &apiError{Status: status, Info: fmt.Sprintf(format, args...)}
}

// The catalog: what the handlers answer. details.info says what was wrong in the client's
// terms; the fixed message stays the seed's.

func errBadRequest(format string, args ...any) *apiError {
	return newErr(http.StatusBadRequest, format, args...)
}

// errBadParam refuses a query parameter.
func errBadParam(name, format string, args ...any) *apiError {
	return newErr(http.StatusBadRequest, "query parameter %s: %s", name, fmt.Sprintf(format, args...))
}

// errBadField refuses a body field.
func errBadField(name, format string, args ...any) *apiError {
	return newErr(http.StatusBadRequest, "%s: %s", name, fmt.Sprintf(format, args...))
}

func errUnauthenticated() *apiError {
	return newErr(http.StatusUnauthorized, "credentials are required: the SESSION cookie of POST /login, Authorization: Basic (login:password) or Bearer (a portal JWT), or ?jwt=")
}

func errForbidden(format string, args ...any) *apiError {
	return newErr(http.StatusForbidden, format, args...)
}

func errNotFound(format string, args ...any) *apiError {
	return newErr(http.StatusNotFound, format, args...)
}

func errConflict(format string, args ...any) *apiError {
	return newErr(http.StatusConflict, format, args...)
}

// errVersionMismatch is the seed's 426 for a ?version= that is not the object's.
func errVersionMismatch(have, asked int64) *apiError {
	return newErr(http.StatusUpgradeRequired, "the object is at version %d, not %d", have, asked)
}

// errLocked refuses a write inside a locked subtree, naming the locking group by its id.
func errLocked(groupID int64, reason string) *apiError {
	e := newErr(http.StatusLocked, "group %d is locked", groupID)
	if reason != "" {
		e.Info += ": " + reason
	}
	return e
}

// errNotImplemented answers the families that need a backup product Tessera is not.
func errNotImplemented(family string) *apiError {
	return newErr(http.StatusNotImplemented, "%s needs a backup product; Tessera does not implement it", family)
}

// fromProblem renders a classified problem: its kind's plain status, and its message (naming
// the field in the portal's terms when it has one) as details.info.
func fromProblem(p *rest.Problem) *apiError {
	info := p.Message
	if f := portalField(p.Field); f != "" {
		if info = strings.ReplaceAll(info, p.Field, f); !strings.Contains(info, f) {
			info = f + ": " + info
		}
	}
	return &apiError{Status: p.Status(), Info: info}
}

// portalFields names the API server's fields as the portal's JSON does.
var portalFields = map[string]string{
	"spec.displayName": "name", "spec.kind": "kind", "spec.parent": "parent_id", "spec.uuid": "uuid",
	"spec.id": "id", "spec.login": "login", "spec.contact": "contact", "spec.settings.language": "language",
}

// portalField is field in the portal's terms: a body path as it is, an object's field as the
// portal names it, "" when the portal has no such field.
func portalField(field string) string {
	if f, ok := portalFields[field]; ok {
		return f
	}
	for prefix, f := range portalFields {
		if strings.HasPrefix(field, prefix+".") {
			return f + strings.TrimPrefix(field, prefix)
		}
	}
	if strings.HasPrefix(field, "spec.") || strings.HasPrefix(field, "metadata.") || strings.HasPrefix(field, "status.") {
		return ""
	}
	return field
}

// writeErr is the one place errors are written. An *apiError is written as it is; any other
// error is classified (rest.Classify: verification errors, throttling, decoding, API-server
// refusals by their causes) and rendered by fromProblem. A 500 is logged with its cause and the
// request id and says nothing more than "internal server error". The Router calls it too, for
// unrouted paths, wrong methods and panics under /api/1/.
var writeErr = rest.NewErrorWriter(fromProblem, func(w http.ResponseWriter, e *apiError) {
	maps.Copy(w.Header(), e.Header)
	if e.Body != nil {
		writeJSON(w, e.Status, e.Body)
		return
	}
	msg := Message(e.Status)
	info := e.Info
	if info == "" {
		info = msg
	}
	writeJSON(w, e.Status, envelope{Error: errorBody{Code: e.Status, Context: map[string]any{}, Domain: Domain,
		Message: msg, Details: errorDetails{Info: info}}})
})

// WriteError is the portal's rest.ErrorWriter.
func WriteError(w http.ResponseWriter, r *http.Request, err error) { writeErr(w, r, err) }
