package portal

import (
	"context"
	"encoding/json"
	"net/http"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/mail"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
)

// mailTarget is the Account a mail action is for, its Group, and the address the mail goes to
// (the account's e-mail; the new one for an e-mail update).
type mailTarget struct {
	acct  *tenancyv1alpha1.Account
	group *tenancyv1alpha1.Group
	email string
}

// mailRequest names the target: its login and/or user_id (its id or UUID), and an address.
type mailRequest struct{ login, email, userID string }

// target resolves and authorizes a mail action. With a caller, the target is the caller (by
// default) or an account a write administrator at or above its group acts for, as for the
// JWTs the portal issues. Without one (the open POST /actions/mail/reset), the login and the
// account's own e-mail must both be given and match. Out of the caller's reach: 403; no such
// account, or another e-mail than the account's: 404.
func (a *API) target(ctx context.Context, c *caller, act action, in mailRequest) (*mailTarget, error) {
	acct, err := a.accountOf(ctx, c, in)
	if err != nil {
		return nil, err
	}
	g, err := a.groupOfAccount(ctx, acct)
	if err != nil {
		return nil, err
	}
	if c != nil && !c.IsSelf(acct) && (c.role == "" || c.access&writeBit == 0 || !c.inScope(g.Name)) {
		return nil, errForbidden("only the account itself, or a write administrator at or above its group, may ask for its %s token",
			act.noun)
	}
	t := &mailTarget{acct: acct, group: g, email: acct.Spec.Profile.Email}
	switch {
	case act == actionEmailUpdate:
		if err := checkAddress("email", in.email); err != nil {
			return nil, err
		}
		t.email = in.email
	case c == nil && in.email == "":
		return nil, errBadField("email", "is required")
	case in.email != "" && !strings.EqualFold(in.email, acct.Spec.Profile.Email):
		return nil, errNotFound("no account has the login %q and the e-mail %q", acct.Spec.Login, in.email)
	}
	return t, a.unlocked(ctx, g.Name)
}

// accountOf is the account in names (the caller's when it names none).
func (a *API) accountOf(ctx context.Context, c *caller, in mailRequest) (*tenancyv1alpha1.Account, error) {
	var byLogin, byID *tenancyv1alpha1.Account
	var err error
	if in.login != "" {
		if byLogin, err = people.ByIndex[*tenancyv1alpha1.Account](ctx, a.Client, index.AccountLogin, in.login); err != nil {
			return nil, err
		}
		if byLogin == nil {
			return nil, errNotFound("no account has the login %q", in.login)
		}
	}
	if in.userID != "" {
		field, key, ok := identifier(in.userID, index.AccountNumericID, index.AccountID)
		if ok {
			if byID, err = people.ByIndex[*tenancyv1alpha1.Account](ctx, a.Client, field, key); err != nil {
				return nil, err
			}
		}
		if byID == nil {
			return nil, errNotFound("no account has the user_id %q: an account is named by its id or its uuid", in.userID)
		}
	}
	switch {
	case byLogin != nil && byID != nil && byLogin.UID != byID.UID:
		return nil, errBadRequest("login %q and user_id %q name different accounts", in.login, in.userID)
	case byLogin != nil:
		return byLogin, nil
	case byID != nil:
		return byID, nil
	case c == nil:
		return nil, errBadField("login", "is required")
	}
	return c.Account.DeepCopy(), nil
}

// checkAddress refuses what is not a bare e-mail address.
func checkAddress(name, email string) error {
	if email == "" {
		return errBadField(name, "is required")
	}
	if addr, err := netmail.ParseAddress(email); err != nil || addr.Address != email || len(email) > 254 {
		return errBadField(name, "%q is not an e-mail address", email)
	}
	return nil
}

