package portal

import (
	"context"
	"net/http"
	"unicode/utf8"

	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
)

// actionRoutes are the account flows of /actions: the token flows (activate, reset,
// emailupdate; the token is the credential, so they are open), the signed-in ones
// (change_password, change_login), forgot_link, and the mails that carry the tokens.
func (a *API) actionRoutes() []route {
	// The statuses the seed shows in ApplicationAccountServer bodies, route by route: all of
	// /actions/reset's and mail/emailupdate's, 400 and 415 of change_password.
	allApp := []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
		http.StatusUnsupportedMediaType}
	return []route{
		{"GET /actions/activate", openPolicy, a.decodeActivation},
		{"POST /actions/activate", openPolicy, a.activate},
		{"GET /actions/reset", openPolicy, a.decodeReset},
		{"POST /actions/reset", openPolicy, a.appErrors(openPolicy, allApp, a.reset)},
		{"POST /actions/emailupdate", openPolicy, a.emailUpdate},
		{"POST /actions/change_password", openPolicy, a.appErrors(readers,
			[]int{http.StatusBadRequest, http.StatusUnsupportedMediaType}, a.changePassword)},
		{"POST /actions/change_login", roots, a.changeLogin},
		{"GET /actions/forgot_link", openPolicy, a.forgotLink},
		{"GET /actions/mail/activate", readers, a.mailParams(actionActivate)},
		{"GET /actions/mail/reset", readers, a.mailParams(actionReset)},
		{"GET /actions/mail/emailupdate", readers, a.mailParams(actionEmailUpdate)},
		{"POST /actions/mail/activate", anyCaller, a.sendMail(actionActivate)},
		{"POST /actions/mail/reset", openPolicy, a.sendMail(actionReset)},
		{"POST /actions/mail/emailupdate", openPolicy, a.appErrors(readers, allApp, a.sendMail(actionEmailUpdate))},
		{"POST /actions/mail/test", readers, a.sendTest},
	}
}

// success is the seed's 200 body of the flows that answer nothing else.
const success = "Success"

