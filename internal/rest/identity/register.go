package identity

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/people"
)

type registration struct {
	NickName  *string  `json:"nick_name"`
	FirstName *string  `json:"first_name"`
	LastName  *string  `json:"last_name"`
	SurName   *string  `json:"sur_name"`
	Email     *string  `json:"email"`
	Password  *string  `json:"password"`
	Roles     []string `json:"roles"`
}

func (a *API) register(w http.ResponseWriter, r *http.Request) {
	c, err := a.caller(r, false)
	if err != nil {
		fail(w, err)
		return
	}
	var body registration
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	switch {
	case body.NickName == nil || *body.NickName == "":
		err = errField("nick_name", "is required")
	case !nickPattern.MatchString(*body.NickName):
		err = errField("nick_name", "must be 3–128 characters: letters, digits and . _ @ -, starting with a letter or digit")
	case body.Email == nil || *body.Email == "":
		err = errField("email", "is required")
	case !emailPattern.MatchString(*body.Email) || len(*body.Email) > 254:
		err = errField("email", "is not an e-mail address")
	case body.Password == nil:
		err = errField("password", "is required")
	}
	if err == nil {
		err = cmp.Or(checkPassword(*body.Password), checkName("first_name", body.FirstName),
			checkName("last_name", body.LastName), checkName("sur_name", body.SurName), checkRoles(body.Roles))
	}
	if err != nil {
		fail(w, err)
		return
	}
	roles := body.Roles
	if len(roles) == 0 {
		roles = []string{"user"}
	}
	slices.Sort(roles)
	roles = slices.Compact(roles)
	if beyondUser(roles) && (c == nil || !c.admin) {
		fail(w, errStatus(http.StatusForbidden, "forbidden", "only an administrator may grant roles other than \"user\""))
		return
	}
	if other, err := a.byIndex(r.Context(), IndexEmail, strings.ToLower(*body.Email)); err != nil {
		fail(w, err)
		return
	} else if other != nil {
		fail(w, errEmailTaken(*body.Email))
		return
	}
	ns := cmp.Or(a.Namespace, people.RootNamespace)
	approval := tenancyv1alpha1.ApprovalApproved
	if a.RequireApproval && (c == nil || !c.admin) {
		approval = tenancyv1alpha1.ApprovalPending
	}
	// The label makes admission claim the e-mail: of concurrent registrations, one wins.
	acct := &tenancyv1alpha1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: people.PersonAccountName(*body.NickName),
			Labels: map[string]string{tenancyv1alpha1.LabelEmailLogin: "true"}},
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
			err = errEmailTaken(*body.Email)
		case errors.Is(err, people.ErrLoginTaken):
			err = errStatus(http.StatusConflict, "user exists", "nick_name: "+*body.NickName+" is already taken")
		}
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": acct.Spec.AccountID, "status": "user created"})
}
