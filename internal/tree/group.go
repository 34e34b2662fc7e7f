package tree

import tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"

// DisplayName is a Group's display name, defaulting to its object name.
func DisplayName(g *tenancyv1alpha1.Group) string {
	if g.Spec.DisplayName != "" {
		return g.Spec.DisplayName
	}
	return g.Name
}

// NodeOf is what the Forest records of a Group.
func NodeOf(g *tenancyv1alpha1.Group) Node {
	return Node{Name: g.Name, Parent: g.Spec.Parent, Kind: int32(g.Spec.Kind), ID: g.Spec.ID, DisplayName: DisplayName(g),
		Locked: g.Spec.Lock.Enabled, LockReason: g.Spec.Lock.Reason}
}
