package portal

import (
	"errors"
	"maps"
	"net/http"
	"slices"

	"github.com/tessera-dev/tessera/internal/rest"
)

// AppDomain is the domain of the seed's second error dialect, the ApplicationAccountServer
// bodies, which it shows on some account endpoints (change_password, /actions/reset,
// /actions/mail/emailupdate) instead of the standard one.
const AppDomain = "ApplicationAccountServer"

// appBody is the code and fixed message the seed shows for one status.
type appBody struct {
	code    any // an integer, or the string "invalid_content_type"
	message string
	// info is the seed's details.info where every answer of the status says the same; ""
	// lets details.info say what was wrong.
	info string
}

// appBodies are the seed's ApplicationAccountServer bodies, word for word.
var appBodies = map[int]appBody{
	http.StatusBadRequest:           {1000, "bad request", ""},
	http.StatusUnauthorized:         {1000, "unauthorized", ""},
	http.StatusForbidden:            {1002, "access denied", ""},
	http.StatusNotFound:             {1104, "could not resolve target tenant", ""},
	http.StatusUnsupportedMediaType: {"invalid_content_type", "Content must be JSON", "Content must be JSON"},
}

// badJSONInfo is the seed's details.info of a body that is not JSON at all.
const badJSONInfo = "Request body contains badly-formed JSON."

// appErrors serves h answering the statuses listed in the ApplicationAccountServer dialect and
// every other one in the standard envelope. The route's policy is checked here, not by serve
// (the route is registered open), so that its 401, 403 and 415 answer in the dialect too.
func (a *API) appErrors(who policy, statuses []int, h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, _ *caller) error {
		var c *caller
		err := error(nil)
		if !who.open {
			c, err = a.admit(r, who)
		}
		if err == nil {
			err = h(w, r, c)
		}
		if err == nil {
			return nil
		}
		e := asAPIError(w, r, err)
		if !slices.Contains(statuses, e.Status) {
			return e
		}
		writeAppError(w, e, err)
		return nil
	}
}

// admit authenticates the request and checks who against it, as serve does for every route.
func (a *API) admit(r *http.Request, who policy) (*caller, error) {
	c, err := a.authenticate(r)
	if err == nil {
		err = who.admits(c)
	}
	if err == nil {
		err = bodyIsJSON(r)
	}
	return c, err
}

// asAPIError is err as writeErr would render it: classified (a 500 logged) and with the
// headers its kind calls for.
func asAPIError(w http.ResponseWriter, r *http.Request, err error) *apiError {
	if e, ok := errors.AsType[*apiError](err); ok {
		return e
	}
	p := rest.ProblemOf(r, err)
	p.SetHeaders(w)
	return fromProblem(&p)
}

// writeAppError writes e as the seed's ApplicationAccountServer body of its status; cause is
// what e came from, to recognize a body that is not JSON.
func writeAppError(w http.ResponseWriter, e *apiError, cause error) {
	b := appBodies[e.Status]
	info := b.info
	if de, ok := errors.AsType[*rest.DecodeError](cause); info == "" && ok && de.Path == "" && de.Err == nil {
		info = badJSONInfo
	}
	if info == "" {
		info = e.Info
	}
	maps.Copy(w.Header(), e.Header)
	writeJSON(w, e.Status, map[string]any{"error": map[string]any{"code": b.code, "context": map[string]any{},
		"domain": AppDomain, "message": b.message, "details": map[string]any{"info": info}}})
}
