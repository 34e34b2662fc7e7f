package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/people"
)

// serviceUserAccess is the access_type a service user answers with: it holds no Admin grant,
// so nothing beyond read (the seed's examples show 1).
const serviceUserAccess = tenancyv1alpha1.AccessRead

// userByRef finds the service user a path names by its Account's id or uuid: 404 for an
// Account that holds an Admin grant (it is an admin, under /admins).
func (a *API) userByRef(ctx context.Context, ref string) (*person, error) {
	acct, err := a.accountByRef(ctx, ref, "user")
	if err != nil {
		return nil, err
	}
	grant, err := people.AdminGrant(ctx, a.Client, acct)
	if err != nil {
		return nil, err
	}
	if grant != nil {
		return nil, errNotFound("user %s is an administrator: it is admin %d", ref, grant.Spec.ID)
	}
	g, err := a.groupOfAccount(ctx, acct)
	if err != nil {
		return nil, err
	}
	return &person{Account: acct, Group: g}, nil
}

// userParam is the {user} of the path, within the caller's subtree (403 outside).
func (a *API) userParam(r *http.Request, c *caller) (*person, error) {
	p, err := a.userByRef(r.Context(), r.PathValue("user"))
	if err != nil {
		return nil, err
	}
	return p, c.scoped(p.Group)
}

// hidden reports an Account the users list leaves out unless include_hidden=1: one that may
// not act yet, pending or refused in ote-stack's approval workflow.
func hidden(acct *tenancyv1alpha1.Account) bool {
	return acct.Spec.Approval != "" && acct.Spec.Approval != tenancyv1alpha1.ApprovalApproved
}

// userView is GET /users/{user} (user_get_response), and an item of GET
// /groups/{group}/users: every field the seed requires, and the notification subscriptions
// POST and PUT take. id and user_id are both the Account's id (an Account is one identity),
// version its metadata.generation.
type userView struct {
	contact
	ID         int64      `json:"id"`
	UUID       string     `json:"uuid"`
	TenantID   int64      `json:"tenant_id"`
	UserID     int64      `json:"user_id"`
	Login      string     `json:"login"`
	Language   string     `json:"language"`
	AccessType int32      `json:"access_type"`
	Roles      int32      `json:"roles"`
	Privileged int        `json:"privileged"`
	Status     int        `json:"status"`
	Usage      any        `json:"usage"`
	Privileges any        `json:"privileges"`
	Backup     backupView `json:"backup"`
	Agents     agents     `json:"agents"`
	IdpID      int64      `json:"idp_id"`
	IdpUUID    string     `json:"idp_uuid"`
	personFlags
	Version int64 `json:"version"`
}

type backupView struct {
	Monitor int `json:"monitor"`
}

// userViewOf is acct's view; idp is Tessera's identity provider (a.identityProvider(), asked
// once per request).
func userViewOf(acct *tenancyv1alpha1.Account, g *tenancyv1alpha1.Group, idp idpView) userView {
	pf := acct.Spec.Portal
	return userView{contact: personContact(acct), ID: acct.Spec.ID, UUID: acct.Spec.AccountID, TenantID: g.Spec.ID,
		UserID: acct.Spec.ID, Login: acct.Spec.Login, Language: personLanguage(acct, g), AccessType: int32(serviceUserAccess),
		Roles: pf.Roles, Privileged: flag(pf.Privileged), Status: accountStatus(acct), Usage: userUsage,
		Privileges: userPrivileges(pf.Privileges), Backup: backupView{flag(pf.BackupMonitorDisabled)},
		Agents: agents{flag(!pf.AgentsAutoupdateDisabled)}, IdpID: idp.ID, IdpUUID: idp.UUID,
		personFlags: personFlagsOf(pf, pf.Notifications), Version: acct.Generation}
}

// localBackupKey is the one privilege of a service user that is a 0/1 flag
// (quotas_and_privileges_local_backup_is_integer), 1 until set.
const localBackupKey = "local_backup"

// A list of a thousand users answers a thousand usage and privileges objects: they are
// structs of a type made once from their keys (encoding/json caches a struct type's encoder,
// while it sorts and reflects a map's keys on every call).
var (
	usageObject      = newIntObject(usageKeys)
	privilegesObject = newIntObject(append(slices.Collect(maps.Keys(privilegeDefaults)), localBackupKey))
	// userUsage is every count and size 0: Tessera holds no backups.
	userUsage             = usageObject.of(func(string) int64 { return 0 })
	defaultUserPrivileges = privilegesObject.of(userPrivilegeDefault)
)

// userPrivileges are a service user's privileges as answered: every key, set or default.
func userPrivileges(set map[string]int64) any {
	if len(set) == 0 {
		return defaultUserPrivileges
	}
	return privilegesObject.of(func(k string) int64 { return valueOr(set, k, userPrivilegeDefault(k)) })
}

func userPrivilegeDefault(k string) int64 {
	if k == localBackupKey {
		return 1
	}
	return privilegeDefaults[k]
}

// intObject is a JSON object of integers with fixed keys, as a struct type; objectKeys hold
// objects of their own instead.
type intObject struct {
	typ     reflect.Type
	keys    []string
	objects map[string]bool
}

func newIntObject(keys []string, objectKeys ...string) intObject {
	o := intObject{keys: slices.Sorted(slices.Values(append(slices.Clone(keys), objectKeys...))), objects: map[string]bool{}}
	for _, k := range objectKeys {
		o.objects[k] = true
	}
	fields := make([]reflect.StructField, len(o.keys))
	for i, k := range o.keys {
		typ := reflect.TypeFor[int64]()
		if o.objects[k] {
			typ = reflect.TypeFor[any]()
		}
		fields[i] = reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: typ, Tag: reflect.StructTag(fmt.Sprintf(`json:%q`, k))}
	}
	o.typ = reflect.StructOf(fields)
	return o
}

// of is the object with value(key) at each key, ready for encoding/json.
func (o intObject) of(value func(key string) int64) any { return o.with(value, nil) }

// with is the object with value(key) at each integer key and object(key) at each object key.
func (o intObject) with(value func(key string) int64, object func(key string) any) any {
	v := reflect.New(o.typ).Elem()
	for i, k := range o.keys {
		if o.objects[k] {
			v.Field(i).Set(reflect.ValueOf(object(k)))
			continue
		}
		v.Field(i).SetInt(value(k))
	}
	return v.Interface()
}

// userPrivilegesInput are privileges in a request, checked key by key: the groups' keys, and
// local_backup as 0/1.
type userPrivilegesInput map[string]int64

func (p *userPrivilegesInput) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return errBadField("privileges", "must be an object")
	}
	*p = make(userPrivilegesInput, len(raw))
	for k, v := range raw {
		if _, ok := privilegeDefaults[k]; !ok && k != localBackupKey {
			return errBadField("privileges."+k, "is no privilege the portal knows")
		}
		var n int64
		if err := json.Unmarshal(v, &n); err != nil {
			return errBadField("privileges."+k, "must be an integer")
		}
		if k == localBackupKey && n != 0 && n != 1 {
			return errBadField("privileges."+k, "must be 0 or 1")
		}
		(*p)[k] = n
	}
	return nil
}
