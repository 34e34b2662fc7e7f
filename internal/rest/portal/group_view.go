package portal

import (
	"context"
	"maps"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/tree"
)

// groupFields are the portal's fields of a Group kept in spec.portal, in the shapes the
// handlers work with (the seed's 0/1 flags, nullable values as pointers). Absent ones answer
// their defaults.
type groupFields struct {
	Status                *int
	Capabilities          int64
	CustomerID            *string
	CustomerType          int64
	DefaultIDP            int64
	External              int
	InternalTag           *string
	MigrationEnabled      *int
	MigrationService      string
	ParentHasAccess       *int
	Billing               contact
	Storage               *storageRef
	PreferredBackupServer *int64
	Privileges            privileges
	Pricing               *pricing
	Autoupdate            *int
	// Brand is derived, never stored: the Group's id while its own brand is enabled, else nil.
	Brand *int64
}

// storageRef is a group's storage: the seed's placeholder {"id": null, "uuid": null, "name": ""}
// until one is set.
type storageRef struct {
	ID   *int64  `json:"id"`
	UUID *string `json:"uuid"`
	Name string  `json:"name"`
}

// fieldsOf reads g's portal fields from spec.portal.
func fieldsOf(g *tenancyv1alpha1.Group) groupFields {
	p := &g.Spec.Portal
	f := groupFields{
		Status: flagOf(p.Enabled), Capabilities: p.Capabilities, CustomerID: p.CustomerID, CustomerType: p.CustomerType,
		DefaultIDP: p.DefaultIdentityProviderID, External: flag(p.External), InternalTag: p.InternalTag,
		MigrationEnabled: flagOf(p.MigrationEnabled), MigrationService: p.MigrationService,
		ParentHasAccess: flagOf(p.ParentHasAccess), Billing: contactOf(p.Billing),
		PreferredBackupServer: p.PreferredBackupServer, Autoupdate: flagOf(p.AgentsAutoupdate),
		Privileges: privileges{Values: maps.Clone(p.Privileges.Quotas), LocalBackup: map[string]int64{}},
	}
	if p.Storage != nil {
		f.Storage = &storageRef{ID: p.Storage.ID, UUID: p.Storage.UUID, Name: p.Storage.Name}
	}
	for k, v := range localBackupFields(&p.Privileges.LocalBackup) {
		if *v != nil {
			f.Privileges.LocalBackup[k] = int64(flag(**v))
		}
	}
	if p.Pricing != nil {
		f.Pricing = pricingOfSpec(p.Pricing)
	}
	if p.Branding.Enabled {
		id := g.Spec.ID
		f.Brand = &id
	}
	return f
}

// store writes f into g's spec.portal; the branding there stays as it is.
func (f groupFields) store(g *tenancyv1alpha1.Group) {
	p := &g.Spec.Portal
	p.Enabled, p.Capabilities, p.CustomerID, p.CustomerType = boolOf(f.Status), f.Capabilities, f.CustomerID, f.CustomerType
	p.DefaultIdentityProviderID, p.External, p.InternalTag = f.DefaultIDP, f.External == 1, f.InternalTag
	p.MigrationEnabled, p.MigrationService, p.ParentHasAccess = boolOf(f.MigrationEnabled), f.MigrationService, boolOf(f.ParentHasAccess)
	p.Billing, p.PreferredBackupServer, p.AgentsAutoupdate = f.Billing.spec(), f.PreferredBackupServer, boolOf(f.Autoupdate)
	p.Storage = nil
	if f.Storage != nil {
		p.Storage = &tenancyv1alpha1.GroupStorage{ID: f.Storage.ID, UUID: f.Storage.UUID, Name: f.Storage.Name}
	}
	p.Privileges = tenancyv1alpha1.GroupPrivileges{}
	if len(f.Privileges.Values) > 0 {
		p.Privileges.Quotas = maps.Clone(f.Privileges.Values)
	}
	for k, dst := range localBackupFields(&p.Privileges.LocalBackup) {
		if v, ok := f.Privileges.LocalBackup[k]; ok {
			*dst = new(v == 1)
		}
	}
	p.Pricing = nil
	if f.Pricing != nil {
		p.Pricing = f.Pricing.spec()
	}
}

