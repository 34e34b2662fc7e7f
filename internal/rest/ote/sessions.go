package ote

import (
	"net/http"
	"unicode/utf8"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/rest"
)

// The authorization endpoints: sign-in, refresh, sign-out and the caller's role.

func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		User     *string `json:"user"`
		Password *string `json:"password"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	user, err := required(paramUser, body.User)
	if err == nil && user == "" {
		err = errParam(paramUser, "must not be empty")
	} else if err == nil && utf8.RuneCountInString(user) > rest.MaxLoginLength {
		err = errParam(paramUser, "must be at most %d characters", rest.MaxLoginLength)
	}
	if err != nil {
		return err
	}
	pw, err := required("password", body.Password)
	if err == nil && pw == "" {
		err = errParam("password", "must not be empty")
	}
	if err != nil {
		return err
	}
	p, err := a.Auth.Password(r, user, pw)
	if err != nil {
		return err
	}
	return a.issue(w, p.Account)
}

func (a *API) refresh(w http.ResponseWriter, _ *http.Request, c *principal.Principal) error {
	return a.issue(w, c.Account)
}

// issue answers a new session token for acct.
func (a *API) issue(w http.ResponseWriter, acct *tenancyv1alpha1.Account) error {
	tok, _, err := a.Sessions.Issue(acct, jwt.AudienceOTE, SessionTTL)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": tok, fieldCode: 200, fieldMessage: messageSuccess})
	return nil
}

func (a *API) logout(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	if err := a.Sessions.Revoke(r.Context(), c.Session); err != nil {
		return err
	}
	ok(w, nil)
	return nil
}

func (a *API) authInfo(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	callerRole, err := role(r.Context(), c)
	if err != nil {
		return err
	}
	flags := map[string]string{}
	if b := business(c); b != "" {
		g := &tenancyv1alpha1.Group{}
		if err := a.Client.Get(r.Context(), client.ObjectKey{Name: b}, g); err == nil {
			flags = g.Annotations
		}
	}
	flag := func(k string) bool { return flags[k] == flagSet }
	ok(w, map[string]any{fieldData: map[string]any{
		"displayName":           c.Account.Spec.Login,
		"hasRepoAccount":        flag(AnnotationHasRepoAccount) || c.Account.Annotations[AnnotationHasRepoAccount] == flagSet,
		"role":                  callerRole,
		"privateProject":        flag(AnnotationPrivateProject),
		"enableIngress":         flag(AnnotationEnableIngress),
		"enableAlert":           flag(AnnotationEnableAlert),
		"enableAdminAutoDeploy": flag(AnnotationEnableAdminAutoDeploy),
	}})
	return nil
}
