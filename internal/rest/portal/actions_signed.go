package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/verify"
)

// changePassword is POST /actions/change_password: the caller's own password, given the
// current one. The current one is checked as a sign-in is (the shared lockout counts a wrong
// one); a wrong one answers 400 in the seed's ApplicationAccountServer body.
func (a *API) changePassword(w http.ResponseWriter, r *http.Request, c *caller) error {
	var body struct {
		Current *string `json:"current_password"`
		New     *string `json:"new_password"`
	}
	if err := rest.DecodeJSON(r, &body); err != nil {
		return err
	}
	current, err := required("current_password", body.Current)
	if err != nil {
		return err
	}
	pw, err := required("new_password", body.New)
	if err != nil {
		return err
	}
	if err := checkNewPassword("new_password", pw); err != nil {
		return err
	}
	switch _, err := a.Auth.Password(r, c.Account.Spec.Login, current); {
	case errors.Is(err, verify.ErrWrongPassword):
		return errBadField("current_password", "is not the account's password")
	case err != nil:
		return err
	}
	if err := people.SetPassword(r.Context(), a.Client, c.Account, pw); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// changeLogin is POST /actions/change_login?local: the root administrator renames an account
// (login, its current login; newlogin). Tessera is the one account server, so local=0 (which
// in the seed also creates the account on another server) does the same as 1.
func (a *API) changeLogin(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	if _, err := flagParam(r, "local"); err != nil {
		return err
	}
	var body struct {
		Login    *string `json:"login"`
		NewLogin *string `json:"newlogin"`
	}
	if err := rest.DecodeJSON(r, &body); err != nil {
		return err
	}
	login, err := required("login", body.Login)
	if err != nil {
		return err
	}
	newLogin, err := required("newlogin", body.NewLogin)
	if err != nil {
		return err
	}
	if err := checkLogin("newlogin", newLogin); err != nil {
		return err
	}
	acct, err := people.ByIndex[*tenancyv1alpha1.Account](ctx, a.Client, index.AccountLogin, login)
	if err != nil {
		return err
	}
	if acct == nil {
		return errNotFound("no account has the login %q", login)
	}
	g, err := a.groupOfAccount(ctx, acct)
	if err != nil {
		return err
	}
	if err := a.mayWrite(ctx, c, g); err != nil {
		return err
	}
	if newLogin != login {
		_, err := a.updateAccount(ctx, acct, func(acct *tenancyv1alpha1.Account) { acct.Spec.Login = newLogin })
		if errors.Is(err, people.ErrLoginTaken) {
			return errConflict("the login %q is taken", newLogin)
		}
		if err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// checkLogin refuses what no Account may hold as its login (the CRD's bounds).
func checkLogin(name, login string) error {
	if n := utf8.RuneCountInString(login); !utf8.ValidString(login) || n < 3 || n > rest.MaxLoginLength {
		return errBadField(name, "must be 3 to %d characters long", rest.MaxLoginLength)
	}
	if strings.ContainsFunc(login, isSpaceOrControl) {
		return errBadField(name, "may not hold whitespace or control characters")
	}
	return nil
}

// forgotLink is GET /actions/forgot_link?username: the page where that login asks for a
// password reset: on the account server of its group's brand when it has one, else on
// Tessera's. An unknown login gets Tessera's link, as a login of an unbranded group does.
func (a *API) forgotLink(w http.ResponseWriter, r *http.Request, _ *caller) error {
	ctx := r.Context()
	values, ok := r.URL.Query()["username"]
	switch {
	case !ok:
		return errBadParam("username", "is required")
	case len(values) > 1:
		return errBadParam("username", "must be given once")
	case values[0] == "" || strings.Contains(values[0], " "):
		return errBadParam("username", "must match ^[^ ]+$")
	case utf8.RuneCountInString(values[0]) > rest.MaxLoginLength || !utf8.ValidString(values[0]):
		return errBadParam("username", "is longer than any login (%d characters)", rest.MaxLoginLength)
	}
	username := values[0]
	base := a.issuerURL()
	acct, err := people.ByIndex[*tenancyv1alpha1.Account](ctx, a.Client, index.AccountLogin, username)
	if err != nil {
		return err
	}
	if acct != nil {
		g, err := a.groupOfAccount(ctx, acct)
		if err != nil {
			return err
		}
		b, err := a.brandLinks(ctx, g)
		if err != nil {
			return err
		}
		if b.AccountServerURL != "" {
			base = absoluteURL(b.AccountServerURL)
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"link": base + "/forgot_password?username=" + url.QueryEscape(username)})
	return nil
}