// flagOf is the seed's 0/1 of an optional bool, nil when unset.
func flagOf(b *bool) *int {
	if b == nil {
		return nil
	}
	return new(flag(*b))
}

// boolOf is an optional 0/1 flag as an optional bool.
func boolOf(f *int) *bool {
	if f == nil {
		return nil
	}
	return new(*f == 1)
}

func orOne(p *int) int {
	if p == nil {
		return 1
	}
	return *p
}

func (f groupFields) storage() storageRef {
	if f.Storage == nil {
		return storageRef{}
	}
	return *f.Storage
}

// pricingOf is the group's pricing, or the seed's defaults: mode 2 (demo) for companies
// (PricingDefaultModes), 1 otherwise.
func (f groupFields) pricingOf(kind tenancyv1alpha1.GroupKind) pricing {
	if f.Pricing != nil {
		p := *f.Pricing
		if p.Discounts == nil {
			p.Discounts = []discount{}
		}
		return p
	}
	mode := 1
	if kind == tenancyv1alpha1.GroupKindEndUserCompany {
		mode = 2
	}
	return pricing{Mode: mode, Discounts: []discount{}}
}

// place is where a group sits: what the tree derives for it.
type place struct {
	grade       int
	parentID    *int64
	lockedBy    *int64
	hasChildren bool
}

// placeKey is a place as a comparable value, for the view caches.
type placeKey struct {
	grade, parentID, lockedBy int64 // -1: none
	hasChildren               bool
}

func (p place) key() placeKey {
	orNone := func(id *int64) int64 {
		if id == nil {
			return -1
		}
		return *id
	}
	return placeKey{int64(p.grade), orNone(p.parentID), orNone(p.lockedBy), p.hasChildren}
}

// placeOf derives g's grade, parent id and lock from the tree.
func (a *API) placeOf(ctx context.Context, g *tenancyv1alpha1.Group) (place, error) {
	p := place{grade: int(g.Status.Depth)}
	if info, ok := a.Forest.Info(g.Name); ok {
		p.grade, p.hasChildren = info.Depth, info.Children > 0
		if info.LockedBy != "" {
			id, err := a.groupID(ctx, info.LockedBy)
			if err != nil {
				return p, err
			}
			p.lockedBy = &id
		}
	}
	if g.Spec.Parent != "" {
		id, err := a.groupID(ctx, g.Spec.Parent)
		if err != nil {
			return p, err
		}
		p.parentID = &id
	}
	return p, nil
}

// groupID is the portal id of the Group named name (0 when the cache has none), from the tree
// when it holds one.
func (a *API) groupID(ctx context.Context, name string) (int64, error) {
	if n, ok := a.Forest.Get(name); ok && n.ID != 0 {
		return n.ID, nil
	}
	g := &tenancyv1alpha1.Group{}
	if err := a.Client.Get(ctx, client.ObjectKey{Name: name}, g); err != nil {
		return 0, client.IgnoreNotFound(err)
	}
	return g.Spec.ID, nil
}

// usage is computed: the number of service users (Accounts without an Admin grant) in the
// group; Tessera holds no backups, so every count and size of the seed's usage is 0.
func (a *API) usage(g *tenancyv1alpha1.Group) any { return groupUsage.of(a.usageCount(g)) }

// usageCount gives each count of g's usage by its key.
func (a *API) usageCount(g *tenancyv1alpha1.Group) func(key string) int64 {
	users := int64(a.Members.ServiceUsers(tenancyv1alpha1.GroupNamespace(g.Name)))
	return func(k string) int64 {
		if k == serviceUsersKey {
			return users
		}
		return 0
	}
}

