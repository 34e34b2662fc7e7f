package portal

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
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
	match := func(s string) bool {
		s = strings.ToLower(s)
		if strict {
			return s == prefix
		}
		return strings.HasPrefix(s, prefix)
	}
	subtree := append([]string{c.home}, a.Forest.Descendants(c.home)...)
	groups, err := a.searchGroups(r.Context(), subtree, match, limit)
	if err != nil {
		return err
	}
	accounts, err := a.searchAccounts(r.Context(), c.home, subtree, prefix, strict, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": append(groups, accounts...)})
	return nil
}

func (a *API) searchGroups(ctx context.Context, subtree []string, match func(string) bool, limit int) ([]searchHit, error) {
	type found struct{ name, display, folded string }
	var hits []found
	for _, name := range subtree {
		if n, ok := a.Forest.Get(name); ok && match(n.DisplayName) {
			hits = append(hits, found{name, n.DisplayName, strings.ToLower(n.DisplayName)})
		}
	}
	slices.SortFunc(hits, func(x, y found) int { return cmp.Or(cmp.Compare(x.folded, y.folded), cmp.Compare(x.name, y.name)) })
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
func (a *API) searchAccounts(ctx context.Context, home string, subtree []string, prefix string, strict bool, limit int) ([]searchHit, error) {
	var refs []types.NamespacedName
	if a.loginIndexCheaper(home, subtree, prefix) {
		a.Members.Logins(prefix, func(ref types.NamespacedName, folded string) bool {
			if (!strict || folded == prefix) && a.Forest.IsAncestor(home, tenancyv1alpha1.GroupOfNamespace(ref.Namespace)) {
				refs = append(refs, ref)
			}
			return len(refs) < limit
		})
	} else {
		var err error
		if refs, err = a.subtreeLogins(ctx, subtree, prefix, strict, limit); err != nil {
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

// loginIndexCheaper reports whether walking the logins that match prefix costs no more than
// listing the Accounts of home's subtree: always from the root, whose subtree holds them all.
func (a *API) loginIndexCheaper(home string, subtree []string, prefix string) bool {
	if n, ok := a.Forest.Get(home); ok && n.Parent == "" {
		return true
	}
	own := 0
	for _, g := range subtree {
		own += a.Members.Accounts(tenancyv1alpha1.GroupNamespace(g))
	}
	return a.Members.LoginMatches(prefix) <= own
}

// subtreeLogins lists the subtree's Accounts whose case-folded login starts with prefix (is
// prefix, when strict): the first limit in login order.
func (a *API) subtreeLogins(ctx context.Context, subtree []string, prefix string, strict bool, limit int) ([]types.NamespacedName, error) {
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
			f := strings.ToLower(acct.Spec.Login)
			if strict && f == prefix || !strict && strings.HasPrefix(f, prefix) {
				hits = append(hits, found{f, client.ObjectKeyFromObject(acct)})
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
