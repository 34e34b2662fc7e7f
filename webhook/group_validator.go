package webhook

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/allowlist"
	"github.com/tessera-dev/tessera/internal/claims"
	"github.com/tessera-dev/tessera/internal/tree"
)

// +kubebuilder:webhook:path=/validate-tenancy-tessera-dev-v1alpha1-group,mutating=false,failurePolicy=fail,sideEffects=None,groups=tenancy.tessera.dev,resources=groups,verbs=create;update;delete,versions=v1alpha1,name=vgroup.tessera.dev,admissionReviewVersions=v1

// GroupValidator enforces the tree rules no schema can: the parent exists, there is one root,
// no cycles, the portal's parent→child kinds, unique sibling display names, hierarchy locks, and
// no deletion of a Group with children or Accounts unless cascade is asked for, IP allow-list
// items that parse; and it claims
// the Group's identifiers.
type GroupValidator struct {
	lineage
	// Claims keeps spec.uuid and spec.id unique among Groups.
	Claims *claims.Claims
}

var groupsResource = tenancyv1alpha1.GroupVersion.WithResource("groups").GroupResource()
var groupKind = tenancyv1alpha1.GroupVersion.WithKind("Group").GroupKind()

// ValidateCreate implements admission.Validator.
func (v *GroupValidator) ValidateCreate(ctx context.Context, g *tenancyv1alpha1.Group) (admission.Warnings, error) {
	if err := checkLogonIPs(g, nil); err != nil {
		return nil, err
	}
	if err := v.checkCreate(ctx, g); err != nil {
		return nil, err
	}
	return nil, claimIdentifiers(ctx, v.Claims, groupsResource, g, claims.Keys(g))
}

// ValidateUpdate implements admission.Validator.
func (v *GroupValidator) ValidateUpdate(ctx context.Context, old, g *tenancyv1alpha1.Group) (admission.Warnings, error) {
	if err := checkLogonIPs(g, old); err != nil {
		return nil, err
	}
	if err := v.checkUpdate(ctx, old, g); err != nil {
		return nil, err
	}
	return nil, claimIdentifiers(ctx, v.Claims, groupsResource, g, claims.NewKeys(old, g))
}

// checkCreate enforces the tree rules on a new Group.
func (v *GroupValidator) checkCreate(ctx context.Context, g *tenancyv1alpha1.Group) error {
	if g.Spec.Parent == "" {
		return v.checkSingleRoot(ctx, g)
	}
	return v.checkPlacement(ctx, g, true)
}

// checkUpdate enforces the tree rules on a changed Group.
func (v *GroupValidator) checkUpdate(ctx context.Context, old, g *tenancyv1alpha1.Group) error {
	if equality.Semantic.DeepEqual(old.Spec, g.Spec) {
		return nil // metadata only: finalizers, labels, owner references
	}
	anc, _, _, err := v.ancestry(ctx, old.Name)
	if err != nil {
		return err
	}
	if lock, locked := anc.lock(); locked {
		onlyLock := old.Spec
		onlyLock.Lock = g.Spec.Lock
		if lock.Name != g.Name || !equality.Semantic.DeepEqual(onlyLock, g.Spec) {
			return lockedError(groupsResource, g.Name, "Group "+g.Name, lock)
		}
		return nil // the lock holder changes only its own lock
	}
	moved := old.Spec.Parent != g.Spec.Parent
	if g.Spec.Parent == "" {
		if moved {
			return v.checkSingleRoot(ctx, g)
		}
		return v.checkChildrenKinds(g, 0)
	}
	if moved || old.Spec.Kind != g.Spec.Kind || tree.DisplayName(old) != tree.DisplayName(g) {
		if err := v.checkPlacement(ctx, g, moved); err != nil {
			return err
		}
	}
	if old.Spec.Kind != g.Spec.Kind && old.Spec.Parent != "" {
		// The portal's modification rules, at the Group's grade before the change.
		if grade := len(anc) - 1; !tree.KindChangeAllowed(int32(old.Spec.Kind), grade, int32(g.Spec.Kind)) {
			return invalidGroup(g.Name, tenancyv1alpha1.CauseTreeRule, field.NotSupported(field.NewPath("spec", "kind"),
				g.Spec.Kind, kindNames(append([]int32{int32(old.Spec.Kind)}, tree.Modification.Allowed(int32(old.Spec.Kind), grade)...))))
		}
	}
	return nil
}