// serviceUsersKey is the one count of a group's usage that is not 0.
const serviceUsersKey = "service_users"

var usageKeys = []string{"storage_size", "local_storage_size", "workstation_count", "server_count", "vm_count",
	"mobile_count", "virtualhost_count", "win_server_essential_count", "mailbox_count", "website_count",
	"universal_devices_count", "slices_count", "size_for_workstations", "size_for_servers", "size_for_vms",
	"size_for_mobiles", "size_for_virtualhosts", "size_for_win_server_essentials", "size_for_mailboxes",
	"size_for_websites", "size_for_universal_devices"}

// groupUsage is a group's usage object: service_users and every key of usageKeys.
var groupUsage = newIntObject(append([]string{serviceUsersKey}, usageKeys...))

// members lists the live Accounts and Admins of namespace ns from the cache (shared objects:
// never modify them).
func (a *API) members(ctx context.Context, ns string) ([]*tenancyv1alpha1.Account, []*tenancyv1alpha1.Admin, error) {
	accts := &tenancyv1alpha1.AccountList{}
	if err := a.Client.List(ctx, accts, client.InNamespace(ns), client.UnsafeDisableDeepCopy); err != nil {
		return nil, nil, err
	}
	admins := &tenancyv1alpha1.AdminList{}
	if err := a.Client.List(ctx, admins, client.InNamespace(ns), client.UnsafeDisableDeepCopy); err != nil {
		return nil, nil, err
	}
	var liveAccts []*tenancyv1alpha1.Account
	for i := range accts.Items {
		if accts.Items[i].DeletionTimestamp == nil {
			liveAccts = append(liveAccts, &accts.Items[i])
		}
	}
	var liveAdmins []*tenancyv1alpha1.Admin
	for i := range admins.Items {
		if admins.Items[i].DeletionTimestamp == nil {
			liveAdmins = append(liveAdmins, &admins.Items[i])
		}
	}
	return liveAccts, liveAdmins, nil
}

// creationDate is the group's creation as Unix seconds.
func creationDate(g *tenancyv1alpha1.Group) *int64 {
	if g.CreationTimestamp.IsZero() {
		return nil
	}
	t := g.CreationTimestamp.Unix()
	return &t
}

// groupView is GET /groups/{group}: every field groups_get_response requires, and Tessera's
// locked (0/1) and locked_by (the id of the nearest locked group at or above, or null).
type groupView struct {
	ID                        int64      `json:"id"`
	UUID                      string     `json:"uuid"`
	Name                      string     `json:"name"`
	Kind                      int32      `json:"kind"`
	Grade                     int        `json:"grade"`
	ParentID                  *int64     `json:"parent_id"`
	Status                    int        `json:"status"`
	Version                   int64      `json:"version"`
	CreationDate              *int64     `json:"creation_date"`
	Brand                     *int64     `json:"brand"`
	Capabilities              int64      `json:"capabilities"`
	CustomerID                *string    `json:"customer_id"`
	CustomerType              int64      `json:"customer_type"`
	DefaultIdentityProviderID int64      `json:"default_identity_provider_id"`
	External                  int        `json:"external"`
	InternalTag               *string    `json:"internal_tag"`
	Language                  string     `json:"language"`
	MigrationEnabled          *int       `json:"migration_enabled"`
	MigrationService          string     `json:"migration_service"`
	ParentHasAccess           int        `json:"parent_has_access"`
	Billing                   contact    `json:"billing"`
	Contact                   contact    `json:"contact"`
	Storage                   storageRef `json:"storage"`
	Privileges                any        `json:"privileges"`
	Usage                     any        `json:"usage"`
	Agents                    agents     `json:"agents"`
	Pricing                   pricing    `json:"pricing"`
	Locked                    int        `json:"locked"`
	LockedBy                  *int64     `json:"locked_by"`
}

