package identity

import (
	"cmp"
	"errors"
	"net/http"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/principal"
)

// registration is POST /user's body.
type registration struct {
	NickName *string `json:"nick_name"`
	userFields
}

// check validates a registration; the nick name, e-mail and password are required.
func (b *registration) check() error {
	if err := checkNick(b.NickName); err != nil {
		return err
	}
	if b.Email == nil || *b.Email == "" {
		return errField(fieldEmail, "is required")
	}
	if err := checkEmail(*b.Email); err != nil {
		return err
	}
	if b.Password == nil {
		return errField("password", "is required")
	}
	return cmp.Or(checkPassword(*b.Password), b.checkNamesAndRoles())
}

// register creates the Account of a new user; p is nil for an anonymous registration.
func (a *API) register(w http.ResponseWriter, r *http.Request, p *principal.Principal) error {
	var body registration
	if err := decode(r, &body); err != nil {
		return err
	}
	if err := body.check(); err != nil {
		return err
	}
	roles := []string{"user"}
	if len(body.Roles) > 0 {
		roles = sortedSet(body.Roles)
	}
	if err := mayHoldRoles(r.Context(), p, roles, nil); err != nil {
		return err
	}
	if other, err := a.byIndex(r.Context(), IndexEmail, strings.ToLower(*body.Email)); err != nil {
		return err
	} else if other != nil {
		return errEmailTaken(*body.Email)
	}
	ns := cmp.Or(a.Namespace, people.RootNamespace)
	approval := tenancyv1alpha1.ApprovalApproved
	if a.RequireApproval {
		if admin, err := isAdministrator(r.Context(), p); err != nil {
			return err
		} else if !admin {
			approval = tenancyv1alpha1.ApprovalPending
		}
	}
	// The label makes admission claim the e-mail: of concurrent registrations, one wins.
	acct := &tenancyv1alpha1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: people.PersonAccountName(*body.NickName),
			Labels: map[string]string{tenancyv1alpha1.LabelEmailLogin: tenancyv1alpha1.LabelEmailLoginEnabled}},
		Spec: tenancyv1alpha1.AccountSpec{Login: *body.NickName, Type: tenancyv1alpha1.AccountTypeUser,
			Approval: approval, Roles: roles, Profile: tenancyv1alpha1.AccountProfile{
				NickName: *body.NickName, Email: *body.Email, FirstName: deref(body.FirstName), LastName: deref(body.LastName)}},
	}
	if body.SurName != nil && *body.SurName != "" {
		acct.Annotations = map[string]string{AnnotationSurName: *body.SurName}
	}
	if err := people.CreatePerson(r.Context(), a.Client, acct, *body.Password); err != nil {
		switch {
		case people.IsDuplicate(err, emailField):
			return errEmailTaken(*body.Email)
		case errors.Is(err, people.ErrLoginTaken):
			return errNickTaken(*body.NickName)
		}
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": acct.Spec.AccountID, fieldStatus: "user created"})
	return nil
}