// ValidateDelete implements admission.Validator.
func (v *GroupValidator) ValidateDelete(ctx context.Context, g *tenancyv1alpha1.Group) (admission.Warnings, error) {
	anc, _, _, err := v.ancestry(ctx, g.Name)
	if err != nil {
		return nil, err
	}
	if lock, locked := anc.lock(); locked {
		return nil, lockedError(groupsResource, g.Name, "Group "+g.Name, lock)
	}
	if g.Annotations[tenancyv1alpha1.AnnotationCascadeDelete] == "true" {
		return nil, nil
	}
	// A Group whose parent is being cascade-deleted goes with it.
	if g.Spec.Parent != "" {
		parent := &tenancyv1alpha1.Group{}
		if err := v.cache.Get(ctx, client.ObjectKey{Name: g.Spec.Parent}, parent); err == nil &&
			parent.DeletionTimestamp != nil && parent.Annotations[tenancyv1alpha1.AnnotationCascadeDelete] == "true" {
			return nil, nil
		}
	}
	// Deletion is rare and must not race a child created a moment ago: ask the API server.
	kids := &tenancyv1alpha1.GroupList{}
	if err := v.direct.List(ctx, kids, client.MatchingFields{"spec.parent": g.Name}); err != nil {
		return nil, err
	}
	var children []string
	for _, k := range kids.Items {
		children = append(children, k.Name)
	}
	accounts := &tenancyv1alpha1.AccountList{}
	if err := v.direct.List(ctx, accounts, client.InNamespace(tenancyv1alpha1.GroupNamespace(g.Name)), client.Limit(1)); err != nil {
		return nil, err
	}
	if len(children) == 0 && len(accounts.Items) == 0 {
		return nil, nil
	}
	var holds []string
	if len(children) > 0 {
		holds = append(holds, fmt.Sprintf("child Groups (%s)", strings.Join(children, ", ")))
	}
	if len(accounts.Items) > 0 {
		holds = append(holds, "Accounts in namespace "+tenancyv1alpha1.GroupNamespace(g.Name))
	}
	return nil, forbidden(groupsResource, g.Name, tenancyv1alpha1.CauseTreeRule, fmt.Sprintf(
		"Group %s still has %s; delete them first, or annotate the Group %s=true to delete it with everything below it",
		g.Name, strings.Join(holds, " and "), tenancyv1alpha1.AnnotationCascadeDelete))
}

// checkSingleRoot refuses a second parentless Group.
func (v *GroupValidator) checkSingleRoot(ctx context.Context, g *tenancyv1alpha1.Group) error {
	groups := &tenancyv1alpha1.GroupList{}
	if err := v.cache.List(ctx, groups); err != nil {
		return err
	}
	for _, other := range groups.Items {
		if other.Name != g.Name && other.Spec.Parent == "" {
			return invalidGroup(g.Name, tenancyv1alpha1.CauseTreeRule, field.Required(field.NewPath("spec", "parent"),
				fmt.Sprintf("the tree already has a root, Group %s; every other Group needs a parent", other.Name)))
		}
	}
	return nil
}

