package portal

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/tree"
)

// groupUpdate is PUT /groups/{group}'s body (groups_put_request, additionalProperties false,
// nothing required: a partial update).
type groupUpdate struct {
	Brand            opt[int64]       `json:"brand"`
	Capabilities     opt[int64]       `json:"capabilities"`
	CustomerID       opt[string]      `json:"customer_id"`
	CustomerType     opt[int64]       `json:"customer_type"`
	DefaultIDP       opt[int64]       `json:"default_identity_provider_id"`
	External         opt[int]         `json:"external"`
	InternalTag      opt[string]      `json:"internal_tag"`
	Grade            opt[int]         `json:"grade"`
	Kind             opt[int32]       `json:"kind"`
	Language         opt[string]      `json:"language"`
	MigrationEnabled opt[int]         `json:"migration_enabled"`
	MigrationService opt[string]      `json:"migration_service"`
	Name             opt[string]      `json:"name"`
	ParentHasAccess  opt[int]         `json:"parent_has_access"`
	ParentID         opt[int64]       `json:"parent_id"`
	Status           opt[int]         `json:"status"`
	Billing          *contactInput    `json:"billing"`
	Contact          *contactInput    `json:"contact"`
	Storage          *storageInput    `json:"storage"`
	Privileges       *privilegesInput `json:"privileges"`
	// Usage is computed; a client sending back what it read is not refused.
	Usage   json.RawMessage `json:"usage"`
	Agents  *agentsInput    `json:"agents"`
	Pricing *pricingInput   `json:"pricing"`
}

type storageInput struct {
	ID   opt[int64]  `json:"id"`
	Name opt[string] `json:"name"`
}

type agentsInput struct {
	Autoupdate opt[int] `json:"autoupdate"`
}

// maxNameLength is the CRD's bound of spec.displayName.
const maxNameLength = 128

// checkName refuses a group name that is empty, too long or holds control characters.
func checkName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errBadField("name", "may not be empty")
	case utf8.RuneCountInString(name) > maxNameLength:
		return errBadField("name", "is longer than %d characters", maxNameLength)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return errBadField("name", "may not hold control characters")
	}
	return nil
}

// groupKinds are the kinds a Group may have (the CRD's enum).
var groupKinds = []int32{0, 10, 20, 21, 30, 31, 40, 50}

func checkKind(kind int32) error {
	if kind == tree.KindServiceUser {
		return errBadField("kind", "-1 is a service user: create those under /groups/{group}/users")
	}
	if !slices.Contains(groupKinds, kind) {
		return errBadField("kind", "%d is no group kind (%s)", kind, kindList(groupKinds))
	}
	return nil
}

func kindList(kinds []int32) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = strconv.Itoa(int(k))
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// checkPlacement refuses kind under a parent of parentKind at parentGrade, and a name a
// sibling under parent already has (case-insensitively; self is the group itself, "" for a
// new one).
func (a *API) checkPlacement(parent string, parentKind int32, parentGrade int, kind int32, name, self string) error {
	if !tree.ChildAllowed(parentKind, parentGrade, kind) {
		return errBadField("kind", "a group of kind %d at grade %d may hold groups of kinds %s, not %d", parentKind,
			parentGrade, kindList(tree.AllowedChildKinds(parentKind, parentGrade)), kind)
	}
	for _, sibling := range a.Forest.Children(parent) {
		if n, ok := a.Forest.Get(sibling); ok && sibling != self && strings.EqualFold(n.DisplayName, name) {
			return errConflict("name: a sibling group is already named %q", n.DisplayName)
		}
	}
	return nil
}

// apply validates u against g and writes it into next (a copy of g) and f (g's portal
// fields). Nothing is written anywhere; a refusal leaves both to be dropped.
func (u *groupUpdate) apply(ctx context.Context, a *API, c *caller, g, next *tenancyv1alpha1.Group, f *groupFields) error {
	if err := u.applyTree(ctx, a, c, g, next); err != nil {
		return err
	}
	if ok, err := given("language", u.Language); err != nil {
		return err
	} else if ok {
		next.Spec.Settings.Language = u.Language.V
	}
	if u.Contact != nil {
		ct := contactOf(g.Spec.Contact)
		if err := u.Contact.apply("contact", &ct); err != nil {
			return err
		}
		next.Spec.Contact = ct.spec()
	}
	return u.applyFields(f, next.Spec.Kind)
}