// mailView is the seed's mail_actions_get_response: what the e-mail of an action says.
type mailView struct {
	Action             string            `json:"action"`
	BaseURL            string            `json:"base_url"`
	Company            string            `json:"company"`
	Downloads          map[string]string `json:"downloads"`
	Email              string            `json:"email"`
	GroupKind          int               `json:"group_kind"`
	Host               string            `json:"host"`
	Language           string            `json:"language"`
	Login              string            `json:"login"`
	RecipientFirstname string            `json:"recipient_firstname"`
	RecipientLastname  string            `json:"recipient_lastname"`
	SupportPhone       *string           `json:"support_phone"`
	SupportURL         string            `json:"support_url"`
	Token              string            `json:"token"`
	Activated          int               `json:"activated"`
	// link is where the token is used.
	link string
}

// mailViewOf issues the token of act for t and describes its e-mail.
func (a *API) mailViewOf(ctx context.Context, act action, t *mailTarget) (*mailView, error) {
	b, err := a.brandLinks(ctx, t.group)
	if err != nil {
		return nil, err
	}
	done, err := a.activated(ctx, t.acct)
	if err != nil {
		return nil, err
	}
	tok, err := a.issueAction(act, t.acct, t.group, t.email)
	if err != nil {
		return nil, err
	}
	base := a.issuerURL()
	if b.AccountServerURL != "" {
		base = absoluteURL(b.AccountServerURL)
	}
	v := &mailView{Action: act.name, BaseURL: base, Company: b.Company, Downloads: map[string]string{"user_guide": b.UserGuideURL},
		Email: t.email, GroupKind: int(t.group.Spec.Kind), Host: base, Language: accountLanguage(t.acct, t.group),
		Login: t.acct.Spec.Login, RecipientFirstname: t.acct.Spec.Profile.FirstName, RecipientLastname: t.acct.Spec.Profile.LastName,
		SupportURL: b.SupportURL, Token: tok, Activated: flag(done),
		link: base + Prefix + "/actions/" + act.name + "?token=" + url.QueryEscape(tok)}
	if b.SupportPhone != "" {
		v.SupportPhone = &b.SupportPhone
	}
	return v, nil
}

// accountLanguage is the account's language, else its group's.
func accountLanguage(acct *tenancyv1alpha1.Account, g *tenancyv1alpha1.Group) string {
	if acct.Spec.Profile.Language != "" {
		return acct.Spec.Profile.Language
	}
	return language(g)
}

// mailParams is GET /actions/mail/{activate,reset,emailupdate}?email&login&user_id: the
// parameters of the action's e-mail, its token among them, for the caller or an account it
// may act for (emailupdate: email is the new address).
func (a *API) mailParams(act action) handler {
	return func(w http.ResponseWriter, r *http.Request, c *caller) error {
		in, err := mailQuery(r, mailRequest{})
		if err != nil {
			return err
		}
		t, err := a.target(r.Context(), c, act, in)
		if err != nil {
			return err
		}
		v, err := a.mailViewOf(r.Context(), act, t)
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store") // it carries a working token
		writeJSON(w, http.StatusOK, v)
		return nil
	}
}

// The query parameters of the mail actions.
const (
	paramEmail  = "email"
	paramLogin  = "login"
	paramUserID = "user_id"
)

// mailQuery reads email, login and user_id from the query; a value the body gives too must be
// the same.
func mailQuery(r *http.Request, body mailRequest) (mailRequest, error) {
	q := r.URL.Query()
	out := body
	for _, f := range []struct {
		name string
		dst  *string
	}{{paramEmail, &out.email}, {paramLogin, &out.login}, {paramUserID, &out.userID}} {
		v, ok := q[f.name]
		switch {
		case !ok:
			continue
		case len(v) > 1:
			return out, errBadParam(f.name, "must be given once")
		case *f.dst != "" && *f.dst != v[0]:
			return out, errBadParam(f.name, "says %q, the body %q", v[0], *f.dst)
		}
		*f.dst = v[0]
	}
	return out, nil
}

