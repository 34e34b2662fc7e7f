package portal

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/people"
)

// What admins and service users share: each is an Account (its login, profile and portal
// fields), found by its id or uuid, in the namespace of its Group.

// The Account statuses of the seed's account_status (/logic/constants Status).
const (
	statusInactive = -1 // no password yet: the account awaits activation
	statusDisabled = 0
	statusEnabled  = 1
)

// accountStatus is -1 until the Account has a password (it is activated through /actions),
// 0 while it is disabled, 1 otherwise.
func accountStatus(acct *tenancyv1alpha1.Account) int {
	switch {
	case acct.Spec.Disabled:
		return statusDisabled
	case !hasPassword(acct):
		return statusInactive
	}
	return statusEnabled
}

// hasPassword reports an Account with a password: one stored (status), one it was created
// with (its hash was written just before it), or one a Secret of its own provides.
func hasPassword(acct *tenancyv1alpha1.Account) bool {
	return acct.Status.PasswordHashSecret != "" || acct.Spec.PasswordSecretRef != nil ||
		acct.Annotations[tenancyv1alpha1.AnnotationInitialPasswordFingerprint] != ""
}

// personContact is an Account's contact object: the names, e-mail and phone of its profile,
// the postal address of its portal fields.
func personContact(acct *tenancyv1alpha1.Account) contact {
	p, ad := acct.Spec.Profile, acct.Spec.Portal.Address
	return contact{FirstName: p.FirstName, LastName: p.LastName, Email: p.Email, Phone: p.Phone, Address1: ad.Address1,
		Address2: ad.Address2, City: ad.City, State: ad.State, Country: ad.Country, Zipcode: ad.Zipcode}
}

// applyContact merges the contact fields of a request (top-level fields of the admins' and
// users' bodies) into acct's.
func applyContact(in *contactInput, acct *tenancyv1alpha1.Account) error {
	ct := personContact(acct)
	if err := in.apply("contact", &ct); err != nil {
		if e, ok := errors.AsType[*apiError](err); ok {
			e.Info = strings.TrimPrefix(e.Info, "contact.")
		}
		return err
	}
	return setPersonContact(acct, ct)
}

// setPersonContact stores ct in acct after checking it against the Account's bounds.
func setPersonContact(acct *tenancyv1alpha1.Account, ct contact) error {
	for _, f := range []struct {
		name, value string
		max         int
	}{{"firstname", ct.FirstName, 128}, {"lastname", ct.LastName, 128}, {"email", ct.Email, 254},
		{"phone", ct.Phone, 64}, {"address1", ct.Address1, 256}, {"address2", ct.Address2, 256},
		{"city", ct.City, 128}, {"state", ct.State, 128}, {"country", ct.Country, 128}, {"zipcode", ct.Zipcode, 32}} {
		if utf8.RuneCountInString(f.value) > f.max {
			return errBadField(f.name, "is longer than %d characters", f.max)
		}
		if hasControl(f.value) {
			return errBadField(f.name, "may not hold control characters")
		}
	}
	if ct.Email != "" {
		if a, err := mail.ParseAddress(ct.Email); err != nil || a.Address != ct.Email || a.Name != "" {
			return errBadField("email", "%q is not an e-mail address", ct.Email)
		}
	}
	p := &acct.Spec.Profile
	p.FirstName, p.LastName, p.Email, p.Phone = ct.FirstName, ct.LastName, ct.Email, ct.Phone
	acct.Spec.Portal.Address = tenancyv1alpha1.PostalAddress{Address1: ct.Address1, Address2: ct.Address2, City: ct.City,
		State: ct.State, Country: ct.Country, Zipcode: ct.Zipcode}
	return nil
}

