package luna

import (
	"net/http"
	"strings"

	"github.com/tessera-dev/tessera/internal/rest"
)

// lunaKinds renders each kind of rest.Problem: Luna's code where the seeds have one, Tessera's
// own (90001–90099, 904xx) otherwise. Messages come from the problem, which never carries
// internal text.
var lunaKinds = map[rest.Kind]func(p *rest.Problem) *apiError{
	rest.KindInternal: func(*rest.Problem) *apiError { return errInternal() },
	rest.KindNotFound: func(p *rest.Problem) *apiError {
		return tesseraErr(http.StatusNotFound, CodeNoRoute, "Resource not found", p.Message)
	},
	rest.KindMethodNotAllowed: func(p *rest.Problem) *apiError { // Allow: set by the writer
		return tesseraErr(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "Method not allowed", p.Message)
	},
	rest.KindInvalid:          func(p *rest.Problem) *apiError { return errBadJSON(lunaField(p.Field), p.Message) },
	rest.KindNoBody:           func(*rest.Problem) *apiError { return errNoJSON() },
	rest.KindUnsupportedMedia: func(*rest.Problem) *apiError { return errUnsupportedMedia() },
	rest.KindConflict: func(p *rest.Problem) *apiError {
		return tesseraErr(http.StatusConflict, CodeConflict, descIntegrity, p.Message)
	},
	rest.KindLocked:    func(p *rest.Problem) *apiError { return errLocked(p.Message) },
	rest.KindForbidden: func(p *rest.Problem) *apiError { return errForbidden(p.Message) },
	rest.KindThrottled: func(p *rest.Problem) *apiError { return errThrottled(p.RetryAfter, p.Message) },
	rest.KindUnavailable: func(p *rest.Problem) *apiError {
		e := errUnavailable(p.Message)
		if p.RetryAfter > 0 {
			e.Header.Set("Retry-After", rest.RetryAfterHeader(p.RetryAfter))
		}
		return e
	},
	rest.KindTimeout: func(p *rest.Problem) *apiError { return errTimeout(p.Message) },
	rest.KindUnauthenticated: func(p *rest.Problem) *apiError {
		return errUnauthenticated(p.Message)
	},
	rest.KindInvalidCredentials: func(p *rest.Problem) *apiError { return errInvalidCredentials(p.Message) },
	rest.KindWrongCredentials: func(*rest.Problem) *apiError {
		e := errWrongCredentials()
		e.Header = basicChallenge()
		return e
	},
	rest.KindExpired: func(*rest.Problem) *apiError { return errTokenExpired() },
	rest.KindRevoked: func(*rest.Problem) *apiError { return errTokenGone() },
	rest.KindAccountGone: func(*rest.Problem) *apiError {
		return errInvalidCredentials("the token's account no longer exists")
	},
	rest.KindDisabled:    func(p *rest.Problem) *apiError { return errDisabled(p.Message) },
	rest.KindNotApproved: func(p *rest.Problem) *apiError { return errNotApproved(p.Message) },
}

// fromProblem renders a classified problem in Luna's envelope.
func fromProblem(p *rest.Problem) *apiError {
	if render, ok := lunaKinds[p.Kind]; ok {
		return render(p)
	}
	return errInternal()
}

// lunaFields names the API server's fields as Luna's JSON does.
var lunaFields = map[string]string{
	"spec.login": fieldLogin, "spec.type": fieldAccountType, "spec.description": fieldDescription,
	"spec.accountID": fieldAccountID, "spec.tokenID": fieldTokenID, "spec.expirationTime": fieldExpirationTime,
	"spec.visibilityArea": fieldVisibilityArea, "spec.permissions": fieldPermissions,
}

// lunaField is field in Luna's terms: a body path (from decoding) as it is, an object's field
// as Luna's JSON names it, "" when Luna's JSON has no such field.
func lunaField(field string) string {
	if f, ok := lunaFields[field]; ok {
		return f
	}
	switch {
	case strings.HasPrefix(field, "spec.permissions."):
		return fieldPermissions
	case strings.HasPrefix(field, "spec."), strings.HasPrefix(field, "metadata."), strings.HasPrefix(field, "status."):
		return ""
	}
	return field
}