// activateRequest is the seed's activate_request, the body of POST /actions/mail/*.
type activateRequest struct {
	Login  *string         `json:"login"`
	Email  *string         `json:"email"`
	UserID json.RawMessage `json:"user_id"`
}

// sendMail is POST /actions/mail/{activate,reset,emailupdate}: the action's e-mail, with its
// token and link, goes to the account's address (emailupdate: to the new one, which the link
// confirms). 204.
func (a *API) sendMail(act action) handler {
	return func(w http.ResponseWriter, r *http.Request, c *caller) error {
		ctx := r.Context()
		var body activateRequest
		if err := rest.DecodeJSON(r, &body); err != nil {
			return err
		}
		login, err := required("login", body.Login)
		if err != nil {
			return err
		}
		email, err := required("email", body.Email)
		if err != nil {
			return err
		}
		userID, err := refOf("user_id", body.UserID)
		if err != nil {
			return err
		}
		in, err := mailQuery(r, mailRequest{login: login, email: email, userID: userID})
		if err != nil {
			return err
		}
		t, err := a.target(ctx, c, act, in)
		if err != nil {
			return err
		}
		if t.email == "" {
			return errBadRequest("account %s has no e-mail address to send to", t.acct.Spec.Login)
		}
		if c == nil {
			if wait := a.openMails.reserve(t.acct.UID, time.Now()); wait > 0 {
				return &rest.ThrottledError{RetryAfter: wait,
					Reason: "this account's mail was sent less than a minute ago; try again later"}
			}
		}
		sent := false
		defer func() {
			if c == nil && !sent {
				a.openMails.release(t.acct.UID)
			}
		}()
		v, err := a.mailViewOf(ctx, act, t)
		if err != nil {
			return err
		}
		lang := mailLanguage(act.name, v.Language)
		subject, text := compose(act.name, lang, mailValues{name: fullName(t.acct), login: t.acct.Spec.Login,
			company: v.Company, link: v.link, email: t.email})
		to := (&netmail.Address{Name: fullName(t.acct), Address: t.email}).String()
		if err := a.deliver(ctx, t.group, &mail.Message{To: to, Subject: subject, Text: text, Language: lang}); err != nil {
			return err
		}
		sent = true
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// refOf reads an id or UUID given as a JSON number or string ("" when absent or null).
func refOf(name string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		if id, err := strconv.ParseInt(n.String(), 10, 64); err == nil && id > 0 {
			return strconv.FormatInt(id, 10), nil
		}
		return "", errBadField(name, "must be a positive integer id or a uuid")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || s == "" {
		return "", errBadField(name, "must be a positive integer id or a uuid")
	}
	return s, nil
}

// sendTest is POST /actions/mail/test: a test e-mail to the caller, through the mail settings
// of group_id (in the caller's subtree). 204.
func (a *API) sendTest(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	var body struct {
		GroupID json.RawMessage `json:"group_id"`
	}
	if err := rest.DecodeJSON(r, &body); err != nil {
		return err
	}
	ref, err := refOf("group_id", body.GroupID)
	if err != nil {
		return err
	}
	if ref == "" {
		return errBadField("group_id", "is required")
	}
	g, err := a.groupByRef(ctx, ref)
	if err != nil {
		return err
	}
	if err := c.scoped(g); err != nil {
		return err
	}
	email := c.Account.Spec.Profile.Email
	if checkAddress("email", email) != nil {
		return errBadRequest("the caller's account has no e-mail address to send the test to")
	}
	b, err := a.brandLinks(ctx, g)
	if err != nil {
		return err
	}
	lang := mailLanguage("test", accountLanguage(c.Account, g))
	subject, text := compose("test", lang, mailValues{name: fullName(c.Account), company: b.Company,
		group: groupName(g) + " (" + strconv.FormatInt(g.Spec.ID, 10) + ")"})
	to := (&netmail.Address{Name: fullName(c.Account), Address: email}).String()
	if err := a.deliver(ctx, g, &mail.Message{To: to, Subject: subject, Text: text, Language: lang}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