// checkPlacement checks g under its parent: the parent exists and is not locked, g is not its own
// ancestor, the parent's kind allows g's kind, g's children's kinds stay allowed, and no sibling
// shares g's display name.
func (v *GroupValidator) checkPlacement(ctx context.Context, g *tenancyv1alpha1.Group, checkLock bool) error {
	parentPath := field.NewPath("spec", "parent")
	anc, missing, cycle, err := v.ancestry(ctx, g.Spec.Parent)
	if err != nil {
		return err
	}
	switch {
	case len(anc) == 0:
		return invalidGroup(g.Name, tenancyv1alpha1.CauseParentMissing, field.NotFound(parentPath, g.Spec.Parent))
	case anc.contains(g.Name) || cycle != "":
		return invalidGroup(g.Name, tenancyv1alpha1.CauseTreeRule, field.Invalid(parentPath, g.Spec.Parent,
			fmt.Sprintf("Group %s is %s itself or lies below it: the tree would have a cycle", g.Spec.Parent, g.Name)))
	case missing != "":
		return invalidGroup(g.Name, tenancyv1alpha1.CauseParentMissing, field.Invalid(parentPath, g.Spec.Parent,
			fmt.Sprintf("the ancestor Group %s does not exist", missing)))
	}
	if lock, locked := anc.lock(); locked && checkLock {
		return lockedError(groupsResource, g.Name, "Group "+g.Spec.Parent, lock)
	}
	parent, depth := anc[0], len(anc)-1
	if !tree.ChildAllowed(parent.Kind, depth, int32(g.Spec.Kind)) {
		return invalidGroup(g.Name, tenancyv1alpha1.CauseTreeRule, field.NotSupported(field.NewPath("spec", "kind"),
			g.Spec.Kind, kindNames(tree.AllowedChildKinds(parent.Kind, depth))))
	}
	if err := v.checkChildrenKinds(g, depth+1); err != nil {
		return err
	}
	name := tree.DisplayName(g)
	for _, sibling := range v.forest.Children(g.Spec.Parent) {
		if sibling == g.Name {
			continue
		}
		if n, ok := v.forest.Get(sibling); ok && strings.EqualFold(n.DisplayName, name) {
			return invalidGroup(g.Name, tenancyv1alpha1.CauseDuplicate, field.Duplicate(field.NewPath("spec", "displayName"),
				fmt.Sprintf("%s (Group %s under %s already has it)", name, sibling, g.Spec.Parent)))
		}
	}
	return nil
}

// checkChildrenKinds refuses a kind change that would orphan the rules of existing children.
func (v *GroupValidator) checkChildrenKinds(g *tenancyv1alpha1.Group, depth int) error {
	for _, child := range v.forest.Children(g.Name) {
		n, ok := v.forest.Get(child)
		if ok && !tree.ChildAllowed(int32(g.Spec.Kind), depth, n.Kind) {
			return invalidGroup(g.Name, tenancyv1alpha1.CauseTreeRule, field.Invalid(field.NewPath("spec", "kind"), g.Spec.Kind,
				fmt.Sprintf("child Group %s has kind %d, which a Group of kind %d may not hold", child, n.Kind, g.Spec.Kind)))
		}
	}
	return nil
}

func kindNames(kinds []int32) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = fmt.Sprint(k)
	}
	return out
}

// checkLogonIPs refuses an IP allow-list item that does not parse (the portal would let nobody
// in through it), unless old already held it: a Group stored before this check still takes
// other changes.
func checkLogonIPs(g, old *tenancyv1alpha1.Group) error {
	var had []string
	if old != nil {
		had = old.Spec.Settings.LogonIPs.Items
	}
	for i, item := range g.Spec.Settings.LogonIPs.Items {
		if slices.Contains(had, item) {
			continue
		}
		if _, err := allowlist.ParseItem(item); err != nil {
			return apierrors.NewInvalid(groupKind, g.Name, field.ErrorList{field.Invalid(
				field.NewPath("spec", "settings", "logonIPs", "items").Index(i), item,
				err.Error()+": an item is an IP address, a range \"a - b\" or a CIDR block")})
		}
	}
	return nil
}
