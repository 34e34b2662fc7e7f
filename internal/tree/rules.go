package tree

import "slices"

// childKinds is the portal's GroupBusinessRules.creation: for each parent kind, the kinds its
// children may have. "any" applies at every grade; the root's grade-0 entry adds kind 0 and is
// read as extending "any", since the portal does not say whether it replaces it.
var childKinds = map[int32][]int32{
	0:  {0, 10, 20, 21, 30, 40},
	10: {20, 30, 40},
	20: {30, 40},
	21: {31},
	30: {40},
	31: {31, 40},
	40: {50},
	50: {50},
}

// rootOnlyAtGradeZero lists child kinds the root allows only while it is itself at grade 0.
var rootOnlyAtGradeZero = []int32{0}

// AllowedChildKinds returns the kinds a child of a parent of kind parentKind at depth
// parentDepth may have.
func AllowedChildKinds(parentKind int32, parentDepth int) []int32 {
	kinds := childKinds[parentKind]
	if parentKind == 0 && parentDepth != 0 {
		kinds = slices.DeleteFunc(slices.Clone(kinds), func(k int32) bool { return slices.Contains(rootOnlyAtGradeZero, k) })
	}
	return kinds
}

// ChildAllowed reports whether a Group of kind child may sit under a parent of parentKind at
// parentDepth.
func ChildAllowed(parentKind int32, parentDepth int, child int32) bool {
	return slices.Contains(AllowedChildKinds(parentKind, parentDepth), child)
}
