package luna

import (
	"errors"
	"net/http"

	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/verify"
)

// verifierBody is one of {login, password}, {token} or {account_id}.
type verifierBody struct {
	Login     *string `json:"login"`
	Password  *string `json:"password"`
	Token     *string `json:"token"`
	AccountID *string `json:"account_id"`
}

// verifierMode names which credential a verifier body carries.
type verifierMode int

const (
	verifyLogin verifierMode = iota + 1
	verifyToken
	verifyAccountID
)

// validate picks the body's one credential.
func (b *verifierBody) validate() (verifierMode, *apiError) {
	n := 0
	for _, set := range []bool{b.Login != nil || b.Password != nil, b.Token != nil, b.AccountID != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return 0, errBadJSON("", "exactly one of login and password, token or account_id must be specified")
	}
	switch {
	case b.Token != nil:
		if *b.Token == "" {
			return 0, errBadJSON(fieldToken, "unexpected value")
		}
		return verifyToken, nil
	case b.AccountID != nil:
		if !uuidPattern.MatchString(*b.AccountID) {
			return 0, errBadJSON(fieldAccountID, "value is not a valid uuid")
		}
		return verifyAccountID, nil
	}
	if b.Login == nil {
		return 0, errBadJSON(fieldLogin, "field required")
	}
	if b.Password == nil {
		return 0, errBadJSON("password", "field required")
	}
	if e := checkLogin(fieldLogin, *b.Login); e != nil {
		return 0, e
	}
	if n := len([]rune(*b.Password)); n < 3 || n > 128 {
		return 0, errBadJSON("password", "ensure this value has 3 to 128 characters")
	}
	return verifyLogin, nil
}

// verifyCredentials is POST /1/verifier: open, so that other services can check credentials.
// Passwords go through the same login protections as Basic authentication.
func (a *API) verifyCredentials(w http.ResponseWriter, r *http.Request) {
	targets := targetsStandard // what parsePermissionsTargets makes of no query, without parsing one
	if r.URL.RawQuery != "" {
		var e *apiError
		if targets, e = parsePermissionsTargets(r.URL.Query()); e != nil {
			writeErr(w, r, e)
			return
		}
	}
	var body verifierBody
	if err := rest.DecodeJSONFast(r, &body, tokenOnly(&body)); err != nil {
		writeErr(w, r, decodeErr(r, err))
		return
	}
	mode, e := body.validate()
	if e != nil {
		writeErr(w, r, e)
		return
	}
	var p *verify.Principal
	var err error
	switch mode {
	case verifyLogin:
		if a.Auth == nil {
			writeErr(w, r, errUnavailable("authentication is not configured"))
			return
		}
		p, err = a.Auth.Password(r, *body.Login, *body.Password)
	case verifyToken:
		p, err = a.Verifier.VerifyToken(r.Context(), *body.Token)
	case verifyAccountID:
		p, err = a.Verifier.VerifyAccountID(r.Context(), *body.AccountID)
	}
	if err != nil {
		writeErr(w, r, verifierErr(err, mode, body))
		return
	}
	var permissions []byte
	if mode == verifyToken {
		permissions = renderedPermissions.of(p.Token, targets)
	}
	writeVerifierAnswer(w, p.Account.Spec.AccountID, accountType(p.Account), permissions)
}

// verifierErr maps a failed verification to the seeds' 401 answers (28001, 41005, 41006,
// 41007); the rest (locks, disabled and unapproved accounts, throttling) writeErr classifies.
func verifierErr(err error, mode verifierMode, body verifierBody) error {
	switch {
	case errors.Is(err, verify.ErrAccountGone) && mode == verifyAccountID:
		e := errAccountNotFound(*body.AccountID)
		e.Status = http.StatusUnauthorized
		return e
	case errors.Is(err, verify.ErrAccountGone), errors.Is(err, verify.ErrInvalid):
		return errTokenGone()
	case errors.Is(err, verify.ErrWrongPassword):
		return errWrongCredentials()
	}
	return err
}
