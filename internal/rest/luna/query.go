package luna

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
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

// window returns the [start, end) slice bounds of the requested page over n items.
func (pq pageQuery) window(n int) (int, int) {
	start := (pq.Page - 1) * pq.PageSize
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
