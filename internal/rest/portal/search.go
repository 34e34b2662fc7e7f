package portal

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/tree"
)

// Search limits: the seed's default, and Tessera's bound.
const (
	defaultSearchLimit = 10
	maxSearchLimit     = 100
)

// searchHit is an item of GET /groups: a group, or an admin or service user (kind null,
// parent_id its group).
type searchHit struct {
	ID       int64  `json:"id"`
	UUID     string `json:"uuid"`
	Name     string `json:"name"`
	ParentID *int64 `json:"parent_id"`
	Kind     *int32 `json:"kind"`
}

// search is GET /groups?prefix=&strict=&limit=: groups whose name, and admins and service
// users whose login, start with prefix (case-insensitively; strict=1: the whole name), in the
// caller's subtree only. limit (default 10, at most 100) counts groups and accounts apart.
func (a *API) search(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	strict, err := flagParam(r, "strict")
	if err != nil {
		return err
	}
	limit := defaultSearchLimit
	if q.Has("limit") {
		if limit, err = strconv.Atoi(q.Get("limit")); err != nil || limit < 1 || limit > maxSearchLimit {
			return errBadParam("limit", "must be a number from 1 to %d, not %q", maxSearchLimit, q.Get("limit"))
		}
	}
	prefix := strings.ToLower(q.Get("prefix"))
	match := func(name string) bool {
		if strict {
			return foldedEqual(name, prefix)
		}
		return foldedHasPrefix(name, prefix)
	}
	groups, err := a.searchGroups(r.Context(), c.home, match, limit)
	if err != nil {
		return err
	}
	accounts, err := a.searchAccounts(r.Context(), c.home, match, prefix, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": append(groups, accounts...)})
	return nil
}

func (a *API) searchGroups(ctx context.Context, home string, match func(name string) bool, limit int) ([]searchHit, error) {
	type found struct{ name, display string }
	first := leastN[found]{n: limit, cmp: func(x, y found) int {
		return cmp.Or(compareFolded(x.display, y.display), cmp.Compare(x.name, y.name))
	}}
	a.Forest.Walk(home, func(n tree.Node) bool {
		if match(n.DisplayName) {
			first.add(found{n.Name, n.DisplayName})
		}
		return true
	})
	hits := first.items
	out := []searchHit{}
	for _, h := range hits {
		if len(out) == limit {
			break
		}
		g := &tenancyv1alpha1.Group{}
		if err := a.Client.Get(ctx, client.ObjectKey{Name: h.name}, g); err != nil {
			if client.IgnoreNotFound(err) == nil {
				continue
			}
			return nil, err
		}
		p, err := a.placeOf(ctx, g)
		if err != nil {
			return nil, err
		}
		kind := int32(g.Spec.Kind)
		out = append(out, searchHit{ID: g.Spec.ID, UUID: g.Spec.UUID, Name: h.display, ParentID: p.parentID, Kind: &kind})
	}
	return out, nil
}

// searchAccounts finds admins and service users by login: an admin answers with its Admin's id
// and uuid (the portal's admin object), a service user with its Account's. Hits come in login
// order (case-folded), from whichever is smaller: the logins matching the prefix (walked in
// the login index until limit of them are in the subtree) or the subtree's own Accounts.
func (a *API) searchAccounts(ctx context.Context, home string, match func(name string) bool, prefix string, limit int) ([]searchHit, error) {
	var refs []types.NamespacedName
	subtree := a.subtreeIfSmaller(home, prefix)
	if subtree == nil {
		a.Members.Logins(prefix, func(ref types.NamespacedName, folded string) bool {
			if match(folded) && a.Forest.IsAncestor(home, tenancyv1alpha1.GroupOfNamespace(ref.Namespace)) {
				refs = append(refs, ref)
			}
			return len(refs) < limit
		})
	} else {
		var err error
		if refs, err = a.subtreeLogins(ctx, subtree, match, limit); err != nil {
			return nil, err
		}
	}
	out := []searchHit{}
	for _, ref := range refs {
		acct := &tenancyv1alpha1.Account{}
		if err := a.Client.Get(ctx, ref, acct); err != nil {
			if client.IgnoreNotFound(err) == nil {
				continue
			}
			return nil, err
		}
		hit, err := a.accountHit(ctx, acct)
		if err != nil {
			return nil, err
		}
		out = append(out, hit)
	}
	return out, nil
}

// subtreeIfSmaller is home's subtree when listing its Accounts costs less than walking the
// logins that match prefix, else nil: always nil from the root, whose subtree holds them all.
func (a *API) subtreeIfSmaller(home, prefix string) []string {
	if n, ok := a.Forest.Get(home); ok && n.Parent == "" {
		return nil
	}
	subtree := append([]string{home}, a.Forest.Descendants(home)...)
	own := 0
	for _, g := range subtree {
		own += a.Members.Accounts(tenancyv1alpha1.GroupNamespace(g))
	}
	if a.Members.LoginMatches(prefix) <= own {
		return nil
	}
	return subtree
}

// subtreeLogins lists the subtree's Accounts whose case-folded login matches: the first limit in
// login order.
func (a *API) subtreeLogins(ctx context.Context, subtree []string, match func(name string) bool, limit int) ([]types.NamespacedName, error) {
	type found struct {
		folded string
		ref    types.NamespacedName
	}
	var hits []found
	for _, group := range subtree {
		accts, _, err := a.members(ctx, tenancyv1alpha1.GroupNamespace(group))
		if err != nil {
			return nil, err
		}
		for _, acct := range accts {
			if match(acct.Spec.Login) {
				hits = append(hits, found{strings.ToLower(acct.Spec.Login), client.ObjectKeyFromObject(acct)})
			}
		}
	}
	slices.SortFunc(hits, func(x, y found) int {
		return cmp.Or(cmp.Compare(x.folded, y.folded), cmp.Compare(x.ref.Namespace, y.ref.Namespace), cmp.Compare(x.ref.Name, y.ref.Name))
	})
	refs := make([]types.NamespacedName, 0, min(limit, len(hits)))
	for _, h := range hits[:min(limit, len(hits))] {
		refs = append(refs, h.ref)
	}
	return refs, nil
}

// accountHit is acct as a search hit: as its admin when an Admin of its namespace grants it.
func (a *API) accountHit(ctx context.Context, acct *tenancyv1alpha1.Account) (searchHit, error) {
	groupID, err := a.groupID(ctx, tenancyv1alpha1.GroupOfNamespace(acct.Namespace))
	if err != nil {
		return searchHit{}, err
	}
	hit := searchHit{ID: acct.Spec.ID, UUID: acct.Spec.AccountID, Name: acct.Spec.Login, ParentID: &groupID}
	admins := &tenancyv1alpha1.AdminList{}
	if err := a.Client.List(ctx, admins, client.InNamespace(acct.Namespace), client.UnsafeDisableDeepCopy); err != nil {
		return searchHit{}, err
	}
	for i := range admins.Items {
		if adm := &admins.Items[i]; adm.DeletionTimestamp == nil && adm.Spec.AccountRef.Name == acct.Name {
			hit.ID, hit.UUID = adm.Spec.ID, adm.Spec.UUID
			break
		}
	}
	return hit, nil
}

// foldedHasPrefix reports whether strings.ToLower(s) starts with folded (already lower case),
// without the copy for ASCII s: the search matches every group of a subtree.
func foldedHasPrefix(s, folded string) bool {
	if !isASCII(s) {
		return strings.HasPrefix(strings.ToLower(s), folded)
	}
	return len(s) >= len(folded) && asciiLowerEqual(s[:len(folded)], folded)
}

// foldedEqual reports whether strings.ToLower(s) is folded (already lower case).
func foldedEqual(s, folded string) bool {
	if !isASCII(s) {
		return strings.ToLower(s) == folded
	}
	return len(s) == len(folded) && asciiLowerEqual(s, folded)
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiLowerEqual compares ASCII s, lowered, with folded, byte for byte (len(s) == len(folded)).
func asciiLowerEqual(s, folded string) bool {
	for i := range len(s) {
		if asciiLower(s[i]) != folded[i] {
			return false
		}
	}
	return true
}

// leastN keeps the n least of the items added, in order: a search's first hits of a subtree
// without collecting and sorting every match.
type leastN[T any] struct {
	n     int
	cmp   func(a, b T) int
	items []T
}

func (l *leastN[T]) add(x T) {
	if len(l.items) == l.n && l.cmp(x, l.items[len(l.items)-1]) >= 0 {
		return
	}
	i, _ := slices.BinarySearchFunc(l.items, x, l.cmp)
	if len(l.items) == l.n {
		l.items = l.items[:l.n-1]
	}
	l.items = slices.Insert(l.items, i, x)
}

// compareFolded compares strings.ToLower(a) with strings.ToLower(b), without the copies for
// ASCII.
func compareFolded(a, b string) int {
	if !isASCII(a) || !isASCII(b) {
		return strings.Compare(strings.ToLower(a), strings.ToLower(b))
	}
	for i := range min(len(a), len(b)) {
		if c := cmp.Compare(asciiLower(a[i]), asciiLower(b[i])); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
