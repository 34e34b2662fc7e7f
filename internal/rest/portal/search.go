package portal

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

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
	accounts, err := a.searchAccounts(r.Context(), subtree, match, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": append(groups, accounts...)})
	return nil
}

func (a *API) searchGroups(ctx context.Context, subtree []string, match func(string) bool, limit int) ([]searchHit, error) {
	type found struct{ name, display string }
	var hits []found
	for _, name := range subtree {
		if n, ok := a.Forest.Get(name); ok && match(n.DisplayName) {
			hits = append(hits, found{name, n.DisplayName})
		}
	}
	slices.SortFunc(hits, func(x, y found) int {
		return cmp.Or(cmp.Compare(strings.ToLower(x.display), strings.ToLower(y.display)), cmp.Compare(x.name, y.name))
	})
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
// and uuid (the portal's admin object), a service user with its Account's.
func (a *API) searchAccounts(ctx context.Context, subtree []string, match func(string) bool, limit int) ([]searchHit, error) {
	var found []*tenancyv1alpha1.Account
	grants := map[string]*tenancyv1alpha1.Admin{} // namespace/account → grant
	for _, group := range subtree {
		accts, admins, err := a.members(ctx, tenancyv1alpha1.GroupNamespace(group))
		if err != nil {
			return nil, err
		}
		for _, acct := range accts {
			if match(acct.Spec.Login) {
				found = append(found, acct)
			}
		}
		for _, adm := range admins {
			grants[adm.Namespace+"/"+adm.Spec.AccountRef.Name] = adm
		}
	}
	slices.SortFunc(found, func(x, y *tenancyv1alpha1.Account) int { return cmp.Compare(x.Spec.Login, y.Spec.Login) })
	out := []searchHit{}
	for _, acct := range found[:min(limit, len(found))] {
		groupID, err := a.groupID(ctx, tenancyv1alpha1.GroupOfNamespace(acct.Namespace))
		if err != nil {
			return nil, err
		}
		hit := searchHit{ID: acct.Spec.ID, UUID: acct.Spec.AccountID, Name: acct.Spec.Login, ParentID: &groupID}
		if adm := grants[acct.Namespace+"/"+acct.Name]; adm != nil {
			hit.ID, hit.UUID = adm.Spec.ID, adm.Spec.UUID
		}
		out = append(out, hit)
	}
	return out, nil
}
