package portal

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
)

// peopleRoutes are the portal's administrators, service users, the JWTs it issues for them,
// and its identity provider.
func (a *API) peopleRoutes() []route {
	return []route{
		{"GET /groups/{group}/admins", readers, a.listAdmins},
		{"POST /groups/{group}/admins", partners, a.createAdmin},
		{"GET /admins/{admin}", readers, a.getAdmin},
		{"PUT /admins/{admin}", writers, a.putAdmin},
		{"DELETE /admins/{admin}", writers, a.deleteAdmin},
		{"GET /admins/{admin}/jwt", readers, a.adminJWT},
		{"GET /admins/{admin}/impersonate", anyCaller, a.impersonateAdmin},

		{"GET /groups/{group}/users", readers, a.listUsers},
		{"POST /groups/{group}/users", writers, a.createUser},
		{"GET /users/{user}", readers, a.getUser},
		{"PUT /users/{user}", writers, a.putUser},
		{"DELETE /users/{user}", writers, a.deleteUser},
		{"GET /users/{user}/jwt", readers, a.userJWT},
		{"GET /users/{user}/impersonate", roots, a.impersonateUser},
		{"GET /users/{user}/links", readers, a.userLinks},

		{"GET /idp", readers, a.getIdP},
	}
}

// listAdmins is GET /groups/{group}/admins: every admin of the group itself (not of its
// subtree), by id.
func (a *API) listAdmins(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	accts, admins, err := a.members(r.Context(), tenancyv1alpha1.GroupNamespace(g.Name))
	if err != nil {
		return err
	}
	byName := make(map[string]*tenancyv1alpha1.Account, len(accts))
	for _, acct := range accts {
		byName[acct.Name] = acct
	}
	slices.SortFunc(admins, func(x, y *tenancyv1alpha1.Admin) int { return cmp.Compare(x.Spec.ID, y.Spec.ID) })
	items := []adminItem{}
	for _, adm := range admins {
		if acct := byName[adm.Spec.AccountRef.Name]; acct != nil {
			items = append(items, adminItemOf(adm, acct, g))
		}
	}
	writeJSON(w, http.StatusOK, itemList[adminItem]{items})
	return nil
}

// itemList is the seed's list answer, {"items": [...]}.
type itemList[T any] struct {
	Items []T `json:"items"`
}

// versionAnswer is the seed's answer to an update, {"version": N}.
type versionAnswer struct {
	Version int64 `json:"version"`
}

// adminCreated is POST /groups/{group}/admins's answer (admins_post_response).
type adminCreated struct {
	ID      int64  `json:"id"`
	UserID  int64  `json:"user_id"`
	Version int64  `json:"version"`
	UUID    string `json:"uuid"`
}

// getAdmin is GET /admins/{admin}.
func (a *API) getAdmin(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := a.adminParam(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, adminViewOf(p))
	return nil
}

// adminCreate is POST /groups/{group}/admins's body: the seed's admins_post_request and the
// contact fields its example sends, and Tessera's `password`. Without a password the account
// is created inactive (status -1) and is activated through /actions.
type adminCreate struct {
	personInput
	AccessType opt[int32] `json:"access_type"`
}

// createAdmin is POST /groups/{group}/admins: an Account in the group's namespace and an Admin
// grant on it; 201 {id, user_id, version, uuid}. With use_existing_identity=1 an Account of
// that login in the group (a service user) gets the grant instead.
func (a *API) createAdmin(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	g, err := a.writableGroup(r, c)
	if err != nil {
		return err
	}
	var body adminCreate
	if err := rest.DecodeJSON(r, &body); err != nil {
		return err
	}
	acct, adm, err := body.build(c, g)
	if err != nil {
		return err
	}
	existing, err := body.existing(ctx, a, acct)
	if err != nil {
		return err
	}
	if existing != nil {
		acct = existing
	} else if err := a.createAccount(ctx, acct, body.Password); err != nil {
		return err
	}
	adm.Namespace, adm.Name, adm.Spec.AccountRef.Name = acct.Namespace, acct.Name, acct.Name
	if err := a.Client.Create(ctx, adm); err != nil {
		if existing == nil {
			a.dropAccount(ctx, acct)
		}
		if apierrors.IsAlreadyExists(err) {
			return errConflict("account %q already holds an Admin grant", acct.Spec.Login)
		}
		return people.ClassifyWrite(err)
	}
	if err := credential.WaitVisible(ctx, a.Client, adm); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, adminCreated{ID: adm.Spec.ID, UserID: acct.Spec.ID, Version: adm.Generation, UUID: adm.Spec.UUID})
	return nil
}

// build validates the body and makes the Account and the Admin to create in g.
func (b *adminCreate) build(c *caller, g *tenancyv1alpha1.Group) (*tenancyv1alpha1.Account, *tenancyv1alpha1.Admin, error) {
	acct, err := b.newAccount(g)
	if err != nil {
		return nil, nil, err
	}
	adm := &tenancyv1alpha1.Admin{}
	access := tenancyv1alpha1.AccessFull
	if c.role != tenancyv1alpha1.RoleRootAdmin {
		access &= c.access // by default, what the creator holds of full access
	}
	if b.AccessType.Set {
		access = tenancyv1alpha1.AccessType(b.AccessType.V)
	}
	if err := checkAccess(c, b.AccessType, access, 0); err != nil {
		return nil, nil, err
	}
	adm.Spec.AccessType = access
	if err := checkRoles(b.Roles); err != nil {
		return nil, nil, err
	}
	setValue(b.Roles, &adm.Spec.Roles)
	if err := b.notificationsInput.apply(&adm.Spec.Notifications); err != nil {
		return nil, nil, err
	}
	return acct, adm, nil
}