// applyTree applies name, kind, grade and parent_id: the tree's rules, sibling names, and for
// a move the caller's rights at the common ancestor of the old and new parent, no cycle and
// no lock at the destination.
func (u *groupUpdate) applyTree(ctx context.Context, a *API, c *caller, g, next *tenancyv1alpha1.Group) error {
	for _, f := range []struct {
		name string
		ok   bool
	}{{"name", !u.Name.Null}, {"kind", !u.Kind.Null}, {"grade", !u.Grade.Null}} {
		if !f.ok {
			return errBadField(f.name, "may not be null")
		}
	}
	if u.Name.Set {
		if err := checkName(u.Name.V); err != nil {
			return err
		}
		next.Spec.DisplayName = u.Name.V
	}
	if u.ParentID.Set {
		if err := u.move(ctx, a, c, g, next); err != nil {
			return err
		}
	}
	grade := 0
	var parentKind int32
	if next.Spec.Parent != "" {
		pn, ok := a.Forest.Get(next.Spec.Parent)
		info, _ := a.Forest.Info(next.Spec.Parent)
		if !ok {
			return errBadField("parent_id", "the parent group is not in the tree yet; retry")
		}
		parentKind, grade = pn.Kind, info.Depth+1
	}
	if u.Grade.Set && u.Grade.V != grade {
		return errBadField("grade", "is the group's depth in the tree, %d here; move a group with parent_id", grade)
	}
	if u.Kind.Set && u.Kind.V != int32(g.Spec.Kind) {
		if err := checkKind(u.Kind.V); err != nil {
			return err
		}
		if !tree.KindChangeAllowed(int32(g.Spec.Kind), grade, u.Kind.V) {
			return errBadField("kind", "a group of kind %d at grade %d may become %s, not %d", g.Spec.Kind, grade,
				kindList(tree.Modification.Allowed(int32(g.Spec.Kind), grade)), u.Kind.V)
		}
		next.Spec.Kind = tenancyv1alpha1.GroupKind(u.Kind.V)
	}
	for _, child := range a.Forest.Children(g.Name) {
		if n, ok := a.Forest.Get(child); ok && !tree.ChildAllowed(int32(next.Spec.Kind), grade, n.Kind) {
			return errBadField("kind", "child group %q has kind %d, which a group of kind %d at grade %d may not hold",
				n.DisplayName, n.Kind, next.Spec.Kind, grade)
		}
	}
	placed := next.Spec.Parent != g.Spec.Parent || next.Spec.Kind != g.Spec.Kind || tree.DisplayName(next) != tree.DisplayName(g)
	if next.Spec.Parent == "" || !placed {
		return nil
	}
	return a.checkPlacement(next.Spec.Parent, parentKind, grade-1, int32(next.Spec.Kind), tree.DisplayName(next), g.Name)
}

// move points next at the parent u names.
func (u *groupUpdate) move(ctx context.Context, a *API, c *caller, g, next *tenancyv1alpha1.Group) error {
	if u.ParentID.Null || g.Spec.Parent == "" {
		return errBadField("parent_id", "only the root group has no parent, and it cannot move")
	}
	np, err := a.groupByRef(ctx, strconv.FormatInt(u.ParentID.V, 10))
	if err != nil {
		return errBadField("parent_id", "group %d does not exist", u.ParentID.V)
	}
	if np.Name == g.Spec.Parent {
		return nil
	}
	if anc := commonAncestor(a.Forest, g.Spec.Parent, np.Name); !c.inScope(anc) {
		return errForbidden("moving a group needs rights at the common ancestor of its old and new parent")
	}
	if a.Forest.IsAncestor(g.Name, np.Name) {
		return errBadField("parent_id", "group %d lies in the subtree of the group moved: the tree would have a cycle", np.Spec.ID)
	}
	if err := a.unlocked(ctx, np.Name); err != nil {
		return err
	}
	next.Spec.Parent = np.Name
	return nil
}

// commonAncestor is the deepest Group at or above both x and y ("" when they share none).
func commonAncestor(f *tree.Forest, x, y string) string {
	line := func(name string) []string {
		info, _ := f.Info(name)
		return append(slices.Clone(info.Path), name)
	}
	lx, ly := line(x), line(y)
	common := ""
	for i := 0; i < len(lx) && i < len(ly) && lx[i] == ly[i]; i++ {
		common = lx[i]
	}
	return common
}

