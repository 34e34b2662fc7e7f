package rest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind is what went wrong, in terms every API can render: each dialect maps kinds to its own
// status codes and texts from a table. Verification, admission, decoding and throttling errors
// all reach the writers as a Problem of one of these kinds (Classify).
type Kind uint8

// Kinds. The zero Kind is KindInternal, so that anything unclassified is a 500.
const (
	// KindInternal: a fault of Tessera's or of what it depends on; logged, never echoed.
	KindInternal Kind = iota
	// KindNotFound: no such route, or the object does not exist.
	KindNotFound
	// KindMethodNotAllowed: the route exists for other methods (Problem.Allow).
	KindMethodNotAllowed
	// KindInvalid: the input breaks a rule (Problem.Field names the field when known).
	KindInvalid
	// KindNoBody: a body is required and there is none.
	KindNoBody
	// KindUnsupportedMedia: the body is not declared as JSON.
	KindUnsupportedMedia
	// KindConflict: a value another object holds (Problem.Fields), or a concurrent change.
	KindConflict
	// KindLocked: the object, or the caller's Account, lies in a locked subtree.
	KindLocked
	// KindForbidden: the caller may not do this.
	KindForbidden
	// KindThrottled: too many sign-ins; retry after Problem.RetryAfter.
	KindThrottled
	// KindUnavailable: not ready or overloaded; retry after Problem.RetryAfter.
	KindUnavailable
	// KindTimeout: the API server or the cache did not answer in time.
	KindTimeout

	// Verification.

	// KindUnauthenticated: credentials are required and there are none.
	KindUnauthenticated
	// KindInvalidCredentials: a malformed Authorization header, or a token Tessera did not sign.
	KindInvalidCredentials
	// KindWrongCredentials: no such login, or a wrong password (indistinguishable).
	KindWrongCredentials
	// KindExpired: the token or session has expired.
	KindExpired
	// KindRevoked: the token was revoked or re-issued, or the session signed out.
	KindRevoked
	// KindAccountGone: the credential's Account no longer exists.
	KindAccountGone
	// KindDisabled: the Account is disabled.
	KindDisabled
	// KindNotApproved: the Account is pending, refused or forbidden.
	KindNotApproved
)

var kindNames = [...]string{"Internal", "NotFound", "MethodNotAllowed", "Invalid", "NoBody",
	"UnsupportedMedia", "Conflict", "Locked", "Forbidden", "Throttled", "Unavailable", "Timeout",
	"Unauthenticated", "InvalidCredentials", "WrongCredentials", "Expired", "Revoked", "AccountGone",
	"Disabled", "NotApproved"}

// kindStatus is the plain HTTP status of each kind, for dialects that answer with it as it is
// (ote-stack, identity); Luna renders its own.
var kindStatus = [...]int{
	KindInternal: http.StatusInternalServerError, KindNotFound: http.StatusNotFound,
	KindMethodNotAllowed: http.StatusMethodNotAllowed, KindInvalid: http.StatusBadRequest,
	KindNoBody: http.StatusBadRequest, KindUnsupportedMedia: http.StatusUnsupportedMediaType,
	KindConflict: http.StatusConflict, KindLocked: http.StatusLocked, KindForbidden: http.StatusForbidden,
	KindThrottled: http.StatusTooManyRequests, KindUnavailable: http.StatusServiceUnavailable,
	KindTimeout: http.StatusGatewayTimeout, KindUnauthenticated: http.StatusUnauthorized,
	KindInvalidCredentials: http.StatusUnauthorized, KindWrongCredentials: http.StatusUnauthorized,
	KindExpired: http.StatusUnauthorized, KindRevoked: http.StatusUnauthorized,
	KindAccountGone: http.StatusUnauthorized, KindDisabled: http.StatusForbidden,
	KindNotApproved: http.StatusForbidden,
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Status is the kind's plain HTTP status.
func (k Kind) Status() int {
	if int(k) < len(kindStatus) {
		return kindStatus[k]
	}
	return http.StatusInternalServerError
}

// InternalMessage is all a client learns of an internal error.
const InternalMessage = "internal server error"

// Problem is a classified error. Handlers may return one as an error; Classify returns it as
// it is.
type Problem struct {
	Kind Kind
	// Message is safe to show the client: it names what the client may know, never internals.
	Message string
	// Field is the first field concerned: as the API server names it ("spec.login") for its
	// refusals, the body's own path for decoding errors. Fields lists them all (a conflict may
	// name several).
	Field  string
	Fields []string
	// Reason is Tessera's admission cause (api/v1alpha1 Cause*), when the refusal carried one.
	Reason string
	// RetryAfter is set for KindThrottled and KindUnavailable.
	RetryAfter time.Duration
	// Allow lists the methods the route has, for KindMethodNotAllowed.
	Allow []string
	// Err is the error classified, for the log only.
	Err error

	// logged is set once the problem has been logged (a recovered panic).
	logged bool
}

func (p *Problem) Error() string { return p.Message }

// Unwrap returns the error classified.
func (p *Problem) Unwrap() error { return p.Err }

// Status is the kind's plain HTTP status.
func (p *Problem) Status() int { return p.Kind.Status() }

// Names reports whether field is among the fields the problem names.
func (p *Problem) Names(field string) bool { return slices.Contains(p.Fields, field) }

// SetHeaders sets the headers the kind calls for: Retry-After, Allow.
func (p *Problem) SetHeaders(w http.ResponseWriter) {
	if p.RetryAfter > 0 {
		w.Header().Set("Retry-After", RetryAfterHeader(p.RetryAfter))
	}
	if len(p.Allow) > 0 {
		w.Header().Set("Allow", strings.Join(p.Allow, ", "))
	}
}

// ProblemOf classifies err for the request r and logs an internal problem with its cause and
// the request id, so that the writer may answer with InternalMessage alone.
func ProblemOf(r *http.Request, err error) Problem {
	p := Classify(err)
	if p.Kind == KindInternal && !p.logged {
		logFor(r).Error(p.Err, "internal error", requestFields(r)...)
	}
	return p
}
