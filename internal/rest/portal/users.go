package portal

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/client-go/util/retry"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/tree"
)

// listUsers is GET /groups/{group}/users?include_hidden=: every service user of the group
// itself (Accounts without an Admin grant), by id; hidden ones (pending approval) only with
// include_hidden=1. The answer is kept while the group, its namespace's Accounts and Admins
// (their stamp, read before them) and the identity provider stay as they were.
func (a *API) listUsers(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	withHidden, err := flagParam(r, "include_hidden")
	if err != nil {
		return err
	}
	ns, idp := tenancyv1alpha1.GroupNamespace(g.Name), a.identityProvider()
	list := func() ([]byte, error) { return a.usersJSON(r.Context(), g, idp, withHidden) }
	stamp := a.Members.Stamp(ns)
	if stamp == 0 { // the index has no members here: 0 identifies no state to keep
		body, err := list()
		if err != nil {
			return err
		}
		writeRaw(w, body)
		return nil
	}
	key := userListKey{group: g.ResourceVersion, members: stamp, hidden: withHidden, issuer: idp.Issuer}
	body, err := a.userLists.encoded(g.UID, key, list)
	if err != nil {
		return err
	}
	writeRaw(w, body)
	return nil
}

// userListKey is what a group's list of service users shows besides its Accounts.
type userListKey struct {
	group   string // resourceVersion
	members uint64 // listindex.Members.Stamp
	hidden  bool
	issuer  string // the identity provider's
}

// usersJSON is the answer of listUsers: each item from the item cache while its Account, the
// group and the identity provider are as they were.
func (a *API) usersJSON(ctx context.Context, g *tenancyv1alpha1.Group, idp idpView, withHidden bool) ([]byte, error) {
	accts, admins, err := a.members(ctx, tenancyv1alpha1.GroupNamespace(g.Name))
	if err != nil {
		return nil, err
	}
	granted := make(map[string]bool, len(admins))
	for _, adm := range admins {
		granted[adm.Spec.AccountRef.Name] = true
	}
	accts = slices.DeleteFunc(accts, func(acct *tenancyv1alpha1.Account) bool {
		return granted[acct.Name] || !withHidden && hidden(acct)
	})
	slices.SortFunc(accts, func(x, y *tenancyv1alpha1.Account) int { return cmp.Compare(x.Spec.ID, y.Spec.ID) })
	items := make([][]byte, 0, len(accts))
	key := userKey{groupVersion: g.ResourceVersion, issuer: idp.Issuer}
	for _, acct := range accts {
		key.version = acct.ResourceVersion
		raw, err := a.userViews.encoded(acct.UID, key, func() ([]byte, error) { return json.Marshal(userViewOf(acct, g, idp)) })
		if err != nil {
			return nil, err
		}
		items = append(items, raw)
	}
	return itemsJSON(items), nil
}

// userKey is what a service user's item shows: its Account, its group and the identity
// provider (made from the issuer), each by what identifies its state.
type userKey struct{ version, groupVersion, issuer string }

// getUser is GET /users/{user}.
func (a *API) getUser(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := a.userParam(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userViewOf(p.Account, p.Group, a.identityProvider()))
	return nil
}

// userInput is the body of POST /groups/{group}/users and PUT /users/{user} (both
// users_post_request: the contact and the user's fields), and Tessera's `password` on POST.
type userInput struct {
	personInput
	Privileged opt[int]             `json:"privileged"`
	Privileges *userPrivilegesInput `json:"privileges"`
	Agents     *agentsInput         `json:"agents"`
	Backup     *backupInput         `json:"backup"`
	IdpID      opt[int64]           `json:"idp_id"`
	IdpUUID    opt[string]          `json:"idp_uuid"`
}

type backupInput struct {
	Monitor opt[int] `json:"monitor"`
}

