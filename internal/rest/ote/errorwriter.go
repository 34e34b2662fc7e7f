package ote

import (
	"net/http"

	"github.com/tessera-dev/tessera/internal/rest"
)

// WriteError is ote-stack's rest.ErrorWriter: the shared router's answers under /v1/ (no such
// route, a method the route lacks, a panic), and any other error, as {code, message} with the
// problem kind's plain HTTP status.
var WriteError = rest.NewErrorWriter(func(p *rest.Problem) *apiError {
	return &apiError{Status: p.Status(), Message: p.Message, RetryAfter: p.RetryAfter}
}, func(w http.ResponseWriter, e *apiError) { writeErr(w, e) })
