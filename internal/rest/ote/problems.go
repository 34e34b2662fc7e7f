package ote

import (
	"errors"
	"net/http"
	"time"

	"github.com/tessera-dev/tessera/internal/rest"
)

// oteKinds renders each kind of rest.Problem as {code, message}, code being the HTTP status the
// document gives it: 401 for every credential a session cannot stand on, 422 for parameters,
// 423 for a Group lock, 503 (Retry-After) for what to retry. Messages come from the problem,
// which never carries internal text, or are the API's own.
var oteKinds = map[rest.Kind]func(p *rest.Problem) *apiError{
	rest.KindInternal:         fixed(http.StatusInternalServerError, rest.InternalMessage),
	rest.KindNotFound:         plain(http.StatusNotFound),
	rest.KindMethodNotAllowed: plain(http.StatusMethodNotAllowed), // Allow: set by the writer
	rest.KindInvalid:          invalid,
	rest.KindNoBody:           fixed(http.StatusUnprocessableEntity, "the request needs a JSON body"),
	rest.KindUnsupportedMedia: plain(http.StatusUnsupportedMediaType),
	rest.KindConflict:         plain(http.StatusConflict),
	rest.KindLocked:           plain(http.StatusLocked),
	rest.KindForbidden:        plain(http.StatusForbidden),
	rest.KindThrottled:        plain(http.StatusTooManyRequests),
	rest.KindUnavailable:      plain(http.StatusServiceUnavailable),
	// The document knows no 504: a timeout is one more thing to retry.
	rest.KindTimeout:         func(p *rest.Problem) *apiError { return errUnavailable(p.Message, time.Second) },
	rest.KindUnauthenticated: plain(http.StatusUnauthorized),
	rest.KindInvalidCredentials: func(p *rest.Problem) *apiError {
		if errors.Is(p.Err, rest.ErrBadAuthorization) {
			return errUnauthorized(tokenRequired)
		}
		return errUnauthorized("invalid token")
	},
	rest.KindWrongCredentials: fixed(http.StatusUnauthorized, "wrong user name or password"),
	rest.KindExpired:          fixed(http.StatusUnauthorized, "the token has expired"),
	rest.KindRevoked:          fixed(http.StatusUnauthorized, "the token was revoked (logged out)"),
	rest.KindAccountGone:      fixed(http.StatusUnauthorized, "the token's user no longer exists"),
	rest.KindDisabled:         plain(http.StatusForbidden),
	rest.KindNotApproved: func(p *rest.Problem) *apiError {
		return errForbidden("the account is not approved: %s", p.Message)
	},
}

// plain answers status with the problem's message and its Retry-After.
func plain(status int) func(p *rest.Problem) *apiError {
	return func(p *rest.Problem) *apiError {
		return &apiError{Status: status, Message: p.Message, RetryAfter: p.RetryAfter}
	}
}

// fixed answers status with ote-stack's own message.
func fixed(status int, message string) func(p *rest.Problem) *apiError {
	return func(*rest.Problem) *apiError { return errStatus(status, "%s", message) }
}

// fromProblem renders a classified problem in ote-stack's envelope.
func fromProblem(p *rest.Problem) *apiError {
	if render, ok := oteKinds[p.Kind]; ok {
		return render(p)
	}
	return oteKinds[rest.KindInternal](p)
}

// invalid is 422 naming the parameter, as the document answers a failed validation: a body
// that does not decode (text that is not UTF-8 is 400), or a value admission refused.
func invalid(p *rest.Problem) *apiError {
	var de *rest.DecodeError
	switch {
	case !errors.As(p.Err, &de):
		if name, ok := oteParams[p.Field]; ok {
			return errParam(name, "%s", p.Message)
		}
		return errParamless("%s", p.Message)
	case errors.Is(de, rest.ErrBadText):
		return errStatus(http.StatusBadRequest, "parameter '%s': %s", de.Path, de.Message)
	case de.Path == "":
		return errParamless("the body is not valid JSON: %s", de.Message)
	case errors.Is(de, rest.ErrUnknownField):
		return errParam(de.Path, "unknown parameter")
	}
	return errParam(de.Path, "wrong type")
}

// oteParams names the API server's fields as ote-stack's parameters.
var oteParams = map[string]string{
	"spec.login": paramUser, "spec.profile.firstName": "realName", "spec.profile.phone": "phone",
	"spec.displayName": paramName, "spec.description": "introduce",
}