func isSpaceOrControl(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// languageTag is the Group's language pattern (a BCP 47 tag), which Accounts follow too.
var languageTag = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// setLanguage applies a language field: a tag, or null for the group's.
func setLanguage(acct *tenancyv1alpha1.Account, o opt[string]) error {
	switch {
	case !o.Set:
		return nil
	case o.Null:
		acct.Spec.Profile.Language = ""
		return nil
	case len(o.V) > 35 || !languageTag.MatchString(o.V):
		return errBadField("language", "%q is not a language tag such as en or en-US", o.V)
	}
	acct.Spec.Profile.Language = o.V
	return nil
}

// personLanguage is the Account's language, or its Group's.
func personLanguage(acct *tenancyv1alpha1.Account, g *tenancyv1alpha1.Group) string {
	if acct.Spec.Profile.Language != "" {
		return acct.Spec.Profile.Language
	}
	return language(g)
}

// displayName is the person's name for the JWT's name claim: first and last, else the login.
func displayName(acct *tenancyv1alpha1.Account) string {
	p := acct.Spec.Profile
	switch {
	case p.FirstName != "" && p.LastName != "":
		return p.FirstName + " " + p.LastName
	case p.FirstName+p.LastName != "":
		return p.FirstName + p.LastName
	}
	return acct.Spec.Login
}

func checkPassword(o opt[string]) error {
	if o.Null {
		return errBadField("password", "may not be null; leave it out to create the account inactive")
	}
	if o.Set {
		return checkNewPassword("password", o.V)
	}
	return nil
}

// personInput are the fields admins and service users are created with (users are updated
// with them too): the contact, login, language, role bits, notification subscriptions,
// use_existing_identity, and Tessera's password.
type personInput struct {
	contactInput
	notificationsInput
	Login               opt[string] `json:"login"`
	Language            opt[string] `json:"language"`
	Roles               opt[int32]  `json:"roles"`
	UseExistingIdentity opt[int]    `json:"use_existing_identity"`
	Password            opt[string] `json:"password"`
}

// newAccount validates the fields of a create that are the Account's and makes the Account in
// g's namespace, named after the login.
func (in *personInput) newAccount(g *tenancyv1alpha1.Group) (*tenancyv1alpha1.Account, error) {
	if !in.Login.Set || in.Login.Null {
		return nil, errBadField("login", "is required")
	}
	if err := checkLogin("login", in.Login.V); err != nil {
		return nil, err
	}
	if err := checkFlag("use_existing_identity", in.UseExistingIdentity); err != nil {
		return nil, err
	}
	if err := checkPassword(in.Password); err != nil {
		return nil, err
	}
	acct := &tenancyv1alpha1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: tenancyv1alpha1.GroupNamespace(g.Name), Name: people.PersonAccountName(in.Login.V)},
		Spec:       tenancyv1alpha1.AccountSpec{Login: in.Login.V},
	}
	if err := applyContact(&in.contactInput, acct); err != nil {
		return nil, err
	}
	return acct, setLanguage(acct, in.Language)
}

// notificationsInput are the notification subscriptions in a request, a partial update.
type notificationsInput struct {
	Management            opt[int]   `json:"notifications_management"`
	Backup                opt[int32] `json:"notifications_backup"`
	DeviceControl         opt[int32] `json:"notifications_device_control"`
	CertificateManagement opt[int32] `json:"notifications_certificate_management"`
}

// apply checks the bitmasks (/logic/constants Notification) and merges them into n.
func (in *notificationsInput) apply(n *tenancyv1alpha1.AdminNotifications) error {
	if err := checkFlag("notifications_management", in.Management); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		o    opt[int32]
		max  int32
		dst  *int32
	}{{"notifications_backup", in.Backup, 31, &n.Backup}, {"notifications_device_control", in.DeviceControl, 1, &n.DeviceControl},
		{"notifications_certificate_management", in.CertificateManagement, 7, &n.CertificateManagement}} {
		if f.o.Null || f.o.Set && (f.o.V < 0 || f.o.V > f.max) {
			return errBadField(f.name, "must be a bitmask from 0 to %d", f.max)
		}
		setValue(f.o, f.dst)
	}
	if in.Management.Null {
		return errBadField("notifications_management", "may not be null")
	}
	if in.Management.Set {
		n.Management = in.Management.V == 1
	}
	return nil
}

// checkRoles refuses an admin_role other than the seed's (Buyer 1, or none).
func checkRoles(o opt[int32]) error {
	if o.Null || o.Set && o.V != 0 && o.V != 1 {
		return errBadField("roles", "must be 0 or 1 (Buyer)")
	}
	return nil
}

// accountByRef finds the live Account a path names by its id (spec.id) or uuid
// (spec.accountID), or answers 404.
func (a *API) accountByRef(ctx context.Context, ref, what string) (*tenancyv1alpha1.Account, error) {
	field, key, ok := identifier(ref, index.AccountNumericID, index.AccountID)
	if !ok {
		return nil, errNotFound("%s %q does not exist: it is named by its id or its uuid", what, ref)
	}
	acct, err := people.ByIndex[*tenancyv1alpha1.Account](ctx, a.Client, field, key)
	if err != nil {
		return nil, err
	}
	if acct == nil {
		return nil, errNotFound("%s %s does not exist", what, ref)
	}
	return acct, nil
}

// writableGroup is the {group} of the path for a write: within the caller's subtree (403)
// and not locked (423).
func (a *API) writableGroup(r *http.Request, c *caller) (*tenancyv1alpha1.Group, error) {
	g, err := a.groupParam(r, c)
	if err != nil {
		return nil, err
	}
	return g, a.unlocked(r.Context(), g.Name)
}

// groupOfAccount is the Group an Account belongs to (a copy), or 404 when it has none.
func (a *API) groupOfAccount(ctx context.Context, acct *tenancyv1alpha1.Account) (*tenancyv1alpha1.Group, error) {
	g := &tenancyv1alpha1.Group{}
	if err := a.Client.Get(ctx, client.ObjectKey{Name: tenancyv1alpha1.GroupOfNamespace(acct.Namespace)}, g); err != nil {
		if client.IgnoreNotFound(err) == nil {
			return nil, errNotFound("the group of account %d does not exist", acct.Spec.ID)
		}
		return nil, err
	}
	return g, nil
}
