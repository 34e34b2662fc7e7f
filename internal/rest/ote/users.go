package ote

import (
	"errors"
	"net/http"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/verify"
)

// Approval statuses of users and businesses, as the document numbers them.
const (
	statusPending     = 0
	statusApproved    = 1
	statusNotApproved = 2
	statusForbidden   = 3
)

// userBody is the body of POST /v1/user and POST /v1/admin/user.
type userBody struct {
	User     *string `json:"user"`
	Password *string `json:"password"`
	Phone    *string `json:"phone"`
	IsAdmin  *bool   `json:"isAdmin"`
	RealName *string `json:"realName"`
}

type newUser struct {
	user, password, phone, realName string
	isAdmin                         bool
}

func (b *userBody) validate() (*newUser, error) {
	var u newUser
	var err error
	if u.user, err = required(paramUser, b.User); err != nil {
		return nil, err
	}
	if err := checkUser(u.user); err != nil {
		return nil, err
	}
	if u.password, err = newPassword("password", b.Password); err != nil {
		return nil, err
	}
	if u.phone, err = required("phone", b.Phone); err != nil {
		return nil, err
	}
	if err := checkPhone(u.phone); err != nil {
		return nil, err
	}
	if u.isAdmin, err = required("isAdmin", b.IsAdmin); err != nil {
		return nil, err
	}
	if u.realName, err = required("realName", b.RealName); err != nil {
		return nil, err
	}
	if err := checkRealName(u.realName); err != nil {
		return nil, err
	}
	return &u, nil
}

// readUser decodes and validates a user body.
func readUser(r *http.Request) (*newUser, error) {
	var body userBody
	if err := decode(r, &body); err != nil {
		return nil, err
	}
	return body.validate()
}

// account builds the Account of a new user in namespace.
func (u *newUser) account(namespace string, approval tenancyv1alpha1.ApprovalState) *tenancyv1alpha1.Account {
	acct := &tenancyv1alpha1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: people.PersonAccountName(u.user)},
		Spec: tenancyv1alpha1.AccountSpec{Login: u.user, Type: tenancyv1alpha1.AccountTypeUser, Approval: approval,
			Profile: tenancyv1alpha1.AccountProfile{FirstName: u.realName, Phone: u.phone},
			Roles:   []string{"user"}},
	}
	if u.isAdmin {
		acct.Annotations = map[string]string{AnnotationIsAdmin: flagSet}
	}
	return acct
}

func (a *API) createUser(r *http.Request, u *newUser, acct *tenancyv1alpha1.Account) error {
	err := people.CreatePerson(r.Context(), a.Client, acct, u.password)
	if errors.Is(err, people.ErrLoginTaken) {
		return errParam(paramUser, "user name %q is already taken", u.user)
	}
	return err
}

// register is self-registration: the user waits, pending, for a system administrator.
func (a *API) register(w http.ResponseWriter, r *http.Request) error {
	u, err := readUser(r)
	if err != nil {
		return err
	}
	acct := u.account(people.RootNamespace, tenancyv1alpha1.ApprovalPending)
	if err := a.createUser(r, u, acct); err != nil {
		return err
	}
	ok(w, map[string]any{fieldData: map[string]any{"id": acct.Spec.ID}})
	return nil
}

func (a *API) changePassword(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	var body struct {
		OldPassword *string `json:"oldPassword"`
		Password    *string `json:"password"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	old, err := required("oldPassword", body.OldPassword)
	if err != nil {
		return err
	}
	pw, err := newPassword("password", body.Password)
	if err != nil {
		return err
	}
	if _, err := a.Auth.Password(r, c.Account.Spec.Login, old); errors.Is(err, verify.ErrWrongPassword) {
		return errParam("oldPassword", "does not match the current password")
	} else if err != nil {
		return err
	}
	if err := people.SetPassword(r.Context(), a.Client, c.Account, pw); err != nil {
		return err
	}
	ok(w, nil)
	return nil
}
