package portal

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/tessera-dev/tessera/internal/rest"
)

// AppDomain is the domain of the seed's second error dialect, the ApplicationAccountServer
// bodies, which it shows only on a few endpoints (/login, change_password, /actions/reset,
// mail/emailupdate) and only for some statuses.
const AppDomain = "ApplicationAccountServer"

// appCodes are the seed's application code and fixed message of each status it shows such a
// body for.
var appCodes = map[int]struct {
	code    any
	message string
}{
	http.StatusBadRequest:           {1000, "bad request"},
	http.StatusUnauthorized:         {1000, "unauthorized"},
	http.StatusForbidden:            {1002, "access denied"},
	http.StatusNotFound:             {1104, "could not resolve target tenant"},
	http.StatusUnsupportedMediaType: {"invalid_content_type", "Content must be JSON"},
}

// badJSON is the seed's details.info of a body that is not JSON at all.
const badJSON = "Request body contains badly-formed JSON."

type appEnvelope struct {
	Error appErrorBody `json:"error"`
}

type appErrorBody struct {
	Code    any            `json:"code"`
	Context map[string]any `json:"context"`
	Domain  string         `json:"domain"`
	Message string         `json:"message"`
	Details errorDetails   `json:"details"`
}

// errApp is an ApplicationAccountServer body of status (one of appCodes).
func errApp(status int, format string, args ...any) *apiError {
	c := appCodes[status]
	info := fmt.Sprintf(format, args...)
	return &apiError{Status: status, Info: info, Body: appEnvelope{Error: appErrorBody{Code: c.code,
		Context: map[string]any{}, Domain: AppDomain, Message: c.message, Details: errorDetails{Info: info}}}}
}

// inAppDialect renders err as an ApplicationAccountServer body when its status is among
// statuses (those the seed shows one for on the endpoint); any other error stays as it is, for
// writeErr (which logs internal ones).
func inAppDialect(err error, statuses ...int) error {
	if own, ok := errors.AsType[*apiError](err); ok {
		if own.Body != nil || !slices.Contains(statuses, own.Status) {
			return err
		}
		return errApp(own.Status, "%s", own.Info)
	}
	p := rest.Classify(err)
	status := p.Status()
	if !slices.Contains(statuses, status) {
		return err
	}
	if de, ok := errors.AsType[*rest.DecodeError](err); ok && de.Path == "" && de.Err == nil {
		return errApp(status, "%s", badJSON)
	}
	if status == http.StatusUnsupportedMediaType {
		return errApp(status, "%s", appCodes[status].message)
	}
	return errApp(status, "%s", fromProblem(&p).Info)
}
