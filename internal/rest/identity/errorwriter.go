package identity

import (
	"net/http"
	"strings"

	"github.com/tessera-dev/tessera/internal/rest"
)

// WriteError is the identity API's rest.ErrorWriter: the shared router's answers under
// /api/vX.Y.Z/ (a panic: the API routes its own paths and methods), and any other error, as
// {"status", "error"} with the problem kind's plain HTTP status.
var WriteError = rest.NewErrorWriter(func(p *rest.Problem) *apiError {
	e := &apiError{Code: p.Status(), Status: strings.ToLower(http.StatusText(p.Status())), Detail: p.Message}
	if p.RetryAfter > 0 {
		e = e.with("Retry-After", rest.RetryAfterHeader(p.RetryAfter))
	}
	return e
}, func(w http.ResponseWriter, e *apiError) { writeErr(w, e) })
