package listindex

import (
	"cmp"
	"sync"

	"k8s.io/apimachinery/pkg/types"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// tokenKey places a listed Token: oldest first, then by token id, as Luna pages.
type tokenKey struct {
	Ref   types.NamespacedName
	Owner string // the Account's name, in Ref.Namespace
	At    int64
	ID    string
}

func (k tokenKey) owner() types.NamespacedName {
	return types.NamespacedName{Namespace: k.Ref.Namespace, Name: k.Owner}
}

func (k tokenKey) ref() types.NamespacedName { return k.Ref }
func (k tokenKey) at() int64                 { return k.At }

func tokensByCreated(a, b tokenKey) int {
	if c := cmp.Compare(a.At, b.At); c != 0 {
		return c
	}
	if c := cmp.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	return compareRefs(a.Ref, b.Ref)
}

func tokensByOwner(a, b tokenKey) int {
	if c := compareRefs(a.owner(), b.owner()); c != 0 {
		return c
	}
	return tokensByCreated(a, b)
}

// tokenKeyOf is where tok is listed; false when it is not: gone (nil), being deleted, or
// without a token id yet.
func tokenKeyOf(tok *tenancyv1alpha1.Token) (tokenKey, bool) {
	if tok == nil || tok.DeletionTimestamp != nil || tok.Spec.TokenID == "" {
		return tokenKey{}, false
	}
	return tokenKey{
		Ref:   types.NamespacedName{Namespace: tok.Namespace, Name: tok.Name},
		Owner: tok.Spec.AccountRef.Name,
		At:    nanos(tok.CreationTimestamp.Time),
		ID:    tok.Spec.TokenID,
	}, true
}

// Tokens indexes the live Tokens that have a token id, in two orders: by owner then creation
// (every Token, so that one Account's are one contiguous range), and by creation (only those
// whose Account is live: a Token outlives its Account until the Account's finalizer deletes
// it, and a list of every token skips those). So the index also follows the Accounts'
// liveness. Memory is one key per listed Token per order, one map entry per Token and one per
// live Account.
type Tokens struct {
	mu      sync.RWMutex
	listed  listing[tokenKey]
	owners  map[types.NamespacedName]struct{} // live Accounts
	owned   *Tree[tokenKey]
	created *Tree[tokenKey]
}

// NewTokens makes an empty index; Register feeds it from the cache.
func NewTokens() *Tokens {
	return &Tokens{
		listed:  listing[tokenKey]{},
		owners:  map[types.NamespacedName]struct{}{},
		owned:   NewTree(tokensByOwner),
		created: NewTree(tokensByCreated),
	}
}

// Apply records the Token ref as the cache now has it (nil when gone).
func (x *Tokens) Apply(ref types.NamespacedName, tok *tenancyv1alpha1.Token) {
	k, ok := tokenKeyOf(tok)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.listed.set(ref, k, ok, func(old tokenKey) {
		x.owned.Delete(old)
		x.created.Delete(old)
	}, func(k tokenKey) {
		x.owned.Insert(k)
		if _, live := x.owners[k.owner()]; live {
			x.created.Insert(k)
		}
	})
}

// ApplyAccount records whether the Account ref is live (acct nil when gone): its Tokens join or
// leave the order by creation. That costs O(k log n) for an Account with k Tokens, once per
// change of liveness.
func (x *Tokens) ApplyAccount(ref types.NamespacedName, acct *tenancyv1alpha1.Account) {
	live := acct != nil && acct.DeletionTimestamp == nil
	x.mu.Lock()
	defer x.mu.Unlock()
	if _, was := x.owners[ref]; was == live {
		return
	}
	if live {
		x.owners[ref] = struct{}{}
	} else {
		delete(x.owners, ref)
	}
	var keys []tokenKey
	x.owned.Ascend(x.owned.Rank(func(k tokenKey) bool { return compareRefs(k.owner(), ref) < 0 }), func(k tokenKey) bool {
		if k.owner() != ref {
			return false
		}
		keys = append(keys, k)
		return true
	})
	for _, k := range keys {
		if live {
			x.created.Insert(k)
		} else {
			x.created.Delete(k)
		}
	}
}

// Page returns the Tokens at [offset, offset+limit) of those of owner (nil: of every live
// Account) created within w, oldest first, and how many those are. It costs O(log n + limit).
func (x *Tokens) Page(owner *types.NamespacedName, w Window, offset, limit int) ([]types.NamespacedName, int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if owner == nil {
		return pageWithin(x.created, nil, w, offset, limit)
	}
	return pageWithin(x.owned, func(k tokenKey) int { return compareRefs(k.owner(), *owner) }, w, offset, limit)
}

// Reflects reports whether the index shows the Token ref as tok (nil: not listed) has it.
func (x *Tokens) Reflects(ref types.NamespacedName, tok *tenancyv1alpha1.Token) bool {
	k, ok := tokenKeyOf(tok)
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.listed.reflects(ref, k, ok)
}

// OwnerLive reports whether the index counts the Account ref as live.
func (x *Tokens) OwnerLive(ref types.NamespacedName) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, live := x.owners[ref]
	return live
}
