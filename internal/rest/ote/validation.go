package ote

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// The document's rules for parameters; each refusal is a 422 that names the parameter.

// The parameters that name a user and a business, in bodies and answers alike.
const (
	paramUser = "user"
	paramName = "name"
)

var (
	userPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$`)
	phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{2,30}$`)
)

func required[T any](name string, v *T) (T, error) {
	if v == nil {
		var zero T
		return zero, errParam(name, "is required")
	}
	return *v, nil
}

func checkUser(u string) error {
	if !userPattern.MatchString(u) {
		return errParam(paramUser, "must be 3–64 characters: letters, digits and . _ @ -, starting with a letter or digit")
	}
	return nil
}

// checkPassword applies the document's rule: 8–20 characters with at least one upper-case
// letter, one lower-case letter and one digit.
func checkPassword(name, p string) error {
	n := len([]rune(p))
	var upper, lower, digit bool
	for _, r := range p {
		upper = upper || unicode.IsUpper(r)
		lower = lower || unicode.IsLower(r)
		digit = digit || unicode.IsDigit(r)
	}
	if n < 8 || n > 20 || !upper || !lower || !digit {
		return errParam(name, "must be 8-20 characters long with at least 1 uppercase, 1 lowercase and 1 number")
	}
	return nil
}

// newPassword reads a required password parameter that must follow the rule.
func newPassword(name string, v *string) (string, error) {
	pw, err := required(name, v)
	if err == nil {
		err = checkPassword(name, pw)
	}
	return pw, err
}

func checkPhone(p string) error {
	if !phonePattern.MatchString(p) {
		return errParam("phone", "must be a phone number: digits, optionally with a leading + and spaces, dashes or parentheses")
	}
	return nil
}

func checkRealName(n string) error {
	if strings.TrimSpace(n) == "" || len([]rune(n)) > 128 {
		return errParam("realName", "must be 1–128 characters")
	}
	return nil
}

// statusParam reads a required status parameter from 0 to 3; meaning lists their names.
func statusParam(v *int, meaning string) (int, error) {
	st, err := required("status", v)
	if err == nil && (st < 0 || st > 3) {
		err = errParam("status", "must be %s", meaning)
	}
	return st, err
}

// positiveID reads the path parameter name, a positive integer.
func positiveID(r *http.Request, name string) (string, error) {
	raw := r.PathValue(name)
	if id, err := strconv.ParseUint(raw, 10, 63); err != nil || id == 0 {
		return "", errParam(name, "must be a positive integer")
	}
	return raw, nil
}

// paging reads page, pageSize, orderBy and order.
type paging struct {
	page, size int
	orderBy    string
	desc       bool
}

func readPaging(r *http.Request, orderBys ...string) (*paging, error) {
	q := r.URL.Query()
	p := &paging{page: 1, size: 10, orderBy: "id"}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, errParam("page", "must be an integer of at least 1")
		}
		p.page = n
	}
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, errParam("pageSize", "must be an integer from 1 to 1000")
		}
		p.size = n
	}
	if v := q.Get("orderBy"); v != "" {
		if !slices.Contains(orderBys, v) {
			return nil, errParam("orderBy", "must be one of %s", strings.Join(orderBys, ", "))
		}
		p.orderBy = v
	}
	switch q.Get("order") {
	case "", "asc":
	case "desc":
		p.desc = true
	default:
		return nil, errParam("order", "must be asc or desc")
	}
	return p, nil
}

// window returns the bounds of the page within n items.
func (p *paging) window(n int) (lo, hi int) {
	lo = min((p.page-1)*p.size, n)
	return lo, min(lo+p.size, n)
}
