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
	return &apiError{Code: p.Status(), Status: strings.ToLower(http.StatusText(p.Status())), Detail: p.Message,
		RetryAfter: p.RetryAfter}
}, func(w http.ResponseWriter, e *apiError) { fail(w, e) })