type agents struct {
	Autoupdate int `json:"autoupdate"`
}

func (a *API) groupView(ctx context.Context, g *tenancyv1alpha1.Group) (*groupView, error) {
	p, err := a.placeOf(ctx, g)
	if err != nil {
		return nil, err
	}
	return a.groupViewAt(g, p), nil
}

// groupViewAt is g's view at place p.
func (a *API) groupViewAt(g *tenancyv1alpha1.Group, p place) *groupView {
	use := a.usage(g)
	f := fieldsOf(g)
	return &groupView{
		ID: g.Spec.ID, UUID: g.Spec.UUID, Name: tree.DisplayName(g), Kind: int32(g.Spec.Kind), Grade: p.grade,
		ParentID: p.parentID, Status: orOne(f.Status), Version: g.Generation, CreationDate: creationDate(g),
		Brand: f.Brand, Capabilities: f.Capabilities, CustomerID: f.CustomerID, CustomerType: f.CustomerType,
		DefaultIdentityProviderID: f.DefaultIDP, External: f.External, InternalTag: f.InternalTag,
		Language: language(g), MigrationEnabled: f.MigrationEnabled, MigrationService: f.MigrationService,
		ParentHasAccess: orOne(f.ParentHasAccess), Billing: f.Billing, Contact: contactOf(g.Spec.Contact),
		Storage: f.storage(), Privileges: f.Privileges.view(), Usage: use, Agents: agents{orOne(f.Autoupdate)},
		Pricing: f.pricingOf(g.Spec.Kind), Locked: flag(p.lockedBy != nil), LockedBy: p.lockedBy,
	}
}

// childView is an item of GET /groups/{group}/children: what the seed's item requires, and
// locked and locked_by.
type childView struct {
	ID              int64        `json:"id"`
	UUID            string       `json:"uuid"`
	Name            string       `json:"name"`
	Kind            int32        `json:"kind"`
	Status          int          `json:"status"`
	InternalTag     *string      `json:"internal_tag"`
	ParentHasAccess int          `json:"parent_has_access"`
	CreationDate    *int64       `json:"creation_date"`
	Storage         storageRef   `json:"storage"`
	Privileges      any          `json:"privileges"`
	Usage           any          `json:"usage"`
	Version         int64        `json:"version"`
	Grade           int          `json:"grade"`
	Capabilities    int64        `json:"capabilities"`
	HasChildren     int          `json:"has_children"`
	Pricing         childPricing `json:"pricing"`
	External        int          `json:"external"`
	MFAStatus       string       `json:"mfa_status"`
	Locked          int          `json:"locked"`
	LockedBy        *int64       `json:"locked_by"`
}

type childPricing struct {
	Enabled *int `json:"enabled"`
	Mode    int  `json:"mode"`
}

// childView is g's item at place p.
func (a *API) childView(g *tenancyv1alpha1.Group, p place) *childView {
	v := a.groupViewAt(g, p)
	return &childView{
		ID: v.ID, UUID: v.UUID, Name: v.Name, Kind: v.Kind, Status: v.Status, InternalTag: v.InternalTag,
		ParentHasAccess: v.ParentHasAccess, CreationDate: v.CreationDate, Storage: v.Storage, Privileges: v.Privileges,
		Usage: v.Usage, Version: v.Version, Grade: v.Grade, Capabilities: v.Capabilities,
		HasChildren: flag(p.hasChildren), Pricing: childPricing{v.Pricing.Enabled, v.Pricing.Mode},
		External: v.External, MFAStatus: "disabled", Locked: v.Locked, LockedBy: v.LockedBy,
	}
}

// language is the group's language, "en" by default (the CRD's).
func language(g *tenancyv1alpha1.Group) string {
	if g.Spec.Settings.Language == "" {
		return "en"
	}
	return g.Spec.Settings.Language
}
