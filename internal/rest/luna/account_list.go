package luna

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/principal"
)

func (a *API) listAccounts(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	q := r.URL.Query()
	pq, e := parsePageQuery(q)
	if e != nil {
		return e
	}
	targets, e := parseTargets(q)
	if e != nil {
		return e
	}
	login := ""
	if q.Has(fieldLogin) {
		login = q.Get(fieldLogin)
		if checkLogin(fieldLogin, login) != nil {
			return errBadQuery(fieldLogin)
		}
	}
	typ := ""
	if q.Has(fieldAccountType) {
		typ = q.Get(fieldAccountType)
		if !validAccountType(typ) {
			return errBadQuery(fieldAccountType)
		}
	}
	matches := func(acct *tenancyv1alpha1.Account) bool {
		return (typ == "" || accountType(acct) == typ) && pq.inRange(acct.CreationTimestamp.Time)
	}
	ctx := r.Context()
	var page []*tenancyv1alpha1.Account
	total := 0
	if login != "" || !canSeeAccount(c, others) {
		// A login names one account, and a caller who sees only itself sees one: a few to sort.
		items, err := a.fewVisibleAccounts(ctx, c, login)
		if err != nil {
			return err
		}
		matched := slices.DeleteFunc(items, func(acct *tenancyv1alpha1.Account) bool { return !matches(acct) })
		start, end := pq.window(len(matched))
		page, total = matched[start:end], len(matched)
	} else {
		lists, err := a.lists(ctx)
		if err != nil {
			return err
		}
		var refs []client.ObjectKey
		refs, total = lists.Accounts.Page(tenancyv1alpha1.AccountType(typ), pq.created(), pq.offset(), pq.PageSize)
		if page, err = a.listedAccounts(ctx, refs, matches); err != nil {
			return err
		}
	}
	out := make([]map[string]any, 0, len(page))
	for _, acct := range page {
		out = append(out, accountJSON(acct, targets))
	}
	writeJSON(w, http.StatusOK, map[string]any{"accounts": out, "total_count": total})
	return nil
}

// others stands for every Account but the caller's (no Account has an empty name): what the
// policies in authz.go answer for it, they answer for each other account.
var others = &tenancyv1alpha1.Account{}

// fewVisibleAccounts lists the accounts the caller may see among those with login (the
// caller's own when empty), oldest first.
func (a *API) fewVisibleAccounts(ctx context.Context, c *principal.Principal, login string) ([]*tenancyv1alpha1.Account, error) {
	var items []*tenancyv1alpha1.Account
	if login == "" {
		self, err := a.cachedAccount(ctx, client.ObjectKeyFromObject(c.Account))
		if err != nil || self == nil {
			return nil, err
		}
		items = append(items, self)
	} else {
		l := &tenancyv1alpha1.AccountList{}
		if err := a.Client.List(ctx, l, client.UnsafeDisableDeepCopy, client.MatchingFields{index.AccountLogin: login}); err != nil {
			return nil, err
		}
		for i := range l.Items {
			items = append(items, &l.Items[i])
		}
	}
	items = slices.DeleteFunc(items, func(acct *tenancyv1alpha1.Account) bool {
		return acct.DeletionTimestamp != nil || acct.Spec.AccountID == "" || !canSeeAccount(c, acct)
	})
	slices.SortFunc(items, func(x, y *tenancyv1alpha1.Account) int {
		if c := x.CreationTimestamp.Compare(y.CreationTimestamp.Time); c != 0 {
			return c
		}
		return strings.Compare(x.Spec.AccountID, y.Spec.AccountID)
	})
	return items, nil
}

// listedAccounts reads a page of indexed Accounts from the cache, leaving out any that was
// deleted or stopped matching since the index was read (the page is then one short, as a list
// taken a moment later would be).
func (a *API) listedAccounts(ctx context.Context, refs []client.ObjectKey, matches func(*tenancyv1alpha1.Account) bool) ([]*tenancyv1alpha1.Account, error) {
	out := make([]*tenancyv1alpha1.Account, 0, len(refs))
	for _, ref := range refs {
		acct, err := a.cachedAccount(ctx, ref)
		if err != nil {
			return nil, err
		}
		if acct != nil && acct.DeletionTimestamp == nil && acct.Spec.AccountID != "" && matches(acct) {
			out = append(out, acct)
		}
	}
	return out, nil
}

// cachedAccount reads an Account from the cache (nil when gone); do not modify it.
func (a *API) cachedAccount(ctx context.Context, ref client.ObjectKey) (*tenancyv1alpha1.Account, error) {
	acct := &tenancyv1alpha1.Account{}
	if err := a.Client.Get(ctx, ref, acct, client.UnsafeDisableDeepCopy); err != nil {
		return nil, client.IgnoreNotFound(err)
	}
	return acct, nil
}

func (a *API) countAccounts(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	ctx := r.Context()
	n := 0
	if canSeeAccount(c, others) {
		lists, err := a.lists(ctx)
		if err != nil {
			return err
		}
		n = lists.Accounts.Len()
	} else {
		items, err := a.fewVisibleAccounts(ctx, c, "")
		if err != nil {
			return err
		}
		n = len(items)
	}
	writeJSON(w, http.StatusOK, map[string]int{"count": n})
	return nil
}
