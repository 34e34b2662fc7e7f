package kubectlplugin

import (
	"context"
	"fmt"
	"strconv"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/tree"
)

// groups is every Group of the cluster, read once, placed in the same tree.Forest that
// admission and the controllers use: locks derive from the specs with the same rules, so the
// plugin shows a lock the moment admission enforces it, not when status catches up.
type groups struct {
	byName map[string]*tenancyv1alpha1.Group
	forest tree.Forest
}

func loadGroups(ctx context.Context, c client.Client) (*groups, error) {
	var list tenancyv1alpha1.GroupList
	if err := c.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("listing Groups: %w", err)
	}
	gs := &groups{byName: make(map[string]*tenancyv1alpha1.Group, len(list.Items))}
	for i := range list.Items {
		g := &list.Items[i]
		gs.byName[g.Name] = g
		gs.forest.Set(tree.NodeOf(g))
	}
	return gs, nil
}

// LockState is a Group's effective lock (its own, or the nearest locked ancestor's): the "lock"
// object of the tree document.
type LockState struct {
	// Locked is true when the Group or an ancestor is locked.
	Locked bool `json:"locked"`
	// LockedBy names the locking Group (the Group itself for its own lock).
	LockedBy string `json:"lockedBy,omitempty"`
	// Inherited is true when LockedBy is an ancestor.
	Inherited bool `json:"inherited"`
	// Reason is the locking Group's spec.lock.reason.
	Reason string `json:"reason,omitempty"`
}

func (gs *groups) lock(name string) LockState {
	by, reason, _ := gs.forest.Lock(name)
	if by == "" {
		return LockState{}
	}
	return LockState{Locked: true, LockedBy: by, Inherited: by != name, Reason: reason}
}

// String is the LOCK column: "-", "locked" or "locked (by <ancestor>)".
func (l LockState) String() string {
	switch {
	case !l.Locked:
		return "-"
	case l.Inherited:
		return "locked (by " + l.LockedBy + ")"
	default:
		return "locked"
	}
}

// namespace is the Group's namespace as status reports it, else the one Tessera's naming gives.
func namespaceOf(g *tenancyv1alpha1.Group) string {
	if g.Status.Namespace != "" {
		return g.Status.Namespace
	}
	return tenancyv1alpha1.GroupNamespace(g.Name)
}

// kindNames are the portal's names of the group kinds (/logic/constants.GroupsKind).
var kindNames = map[tenancyv1alpha1.GroupKind]string{
	tenancyv1alpha1.GroupKindRoot:              "Root",
	tenancyv1alpha1.GroupKindDistributor:       "Distributor",
	tenancyv1alpha1.GroupKindSubDistributor:    "SubDistributor",
	tenancyv1alpha1.GroupKindProvider:          "Provider",
	tenancyv1alpha1.GroupKindMSP:               "MSP",
	tenancyv1alpha1.GroupKindReseller:          "Reseller",
	tenancyv1alpha1.GroupKindEndUserCompany:    "EndUserCompany",
	tenancyv1alpha1.GroupKindCompanyDepartment: "CompanyDepartment",
}

func kindName(k tenancyv1alpha1.GroupKind) string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return strconv.Itoa(int(k))
}

// conditionStatus is the status of condition typ ("True", "False"), or "Unknown" when absent.
func conditionStatus(conds []metav1.Condition, typ string) string {
	if c := apimeta.FindStatusCondition(conds, typ); c != nil {
		return string(c.Status)
	}
	return "Unknown"
}
