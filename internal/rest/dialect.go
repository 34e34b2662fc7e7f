package rest

import (
	"encoding/json"
	"errors"
	"net/http"
)

// ErrorWriter writes err as an API's error answer, in the API's envelope. Every API supplies
// one (it is the API's own writer, e.g. Luna's writeErr); the Router calls it for what the
// API's handlers never see: unrouted paths, wrong methods and panics, as *Problem errors.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, err error)

// NewErrorWriter builds an API's ErrorWriter from its own error type E: an error that is an E
// is written by write as it is; any other is classified (ProblemOf, which logs a 500 with the
// request id) and rendered into an E by render, after the headers the problem calls for
// (Retry-After, Allow) are set. An API's whole dialect is then its render table.
func NewErrorWriter[E error](render func(p *Problem) E, write func(w http.ResponseWriter, e E)) ErrorWriter {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		if own, ok := errors.AsType[E](err); ok {
			write(w, own)
			return
		}
		p := ProblemOf(r, err)
		p.SetHeaders(w)
		write(w, render(&p))
	}
}

// WriteJSONError is the plain dialect of the endpoints outside the documented APIs
// (/.well-known/*, /metrics): {"error": message} with the kind's HTTP status.
func WriteJSONError(w http.ResponseWriter, r *http.Request, err error) {
	p := ProblemOf(r, err)
	p.SetHeaders(w)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.Status())
	_ = json.NewEncoder(w).Encode(map[string]string{"error": p.Message})
}
