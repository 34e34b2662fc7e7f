package luna

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tessera-dev/tessera/internal/listindex"
)

// pageQuery is the page, page_size and create_time bounds of a list request.
type pageQuery struct {
	Page, PageSize int
	Lt, Gte        *time.Time
}

func parsePageQuery(q url.Values) (pageQuery, *apiError) {
	pq := pageQuery{Page: 1, PageSize: 10}
	for _, p := range []struct {
		name     string
		dst      *int
		min, max int
	}{{"page", &pq.Page, 1, 1 << 30}, {"page_size", &pq.PageSize, 1, 100}} {
		if !q.Has(p.name) {
			continue
		}
		n, err := strconv.Atoi(q.Get(p.name))
		if err != nil || n < p.min || n > p.max {
			return pq, errBadQuery(p.name)
		}
		*p.dst = n
	}
	for _, b := range []struct {
		name string
		dst  **time.Time
	}{{"create_time__lt", &pq.Lt}, {"create_time__gte", &pq.Gte}} {
		if !q.Has(b.name) {
			continue
		}
		t, ok := parseTime(q.Get(b.name))
		if !ok {
			return pq, errBadQuery(b.name)
		}
		*b.dst = &t
	}
	return pq, nil
}

// inRange applies create_time__lt and create_time__gte.
func (pq pageQuery) inRange(t time.Time) bool {
	if pq.Lt != nil && !t.Before(*pq.Lt) {
		return false
	}
	if pq.Gte != nil && t.Before(*pq.Gte) {
		return false
	}
	return true
}

// created is the create_time bounds as an index window.
func (pq pageQuery) created() listindex.Window { return listindex.Window{Since: pq.Gte, Before: pq.Lt} }

// offset is the position of the page's first item.
func (pq pageQuery) offset() int { return (pq.Page - 1) * pq.PageSize }

// window returns the [start, end) slice bounds of the requested page over n items.
func (pq pageQuery) window(n int) (int, int) {
	start := pq.offset()
	if start > n || start < 0 {
		return n, n
	}
	return start, min(start+pq.PageSize, n)
}

// parseTargets reads targets, a comma-separated list of account fields (all when absent).
func parseTargets(q url.Values) ([]string, *apiError) {
	if !q.Has("targets") {
		return nil, nil
	}
	var out []string
	for t := range strings.SplitSeq(q.Get("targets"), ",") {
		t = strings.TrimSpace(t)
		if !slices.Contains(accountTargets, t) {
			return nil, errBadQuery("targets")
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// parsePermissionsTargets reads permissions_targets: standard (default), custom or all.
func parsePermissionsTargets(q url.Values) (string, *apiError) {
	if !q.Has("permissions_targets") {
		return targetsStandard, nil
	}
	switch v := q.Get("permissions_targets"); v {
	case targetsStandard, targetsCustom, targetsAll:
		return v, nil
	}
	return "", errBadQuery("permissions_targets")
}

// parseUUIDQuery reads an optional UUID query parameter.
func parseUUIDQuery(q url.Values, name string) (string, *apiError) {
	if !q.Has(name) {
		return "", nil
	}
	v := q.Get(name)
	if !uuidPattern.MatchString(v) {
		return "", errBadQuery(name)
	}
	return v, nil
}

// accountIDHeader reads Luna-Account-Id: 11066 when required and absent, 11037 when not a UUID.
func accountIDHeader(h string, required bool) (string, *apiError) {
	if h == "" {
		if required {
			return "", errAccountIDMissing()
		}
		return "", nil
	}
	if !uuidPattern.MatchString(h) {
		return "", errAccountIDNotUUID()
	}
	return h, nil
}

// lists returns the list indexes once they hold the informers' initial lists, waiting for that
// at most the wait timeout (the first requests after a start), else 503.
func (a *API) lists(ctx context.Context) (*listindex.Lists, error) {
	if a.Lists == nil {
		return nil, errUnavailable("the list indexes are not configured")
	}
	if !a.Lists.Synced() {
		if ok, err := a.waitUntil(ctx, func(context.Context) (bool, error) { return a.Lists.Synced(), nil }); err != nil {
			return nil, err
		} else if !ok {
			return nil, errUnavailable("the list indexes are still loading")
		}
	}
	return a.Lists, nil
}

// awaitLists waits until shown holds of the list indexes: the indexes see a change just after
// the cache does, and a write that answered before lists show it would let the client's next
// list miss it.
func (a *API) awaitLists(ctx context.Context, shown func(ctx context.Context, l *listindex.Lists) (bool, error)) error {
	if a.Lists == nil {
		return nil
	}
	ok, err := a.waitUntil(ctx, func(ctx context.Context) (bool, error) { return shown(ctx, a.Lists) })
	if err != nil {
		return err
	}
	if !ok {
		return errTimeout("the change was stored but lists do not show it yet; retry shortly")
	}
	return nil
}