// tokenView is the seed's actions_get_response: whom a token is for. The schema names the
// group's name company_name, its example tenant_name: both are given.
type tokenView struct {
	Login       string `json:"login"`
	Email       string `json:"email"`
	UserID      int64  `json:"user_id"`
	GroupKind   int    `json:"group_kind"`
	CompanyName string `json:"company_name"`
	TenantName  string `json:"tenant_name"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
}

func tokenViewOf(t *actionToken) tokenView {
	p := t.acct.Spec.Profile
	name := groupName(t.group)
	return tokenView{Login: t.acct.Spec.Login, Email: p.Email, UserID: t.acct.Spec.ID, GroupKind: int(t.group.Spec.Kind),
		CompanyName: name, TenantName: name, FirstName: p.FirstName, LastName: p.LastName}
}

// groupName is the group's portal name.
func groupName(g *tenancyv1alpha1.Group) string {
	if g.Spec.DisplayName != "" {
		return g.Spec.DisplayName
	}
	return g.Name
}

// activationView is GET /actions/activate's answer: whom the token is for, whether the
// account is activated already, and the brand's legal pages.
type activationView struct {
	tokenView
	Activated         bool   `json:"activated"`
	PlatformAvailable bool   `json:"platform_available"`
	TermsAccepted     bool   `json:"terms_accepted"`
	TermsURL          string `json:"terms_url"`
	PlatformTermsURL  string `json:"platform_terms_url"`
	PrivacyPolicyURL  string `json:"privacy_policy_url"`
}

// decodeActivation is GET /actions/activate?token: what an activation token is for. It does
// not use the token up.
func (a *API) decodeActivation(w http.ResponseWriter, r *http.Request, _ *caller) error {
	t, err := a.verifyAction(r, actionActivate)
	if err != nil {
		return err
	}
	done, err := a.activated(r.Context(), t.acct)
	if err != nil {
		return err
	}
	b, err := a.brandLinks(r.Context(), t.group)
	if err != nil {
		return err
	}
	// Activating accepts the terms: an activated account has accepted them.
	writeJSON(w, http.StatusOK, activationView{tokenView: tokenViewOf(t), Activated: done, PlatformAvailable: true,
		TermsAccepted: done, TermsURL: b.TermsURL, PlatformTermsURL: b.PlatformTermsURL, PrivacyPolicyURL: b.PrivacyPolicyURL})
	return nil
}

// decodeReset is GET /actions/reset?token: what a password-reset token is for.
func (a *API) decodeReset(w http.ResponseWriter, r *http.Request, _ *caller) error {
	t, err := a.verifyAction(r, actionReset)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tokenViewOf(t))
	return nil
}

// passwordBody is the seed's activate_post_request (and /actions/reset's).
type passwordBody struct {
	Password *string  `json:"password"`
	MD5      opt[int] `json:"md5"`
}

// passwordAction verifies the token of act and reads the new password of the body.
func (a *API) passwordAction(r *http.Request, act action) (*actionToken, string, error) {
	t, err := a.verifyAction(r, act)
	if err != nil {
		return nil, "", err
	}
	pw, err := newPassword(r)
	return t, pw, err
}

// newPassword reads the body's password: md5 1 (a client-side MD5 of the password) is refused,
// since a hash would then be the password.
func newPassword(r *http.Request) (string, error) {
	var body passwordBody
	if err := rest.DecodeJSON(r, &body); err != nil {
		return "", err
	}
	if err := checkFlag("md5", body.MD5); err != nil {
		return "", err
	}
	if body.MD5.V == 1 {
		return "", errBadField("md5", "Tessera takes the password itself, not an MD5 hash of it: send md5 0")
	}
	pw, err := required("password", body.Password)
	if err != nil {
		return "", err
	}
	return pw, checkNewPassword("password", pw)
}

// required is a string field the body must give.
func required(name string, v *string) (string, error) {
	if v == nil {
		return "", errBadField(name, "is required")
	}
	return *v, nil
}

// Password bounds: the seed sets none; these keep passwords guessable by nobody and hashable
// in bounded time.
const (
	minPassword = 8
	maxPassword = 128
)

// checkNewPassword refuses a password outside the bounds.
func checkNewPassword(name, pw string) error {
	if !utf8.ValidString(pw) {
		return errBadField(name, "is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(pw); n < minPassword || n > maxPassword {
		return errBadField(name, "must be %d to %d characters long", minPassword, maxPassword)
	}
	return nil
}

// activate is POST /actions/activate?token: the account's first password; the account is then
// approved and enabled, so that it signs in. An account activated already is refused (400):
// its password changes through a reset.
func (a *API) activate(w http.ResponseWriter, r *http.Request, _ *caller) error {
	ctx := r.Context()
	t, pw, err := a.passwordAction(r, actionActivate)
	if err != nil {
		return err
	}
	if done, err := a.activated(ctx, t.acct); err != nil {
		return err
	} else if done {
		return errBadRequest("account %s is activated already: sign in, or reset its password", t.acct.Spec.Login)
	}
	if err := a.consume(ctx, t); err != nil {
		return err
	}
	acct, err := a.updateAccount(ctx, t.acct, func(acct *tenancyv1alpha1.Account) {
		acct.Spec.Approval, acct.Spec.Disabled = tenancyv1alpha1.ApprovalApproved, false
	})
	if err != nil {
		return err
	}
	if err := people.SetPassword(ctx, a.Client, acct, pw); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// reset is POST /actions/reset?token: a new password.
func (a *API) reset(w http.ResponseWriter, r *http.Request, _ *caller) error {
	ctx := r.Context()
	t, pw, err := a.passwordAction(r, actionReset)
	if err != nil {
		return err
	}
	if err := a.consume(ctx, t); err != nil {
		return err
	}
	if err := people.SetPassword(ctx, a.Client, t.acct, pw); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// emailUpdate is POST /actions/emailupdate?token: the token's address becomes the account's
// e-mail, claimed as its sign-in e-mail (tenancyv1alpha1.LabelEmailLogin): another account
// signing in with it answers 409. It takes no body.
func (a *API) emailUpdate(w http.ResponseWriter, r *http.Request, _ *caller) error {
	ctx := r.Context()
	t, err := a.verifyAction(r, actionEmailUpdate)
	if err != nil {
		return err
	}
	if r.ContentLength != 0 {
		if err := rest.DecodeJSON(r, &struct{}{}); err != nil {
			return err
		}
	}
	email := t.claims.Portal.Email
	if err := checkAddress("email", email); err != nil {
		return newErr(http.StatusUnauthorized, "the token is not a valid %s token: it names no address", t.act.noun)
	}
	old := t.acct.Spec.Profile.Email
	if err := a.consume(ctx, t); err != nil {
		return err
	}
	if _, err := a.updateAccount(ctx, t.acct, func(acct *tenancyv1alpha1.Account) {
		acct.Spec.Profile.Email = email
		if acct.Labels == nil {
			acct.Labels = map[string]string{}
		}
		acct.Labels[tenancyv1alpha1.LabelEmailLogin] = tenancyv1alpha1.LabelEmailLoginEnabled
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, emailUpdateView{Login: t.acct.Spec.Login, Email: email, OldEmail: old})
	return nil
}

// emailUpdateView is the seed's email_update_response.
type emailUpdateView struct {
	Login    string `json:"login"`
	Email    string `json:"email"`
	OldEmail string `json:"old_email"`
}

// updateAccount applies change to a fresh copy of acct and writes it (retrying conflicts with
// the controller's status writes), then waits until the cache shows it; it returns what was
// written.
func (a *API) updateAccount(ctx context.Context, acct *tenancyv1alpha1.Account,
	change func(*tenancyv1alpha1.Account)) (*tenancyv1alpha1.Account, error) {
	var next *tenancyv1alpha1.Account
	err := retry.RetryOnConflict(writeRetry, func() error {
		cur := &tenancyv1alpha1.Account{}
		if err := a.Client.Get(ctx, client.ObjectKeyFromObject(acct), cur); err != nil {
			return err
		}
		if cur.UID != acct.UID {
			return errNotFound("account %s no longer exists", acct.Spec.Login)
		}
		next = cur.DeepCopy()
		change(next)
		return a.Client.Update(ctx, next)
	})
	if err != nil {
		return nil, people.ClassifyWrite(err)
	}
	return next, credential.WaitVisible(ctx, a.Client, next)
}
