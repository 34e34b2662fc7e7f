package listindex

import (
	"cmp"
	"sync"

	"k8s.io/apimachinery/pkg/types"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// accountKey places a listed Account: oldest first, then by account id, as Luna pages; the
// object's name last makes keys unique.
type accountKey struct {
	Ref  types.NamespacedName
	Type tenancyv1alpha1.AccountType // never empty: an unset type is a user
	At   int64
	ID   string
}

func (k accountKey) ref() types.NamespacedName { return k.Ref }
func (k accountKey) at() int64                 { return k.At }

func accountsByCreated(a, b accountKey) int {
	if c := cmp.Compare(a.At, b.At); c != 0 {
		return c
	}
	if c := cmp.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	return compareRefs(a.Ref, b.Ref)
}

func accountsByType(a, b accountKey) int {
	if c := cmp.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return accountsByCreated(a, b)
}

// accountKeyOf is where acct is listed; false when it is not: gone (nil), being deleted, or
// without an account id yet.
func accountKeyOf(acct *tenancyv1alpha1.Account) (accountKey, bool) {
	if acct == nil || acct.DeletionTimestamp != nil || acct.Spec.AccountID == "" {
		return accountKey{}, false
	}
	return accountKey{
		Ref:  types.NamespacedName{Namespace: acct.Namespace, Name: acct.Name},
		Type: cmp.Or(acct.Spec.Type, tenancyv1alpha1.AccountTypeUser),
		At:   nanos(acct.CreationTimestamp.Time),
		ID:   acct.Spec.AccountID,
	}, true
}

// Accounts indexes the live Accounts that have an account id, in two orders: by creation, and
// by type then creation (so that one type's accounts are one contiguous range). Memory is one
// key per listed Account per order, plus one map entry.
type Accounts struct {
	mu      sync.RWMutex
	listed  listing[accountKey]
	created *Tree[accountKey]
	typed   *Tree[accountKey]
}

// NewAccounts makes an empty index; Register feeds it from the cache.
func NewAccounts() *Accounts {
	return &Accounts{
		listed:  listing[accountKey]{},
		created: NewTree(accountsByCreated),
		typed:   NewTree(accountsByType),
	}
}

// Apply records the Account ref as the cache now has it (nil when gone); an Account whose key
// changed moves.
func (x *Accounts) Apply(ref types.NamespacedName, acct *tenancyv1alpha1.Account) {
	k, ok := accountKeyOf(acct)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.listed.set(ref, k, ok, func(old accountKey) {
		x.created.Delete(old)
		x.typed.Delete(old)
	}, func(k accountKey) {
		x.created.Insert(k)
		x.typed.Insert(k)
	})
}

// Len is the number of listed Accounts.
func (x *Accounts) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.created.Len()
}

// Page returns the Accounts at [offset, offset+limit) of those of type typ (every type when
// empty) created within w, oldest first, and how many those are. It costs O(log n + limit).
func (x *Accounts) Page(typ tenancyv1alpha1.AccountType, w Window, offset, limit int) ([]types.NamespacedName, int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if typ == "" {
		return pageWithin(x.created, nil, w, offset, limit)
	}
	return pageWithin(x.typed, func(k accountKey) int { return cmp.Compare(k.Type, typ) }, w, offset, limit)
}

// Reflects reports whether the index shows the Account ref as acct (nil: not listed) has it,
// for a writer that must not answer before its change shows in lists.
func (x *Accounts) Reflects(ref types.NamespacedName, acct *tenancyv1alpha1.Account) bool {
	k, ok := accountKeyOf(acct)
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.listed.reflects(ref, k, ok)
}
