package identity

import (
	"cmp"
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/verify"
)

// Access tokens: POST /access_token signs in, PUT refreshes, DELETE (Tessera's addition) signs
// out. An access token is a session JWT (verify.Sessions): no object is written per sign-in.

// issue answers a fresh access token for acct.
func (a *API) issue(w http.ResponseWriter, acct *tenancyv1alpha1.Account) error {
	tok, claims, err := a.Sessions.Issue(acct, jwt.AudienceIdentity, TokenTTL)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "exp": claims.ExpiresAt.Unix(), "user_id": acct.Spec.AccountID})
	return nil
}

func (a *API) signIn(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Email    *string `json:"email"`
		NickName *string `json:"nick_name"`
		Password *string `json:"password"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	who := cmp.Or(deref(body.Email), deref(body.NickName))
	switch {
	case who == "":
		return errField(fieldEmail, "email or nick_name is required")
	case utf8.RuneCountInString(who) > maxSignInName:
		return errField(fieldEmail, "email or nick_name must be at most %d characters", maxSignInName)
	case body.Password == nil || *body.Password == "":
		return errField("password", "is required")
	}
	login, err := a.loginOf(r.Context(), who)
	if err != nil {
		return err
	}
	p, err := a.Auth.Password(r, login, *body.Password)
	if err != nil {
		return err
	}
	return a.issue(w, p.Account)
}

// loginOf resolves an e-mail address or nick name to a login; an unknown one is returned as
// it is, so that the password check still spends its dummy hash.
func (a *API) loginOf(ctx context.Context, who string) (string, error) {
	if strings.Contains(who, "@") {
		acct, err := a.byEmail(ctx, who)
		if err != nil {
			return "", err
		}
		if acct != nil {
			return acct.Spec.Login, nil
		}
	}
	for _, l := range []struct{ field, value string }{{index.AccountLogin, who}, {IndexNickName, who}} {
		acct, err := a.byIndex(ctx, l.field, l.value)
		if err != nil {
			return "", err
		}
		if acct != nil {
			return acct.Spec.Login, nil
		}
	}
	return who, nil
}

// bodyToken reads {"access_token": "…"}; "" when it is absent.
func bodyToken(r *http.Request) (string, error) {
	var body struct {
		AccessToken *string `json:"access_token"`
	}
	if err := decode(r, &body); err != nil {
		return "", err
	}
	return deref(body.AccessToken), nil
}

// tokenInBody is PUT /access_token's credential: the body's access_token.
func tokenInBody(r *http.Request) (string, error) {
	tok, err := bodyToken(r)
	if err == nil && tok == "" {
		err = errField("access_token", "is required")
	}
	return tok, err
}

// tokenInHeaderOrBody is DELETE /access_token's: the Authorization header's token, else the
// body's access_token.
func tokenInHeaderOrBody(r *http.Request) (string, error) {
	tok := rest.SessionToken(r.Header.Get("Authorization"))
	if tok == "" && r.ContentLength != 0 {
		var err error
		if tok, err = bodyToken(r); err != nil {
			return "", err
		}
	}
	if tok == "" {
		return "", errField("access_token", "is required (Authorization: Bearer <access_token>)")
	}
	return tok, nil
}

func (a *API) refresh(w http.ResponseWriter, _ *http.Request, s *verify.Session) error {
	return a.issue(w, s.Account)
}

// signOut revokes the session at once, on every replica.
func (a *API) signOut(w http.ResponseWriter, r *http.Request, s *verify.Session) error {
	if err := a.Sessions.Revoke(r.Context(), s.Claims); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "token revoked"})
	return nil
}