// applyFields applies the fields kept in spec.portal.
func (u *groupUpdate) applyFields(f *groupFields, kind tenancyv1alpha1.GroupKind) error {
	for name, o := range map[string]opt[int]{"status": u.Status, "external": u.External,
		"parent_has_access": u.ParentHasAccess, "migration_enabled": u.MigrationEnabled} {
		if err := checkFlag(name, o); err != nil {
			return err
		}
	}
	for name, o := range map[string]opt[string]{"customer_id": u.CustomerID, "internal_tag": u.InternalTag,
		"migration_service": u.MigrationService} {
		if err := checkText(name, o); err != nil {
			return err
		}
	}
	for name, o := range map[string]opt[int64]{"capabilities": u.Capabilities, "customer_type": u.CustomerType,
		"default_identity_provider_id": u.DefaultIDP} {
		if o.Set && !o.Null && o.V < 0 {
			return errBadField(name, "may not be negative")
		}
	}
	if u.Capabilities.Set && u.Capabilities.V > maxCapabilities {
		return errBadField("capabilities", "holds bits GroupsCapability does not define (at most %d)", maxCapabilities)
	}
	// The brand is enabled and disabled at /groups/{group}/brand, under its own policy; a client
	// sending back what it read is not refused.
	if u.Brand.Set && !sameID(u.Brand, f.Brand) {
		return errBadField("brand", "enable or disable the group's brand with POST or DELETE /groups/{group}/brand")
	}
	for _, nn := range []struct {
		name string
		null bool
	}{{"status", u.Status.Null}, {"external", u.External.Null}, {"parent_has_access", u.ParentHasAccess.Null},
		{"migration_service", u.MigrationService.Null}, {"capabilities", u.Capabilities.Null},
		{"customer_type", u.CustomerType.Null}, {"default_identity_provider_id", u.DefaultIDP.Null}} {
		if nn.null {
			return errBadField(nn.name, "may not be null")
		}
	}
	setNullable(u.Status, &f.Status)
	setNullable(u.ParentHasAccess, &f.ParentHasAccess)
	setNullable(u.MigrationEnabled, &f.MigrationEnabled)
	setNullable(u.CustomerID, &f.CustomerID)
	setNullable(u.InternalTag, &f.InternalTag)
	setValue(u.External, &f.External)
	setValue(u.MigrationService, &f.MigrationService)
	setValue(u.Capabilities, &f.Capabilities)
	setValue(u.CustomerType, &f.CustomerType)
	setValue(u.DefaultIDP, &f.DefaultIDP)
	if u.Billing != nil {
		if err := u.Billing.apply("billing", &f.Billing); err != nil {
			return err
		}
	}
	if u.Storage != nil {
		if err := checkText("storage.name", u.Storage.Name); err != nil {
			return err
		}
		s := f.storage()
		setNullable(u.Storage.ID, &s.ID)
		setValue(u.Storage.Name, &s.Name)
		f.Storage = &s
	}
	return applyShared(f, kind, u.Privileges, u.Agents, u.Pricing)
}

// applyShared applies the objects a create and an update both take.
func applyShared(f *groupFields, kind tenancyv1alpha1.GroupKind, priv *privilegesInput, agents *agentsInput, pr *pricingInput) error {
	if priv != nil {
		f.Privileges.merge(priv.privileges)
	}
	if agents != nil {
		if err := checkFlag("agents.autoupdate", agents.Autoupdate); err != nil {
			return err
		}
		if agents.Autoupdate.Null {
			return errBadField("agents.autoupdate", "may not be null")
		}
		setNullable(agents.Autoupdate, &f.Autoupdate)
	}
	if pr != nil {
		p := f.pricingOf(kind)
		if err := pr.apply(&p); err != nil {
			return err
		}
		f.Pricing = &p
	}
	return nil
}

// maxCapabilities is every GroupsCapability bit (1 … 256).
const maxCapabilities = 511

// sameID reports whether a given nullable id is the one held.
func sameID(o opt[int64], held *int64) bool {
	if o.Null || held == nil {
		return o.Null && held == nil
	}
	return o.V == *held
}

// setValue stores a non-null field that was given.
func setValue[T any](o opt[T], dst *T) {
	if o.Set && !o.Null {
		*dst = o.V
	}
}
