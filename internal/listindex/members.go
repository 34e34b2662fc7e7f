package listindex

import (
	"cmp"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/types"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// loginKey places an Account in login order: its login case-folded (the portal's search is
// case-insensitive), then its name, which makes keys unique.
type loginKey struct {
	Folded string
	Ref    types.NamespacedName
}

func loginsInOrder(a, b loginKey) int {
	return cmp.Or(cmp.Compare(a.Folded, b.Folded), compareRefs(a.Ref, b.Ref))
}

// members are the counts of one namespace: its live Accounts, how many of those a live Admin
// of the namespace names, and its live Admins; and its stamp, the sequence number of the last
// change to any of its Accounts or Admins.
type members struct {
	accounts, granted, admins int
	stamp                     uint64
}

// Members indexes what the portal's listings count and search without listing a namespace:
// per namespace, how many live Accounts it holds and how many of them an Admin grants (the
// rest are its service users), and every live Account by case-folded login. Memory is a map
// entry and a tree key per Account, a map entry per Admin and per granted Account, and one
// per namespace.
type Members struct {
	mu       sync.RWMutex
	accounts map[types.NamespacedName]loginKey             // live Accounts
	grants   map[types.NamespacedName]types.NamespacedName // live Admin → the Account it names
	granted  map[types.NamespacedName]int                  // Account → how many live Admins name it
	counts   map[string]members                            // namespace → its counts
	logins   *Tree[loginKey]
	seq      uint64 // the last stamp given
}

// NewMembers makes an empty index; Register feeds it from the cache.
func NewMembers() *Members {
	return &Members{
		accounts: map[types.NamespacedName]loginKey{},
		grants:   map[types.NamespacedName]types.NamespacedName{},
		granted:  map[types.NamespacedName]int{},
		counts:   map[string]members{},
		logins:   NewTree(loginsInOrder),
	}
}

// ApplyAccount records the Account ref as the cache now has it (nil when gone). One being
// deleted counts as gone, as in the portal's listings.
func (x *Members) ApplyAccount(ref types.NamespacedName, acct *tenancyv1alpha1.Account) {
	live := acct != nil && acct.DeletionTimestamp == nil
	k := loginKey{Ref: ref}
	if live {
		k.Folded = strings.ToLower(acct.Spec.Login)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	defer x.touch(ref.Namespace)
	old, had := x.accounts[ref]
	if had && live && old == k {
		return
	}
	granted := x.granted[ref] > 0
	if had {
		x.logins.Delete(old)
		delete(x.accounts, ref)
		x.count(ref.Namespace, -1, granted)
	}
	if live {
		x.logins.Insert(k)
		x.accounts[ref] = k
		x.count(ref.Namespace, +1, granted)
	}
}

// ApplyAdmin records the Admin ref as the cache now has it (nil when gone).
func (x *Members) ApplyAdmin(ref types.NamespacedName, adm *tenancyv1alpha1.Admin) {
	live := adm != nil && adm.DeletionTimestamp == nil
	var target types.NamespacedName
	if live {
		target = types.NamespacedName{Namespace: ref.Namespace, Name: adm.Spec.AccountRef.Name}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	defer x.touch(ref.Namespace)
	old, had := x.grants[ref]
	if had && live && old == target {
		return
	}
	if had {
		x.countAdmin(ref.Namespace, -1)
		delete(x.grants, ref)
		if x.granted[old]--; x.granted[old] == 0 {
			delete(x.granted, old)
			x.regrant(old, -1)
		}
	}
	if live {
		x.countAdmin(ref.Namespace, +1)
		x.grants[ref] = target
		if x.granted[target]++; x.granted[target] == 1 {
			x.regrant(target, +1)
		}
	}
}

// regrant moves the granted count of acct's namespace by delta when acct is live.
func (x *Members) regrant(acct types.NamespacedName, delta int) {
	if _, ok := x.accounts[acct]; !ok {
		return
	}
	m := x.counts[acct.Namespace]
	m.granted += delta
	x.set(acct.Namespace, m)
}

// count moves ns's Accounts by delta, and its granted ones too when granted.
func (x *Members) count(ns string, delta int, granted bool) {
	m := x.counts[ns]
	m.accounts += delta
	if granted {
		m.granted += delta
	}
	x.set(ns, m)
}

func (x *Members) countAdmin(ns string, delta int) {
	m := x.counts[ns]
	m.admins += delta
	x.set(ns, m)
}

// touch takes the next stamp, and gives it to ns when ns has members: something of it changed.
func (x *Members) touch(ns string) {
	x.seq++
	if m, ok := x.counts[ns]; ok {
		m.stamp = x.seq
		x.counts[ns] = m
	}
}

// set stores ns's counts; a namespace without Accounts and Admins is forgotten (its stamp too:
// Stamp answers 0, which stands for empty, and the next member brings a stamp never given).
func (x *Members) set(ns string, m members) {
	if m.accounts == 0 && m.admins == 0 {
		delete(x.counts, ns)
		return
	}
	x.counts[ns] = m
}

// Stamp identifies the state of namespace ns's Accounts and Admins: it changes with every
// change the cache passes on, and 0 means none are live. A reader that reads a stamp other
// than 0 before the cache's objects may keep what it made of them under that stamp: the
// cache's store is updated before a change reaches this index, so what it read is as new as
// the stamp or newer. (0 comes back whenever the namespace empties, so it identifies nothing.)
func (x *Members) Stamp(ns string) uint64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.counts[ns].stamp
}

// ServiceUsers is the number of live Accounts of namespace ns that no live Admin names.
func (x *Members) ServiceUsers(ns string) int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	m := x.counts[ns]
	return m.accounts - m.granted
}

// Logins calls yield with the live Accounts whose case-folded login starts with prefix
// (case-folded here), in login order, until yield returns false. It costs O(log n) plus the
// Accounts yielded; yield runs under the index's read lock and must not call back into it.
func (x *Members) Logins(prefix string, yield func(ref types.NamespacedName, folded string) bool) {
	prefix = strings.ToLower(prefix)
	x.mu.RLock()
	defer x.mu.RUnlock()
	from := x.logins.Rank(func(k loginKey) bool { return k.Folded < prefix })
	x.logins.Ascend(from, func(k loginKey) bool {
		return strings.HasPrefix(k.Folded, prefix) && yield(k.Ref, k.Folded)
	})
}

// Accounts is the number of live Accounts of namespace ns.
func (x *Members) Accounts(ns string) int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.counts[ns].accounts
}

// LoginMatches is how many live Accounts' case-folded logins start with prefix (case-folded
// here), in O(log n): what Logins would yield.
func (x *Members) LoginMatches(prefix string) int {
	prefix = strings.ToLower(prefix)
	x.mu.RLock()
	defer x.mu.RUnlock()
	below := x.logins.Rank(func(k loginKey) bool { return k.Folded < prefix })
	through := x.logins.Rank(func(k loginKey) bool { return k.Folded < prefix || strings.HasPrefix(k.Folded, prefix) })
	return through - below
}

// Changes identifies the state of every namespace's Accounts and Admins, as Stamp does one
// namespace's (it is the last stamp given).
func (x *Members) Changes() uint64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.seq
}