// existing is the Account use_existing_identity=1 names: one of that login in the group's
// namespace without a grant. nil when the flag is off or the login is free (a new account is
// made); 409 when the login's Account is elsewhere or an administrator already.
func (b *adminCreate) existing(ctx context.Context, a *API, acct *tenancyv1alpha1.Account) (*tenancyv1alpha1.Account, error) {
	if b.UseExistingIdentity.V != 1 {
		return nil, nil
	}
	other, err := people.ByIndex[*tenancyv1alpha1.Account](ctx, a.Client, index.AccountLogin, acct.Spec.Login)
	if err != nil || other == nil {
		return nil, err
	}
	if other.Namespace != acct.Namespace {
		return nil, errConflict("login %q belongs to an account of another group: an account holds grants only in its own group",
			acct.Spec.Login)
	}
	if grant, err := people.AdminGrant(ctx, a.Client, other); err != nil {
		return nil, err
	} else if grant != nil {
		return nil, errConflict("account %q is an administrator already (admin %d)", acct.Spec.Login, grant.Spec.ID)
	}
	if b.Password.Set {
		return nil, errBadField("password", "an existing identity keeps its password")
	}
	return other, nil
}

// checkAccess refuses an access type outside the portal's bitmask (400), and one that grants
// bits the caller lacks (403; a root admin grants any). old is the access it replaces (0 for
// none): keeping bits one lacks is not granting them.
func checkAccess(c *caller, o opt[int32], access, old tenancyv1alpha1.AccessType) error {
	if o.Null || access < 1 || access > 31 {
		return errBadField("access_type", "must be a bitmask from 1 to 31 (read 1, branding 2, write 4, external 8, migration 16)")
	}
	if added := access &^ old &^ c.access; added != 0 && c.role != tenancyv1alpha1.RoleRootAdmin {
		return errForbidden("access_type %d grants access bits %d the caller (access type %d) does not hold", access, added, c.access)
	}
	return nil
}

// createAccount creates acct, with its password when one is given (then it can sign in at
// once), and waits until the cache shows it. A login taken answers 409.
func (a *API) createAccount(ctx context.Context, acct *tenancyv1alpha1.Account, password opt[string]) error {
	var err error
	if password.Set {
		err = people.CreatePerson(ctx, a.Client, acct, password.V)
	} else if err = people.ClassifyWrite(a.Client.Create(ctx, acct)); err == nil {
		err = credential.WaitVisible(ctx, a.Client, acct)
	}
	if errors.Is(err, people.ErrLoginTaken) {
		return errConflict("login %q is taken", acct.Spec.Login)
	}
	return err
}

// dropAccount removes an Account this request created when the rest of the create failed.
func (a *API) dropAccount(ctx context.Context, acct *tenancyv1alpha1.Account) {
	uid := acct.UID
	_ = a.Client.Delete(context.WithoutCancel(ctx), acct, client.Preconditions{UID: &uid})
}

// deleteAdmin is DELETE /admins/{admin}?version=: the Admin grant goes, and with it its
// Account unless another grant holds it. An administrator may not delete itself.
func (a *API) deleteAdmin(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	p, err := a.adminParam(r, c)
	if err != nil {
		return err
	}
	if c.IsSelf(p.Account) {
		return errForbidden("can not change access policies for self: an administrator may not delete itself")
	}
	if err := a.mayWrite(ctx, c, p.Group); err != nil {
		return err
	}
	if err := checkVersion(r, p.Admin.Generation); err != nil {
		return err
	}
	if err := a.deleteObject(ctx, p.Admin, "admin"); err != nil {
		return err
	}
	grants := &tenancyv1alpha1.AdminList{}
	if err := a.Client.List(ctx, grants, client.InNamespace(p.Account.Namespace),
		client.MatchingFields{index.AdminAccount: p.Account.Name}); err != nil {
		return err
	}
	others := slices.ContainsFunc(grants.Items, func(g tenancyv1alpha1.Admin) bool {
		return g.UID != p.Admin.UID && g.DeletionTimestamp == nil
	})
	if !others {
		if err := a.deleteObject(ctx, p.Account, "admin"); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteObject deletes obj (the object of its UID) and waits until the cache no longer shows
// it live; one gone already answers 404.
func (a *API) deleteObject(ctx context.Context, obj client.Object, what string) error {
	uid := obj.GetUID()
	if err := a.Client.Delete(ctx, obj, client.Preconditions{UID: &uid}); err != nil {
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return errNotFound("the %s does not exist any more", what)
		}
		return people.ClassifyWrite(err)
	}
	return people.WaitDeleted(ctx, a.Client, obj)
}
