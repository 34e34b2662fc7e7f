package tree

import (
	"slices"
	"strconv"
)

// AnyGrade is the grade key of a rule that applies at every grade without a key of its own.
const AnyGrade = "any"

// KindServiceUser is the portal's pseudo-kind of a service user (a backup account), which the
// rules place like a child Group; no Group has it.
const KindServiceUser int32 = -1

// Rules are the portal's GroupBusinessRules (seed 002, GET /logic/rules): for a Group of a kind
// (the outer key, a decimal kind) at a grade (the inner key: a decimal depth, or AnyGrade), the
// kinds its children may have (creation) or it may change to (modification).
type Rules map[string]map[string][]int32

// Creation is the seed's GroupBusinessRules.creation, word for word: admission places Groups by
// it and GET /api/1/logic/rules serves it.
var Creation = Rules{
	"0":  {AnyGrade: {10, 20, 30, 21, 40}, "0": {0, 10, 20, 30, 40}},
	"10": {AnyGrade: {20, 30, 40}},
	"20": {AnyGrade: {30, 40}},
	"21": {AnyGrade: {31}},
	"30": {AnyGrade: {40}},
	"31": {AnyGrade: {31, 40}},
	"40": {AnyGrade: {50, KindServiceUser}},
	"50": {AnyGrade: {50, KindServiceUser}},
}

// Modification is the seed's GroupBusinessRules.modification: the kinds a Group may change to.
// A kind or grade without an entry may not change.
var Modification = Rules{
	"30": {"1": {10, 20}, "2": {10, 20}, "3": {20}},
}

// Allowed returns the kinds the rules give a Group of kind at grade: the entry for that grade
// when there is one (it replaces AnyGrade's: the root at grade 0 may hold kind 0 but not 21),
// else the AnyGrade entry.
func (r Rules) Allowed(kind int32, grade int) []int32 {
	byGrade := r[strconv.Itoa(int(kind))]
	if kinds, ok := byGrade[strconv.Itoa(grade)]; ok {
		return kinds
	}
	return byGrade[AnyGrade]
}

// AllowedChildKinds returns the Group kinds a child of a parent of kind parentKind at depth
// parentDepth may have (KindServiceUser, no Group's kind, left out).
func AllowedChildKinds(parentKind int32, parentDepth int) []int32 {
	kinds := Creation.Allowed(parentKind, parentDepth)
	if !slices.Contains(kinds, KindServiceUser) {
		return kinds
	}
	return slices.DeleteFunc(slices.Clone(kinds), func(k int32) bool { return k == KindServiceUser })
}

// ChildAllowed reports whether a Group of kind child may sit under a parent of parentKind at
// parentDepth.
func ChildAllowed(parentKind int32, parentDepth int, child int32) bool {
	return child != KindServiceUser && slices.Contains(Creation.Allowed(parentKind, parentDepth), child)
}

// ServiceUsersAllowed reports whether a Group of kind at depth may hold service users.
func ServiceUsersAllowed(kind int32, depth int) bool {
	return slices.Contains(Creation.Allowed(kind, depth), KindServiceUser)
}

// KindChangeAllowed reports whether a Group of kind from at grade may change its kind to to.
func KindChangeAllowed(from int32, grade int, to int32) bool {
	return from == to || slices.Contains(Modification.Allowed(from, grade), to)
}
