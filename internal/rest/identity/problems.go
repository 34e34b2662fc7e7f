package identity

import (
	"cmp"
	"errors"
	"net/http"
	"time"

	"github.com/tessera-dev/tessera/internal/claims"
	"github.com/tessera-dev/tessera/internal/rest"
)

// identityKinds renders each kind of rest.Problem in the identity envelope, with the kind's
// plain HTTP status except where the API answers otherwise (a body that is not JSON is a 400,
// a field that fails a rule a 422). Messages come from the problem, which never carries
// internal text; Retry-After and Allow are set by the writer from the problem.
var identityKinds = map[rest.Kind]func(p *rest.Problem) *apiError{
	rest.KindInternal: func(*rest.Problem) *apiError { return errInternal() },
	rest.KindNotFound: func(p *rest.Problem) *apiError { return newErr(http.StatusNotFound, "not found", p.Message) },
	rest.KindMethodNotAllowed: func(p *rest.Problem) *apiError {
		return newErr(http.StatusMethodNotAllowed, "method not allowed", p.Message)
	},
	rest.KindInvalid:          invalid,
	rest.KindNoBody:           func(*rest.Problem) *apiError { return errBadRequest("the request needs a JSON body") },
	rest.KindUnsupportedMedia: func(*rest.Problem) *apiError { return errBadRequest("the body must be JSON") },
	rest.KindConflict:         conflict,
	rest.KindLocked:           func(p *rest.Problem) *apiError { return errLocked(p.Message) },
	rest.KindForbidden:        func(p *rest.Problem) *apiError { return errForbidden(p.Message) },
	rest.KindThrottled:        func(p *rest.Problem) *apiError { return errThrottled(p.RetryAfter, p.Message) },
	rest.KindUnavailable: func(p *rest.Problem) *apiError {
		return errUnavailable(cmp.Or(p.RetryAfter, time.Second), p.Message)
	},
	rest.KindTimeout:         func(p *rest.Problem) *apiError { return errTimeout(p.Message) },
	rest.KindUnauthenticated: func(*rest.Problem) *apiError { return errTokenRequired() },
	rest.KindInvalidCredentials: func(p *rest.Problem) *apiError {
		if errors.Is(p.Err, rest.ErrBadAuthorization) {
			return errBadAuthorization()
		}
		return errInvalidToken("the access token is not valid")
	},
	rest.KindWrongCredentials: func(*rest.Problem) *apiError { return errWrongCredentials() },
	rest.KindExpired:          func(*rest.Problem) *apiError { return errTokenExpired() },
	rest.KindRevoked:          func(*rest.Problem) *apiError { return errTokenRevoked() },
	rest.KindAccountGone:      func(*rest.Problem) *apiError { return errInvalidToken("the token's user no longer exists") },
	rest.KindDisabled:         func(p *rest.Problem) *apiError { return errDisabled(p.Message) },
	rest.KindNotApproved:      func(p *rest.Problem) *apiError { return errNotApproved(p.Message) },
}

// fromProblem renders a classified problem in the identity envelope.
func fromProblem(p *rest.Problem) *apiError {
	if render, ok := identityKinds[p.Kind]; ok {
		return render(p)
	}
	return errInternal()
}

// invalid renders a body rest.DecodeJSON refused — not JSON is a 400, a field of the wrong
// type or unknown a 422 naming it — and a rule the object breaks, a 422 starting with the
// field's name when the identity API has the field.
func invalid(p *rest.Problem) *apiError {
	var de *rest.DecodeError
	switch {
	case !errors.As(p.Err, &de):
		if f := identityFields[p.Field]; f != "" {
			return errField(f, "%s", p.Message)
		}
		return newErr(http.StatusUnprocessableEntity, "validation error", p.Message)
	case errors.Is(de, rest.ErrBadText):
		return errBadRequest(de.Path + ": " + de.Message)
	case de.Path != "" && errors.Is(de, rest.ErrUnknownField):
		return errField(de.Path, "unknown field")
	case de.Path != "":
		return errField(de.Path, "wrong type")
	}
	return errBadRequest("the body is not valid JSON: " + de.Message)
}

// conflict renders a value another object holds: a nick name or e-mail another user has is
// "user exists" (the handlers, which know the value, answer it themselves where they can);
// anything else, such as a concurrent change, a plain conflict.
func conflict(p *rest.Problem) *apiError {
	switch {
	case p.Names(claims.AccountLogin.Path):
		return newErr(http.StatusConflict, statusUserExists, fieldNickName+": is already taken")
	case p.Names(emailField):
		return newErr(http.StatusConflict, statusUserExists, fieldEmail+": is already registered")
	}
	return errConflict(p.Message)
}

// identityFields names the Account's fields, as the API server names them, as the identity
// API's JSON does.
var identityFields = map[string]string{
	claims.AccountLogin.Path: fieldNickName, "spec.profile.nickName": fieldNickName, emailField: fieldEmail,
	"spec.profile.firstName": "first_name", "spec.profile.lastName": "last_name", "spec.roles": "roles",
}