// apply validates the user's fields (all but login and password) and writes them into acct.
// use_existing_identity is checked and has no effect: a service user is always an Account of
// its own.
func (u *userInput) apply(a *API, acct *tenancyv1alpha1.Account) error {
	if err := applyContact(&u.contactInput, acct); err != nil {
		return err
	}
	if err := setLanguage(acct, u.Language); err != nil {
		return err
	}
	pf := &acct.Spec.Portal
	if err := u.notificationsInput.apply(&pf.Notifications); err != nil {
		return err
	}
	for name, o := range map[string]opt[int]{"privileged": u.Privileged, "use_existing_identity": u.UseExistingIdentity} {
		if err := checkFlag(name, o); err != nil {
			return err
		}
		if o.Null {
			return errBadField(name, "may not be null")
		}
	}
	if u.Privileged.Set {
		pf.Privileged = u.Privileged.V == 1
	}
	if err := checkRoles(u.Roles); err != nil {
		return err
	}
	setValue(u.Roles, &pf.Roles)
	if u.Privileges != nil {
		if pf.Privileges == nil {
			pf.Privileges = map[string]int64{}
		}
		maps.Copy(pf.Privileges, *u.Privileges)
	}
	for name, o := range map[string]*opt[int]{"agents.autoupdate": agentsFlag(u.Agents), "backup.monitor": backupFlag(u.Backup)} {
		if o == nil {
			continue
		}
		if err := checkFlag(name, *o); err != nil {
			return err
		}
		if o.Null {
			return errBadField(name, "may not be null")
		}
	}
	if o := agentsFlag(u.Agents); o != nil && o.Set {
		pf.AgentsAutoupdateDisabled = o.V == 0
	}
	if o := backupFlag(u.Backup); o != nil && o.Set {
		pf.BackupMonitorDisabled = o.V == 1
	}
	return a.checkIdP(u.IdpID, u.IdpUUID)
}

func agentsFlag(in *agentsInput) *opt[int] {
	if in == nil {
		return nil
	}
	return &in.Autoupdate
}

func backupFlag(in *backupInput) *opt[int] {
	if in == nil {
		return nil
	}
	return &in.Monitor
}

// userCreated is POST /groups/{group}/users's answer (version_id_uuid).
type userCreated struct {
	Version int64  `json:"version"`
	ID      int64  `json:"id"`
	UUID    string `json:"uuid"`
}

// createUser is POST /groups/{group}/users: an Account in the group's namespace; 201
// {version, id, uuid}. Only groups of kinds 40 and 50 hold service users (400 elsewhere).
func (a *API) createUser(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	g, err := a.writableGroup(r, c)
	if err != nil {
		return err
	}
	info, _ := a.Forest.Info(g.Name)
	if !tree.ServiceUsersAllowed(int32(g.Spec.Kind), info.Depth) {
		return errBadRequest("a group of kind %d holds no service users: they live in companies (40) and units (50)", g.Spec.Kind)
	}
	var body userInput
	if err := rest.DecodeJSON(r, &body); err != nil {
		return err
	}
	acct, err := body.newAccount(g)
	if err != nil {
		return err
	}
	if err := body.apply(a, acct); err != nil {
		return err
	}
	if err := a.createAccount(ctx, acct, body.Password); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, userCreated{Version: acct.Generation, ID: acct.Spec.ID, UUID: acct.Spec.AccountID})
	return nil
}

// putUser is PUT /users/{user}?version=: a partial update, the login too (409 when taken);
// {"version": N}, N the Account's metadata.generation. Passwords change through /actions.
func (a *API) putUser(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	p, err := a.userParam(r, c)
	if err != nil {
		return err
	}
	var body userInput
	if err := rest.DecodeJSON(r, &body); err != nil {
		return err
	}
	if body.Password.Set {
		return errBadField("password", "is set on create only; passwords change through /actions")
	}
	if body.Login.Null {
		return errBadField("login", "may not be null")
	}
	if err := checkLoginIfSet(body.Login); err != nil {
		return err
	}
	next := p.Account
	err = retry.RetryOnConflict(writeRetry, func() error {
		if next != p.Account { // a retry: read again
			fresh, err := a.userByRef(ctx, r.PathValue("user"))
			if err != nil {
				return err
			}
			p = fresh
		}
		if err := a.mayWrite(ctx, c, p.Group); err != nil {
			return err
		}
		if err := checkVersion(r, p.Account.Generation); err != nil {
			return err
		}
		next = p.Account.DeepCopy()
		setValue(body.Login, &next.Spec.Login)
		if err := body.apply(a, next); err != nil {
			return err
		}
		if equality.Semantic.DeepEqual(next.Spec, p.Account.Spec) {
			return nil
		}
		err := people.ClassifyWrite(a.Client.Update(ctx, next))
		if errors.Is(err, people.ErrLoginTaken) {
			return errConflict("login %q is taken", next.Spec.Login) // not a conflict to retry
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := credential.WaitVisible(ctx, a.Client, next); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, versionAnswer{next.Generation})
	return nil
}

func checkLoginIfSet(o opt[string]) error {
	if !o.Set {
		return nil
	}
	return checkLogin("login", o.V)
}

// deleteUser is DELETE /users/{user}?version=.
func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	p, err := a.userParam(r, c)
	if err != nil {
		return err
	}
	if err := a.mayWrite(ctx, c, p.Group); err != nil {
		return err
	}
	if err := checkVersion(r, p.Account.Generation); err != nil {
		return err
	}
	if err := a.deleteObject(ctx, p.Account, "user"); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
