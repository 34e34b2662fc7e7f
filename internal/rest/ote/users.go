package ote

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/verify"
)

// userBody is the body of POST /v1/user and POST /v1/admin/user.
type userBody struct {
	User     *string `json:"user"`
	Password *string `json:"password"`
	Phone    *string `json:"phone"`
	IsAdmin  *bool   `json:"isAdmin"`
	RealName *string `json:"realName"`
}

type newUser struct {
	user, password, phone, realName string
	isAdmin                         bool
}

func (b *userBody) validate() (*newUser, error) {
	var u newUser
	var err error
	if u.user, err = required("user", b.User); err != nil {
		return nil, err
	}
	if err := checkUser(u.user); err != nil {
		return nil, err
	}
	if u.password, err = required("password", b.Password); err != nil {
		return nil, err
	}
	if err := checkPassword("password", u.password); err != nil {
		return nil, err
	}
	if u.phone, err = required("phone", b.Phone); err != nil {
		return nil, err
	}
	if err := checkPhone(u.phone); err != nil {
		return nil, err
	}
	if u.isAdmin, err = required("isAdmin", b.IsAdmin); err != nil {
		return nil, err
	}
	if u.realName, err = required("realName", b.RealName); err != nil {
		return nil, err
	}
	if err := checkRealName(u.realName); err != nil {
		return nil, err
	}
	return &u, nil
}

// account builds the Account of a new user in namespace.
func (u *newUser) account(namespace string, approval tenancyv1alpha1.ApprovalState) *tenancyv1alpha1.Account {
	acct := &tenancyv1alpha1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: people.PersonAccountName(u.user)},
		Spec: tenancyv1alpha1.AccountSpec{Login: u.user, Type: tenancyv1alpha1.AccountTypeUser, Approval: approval,
			Profile: tenancyv1alpha1.AccountProfile{FirstName: u.realName, Phone: u.phone},
			Roles:   []string{"user"}},
	}
	if u.isAdmin {
		acct.Annotations = map[string]string{AnnotationIsAdmin: "true"}
	}
	return acct
}

func (a *API) createUser(r *http.Request, u *newUser, acct *tenancyv1alpha1.Account) error {
	err := people.CreatePerson(r.Context(), a.Client, acct, u.password)
	if errors.Is(err, people.ErrLoginTaken) {
		return errParam("user", "user name %q is already taken", u.user)
	}
	return err
}

// register is self-registration: the user waits, pending, for a system administrator.
func (a *API) register(w http.ResponseWriter, r *http.Request) {
	var body userBody
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	u, err := body.validate()
	if err != nil {
		fail(w, err)
		return
	}
	acct := u.account(people.RootNamespace, tenancyv1alpha1.ApprovalPending)
	if err := a.createUser(r, u, acct); err != nil {
		fail(w, err)
		return
	}
	ok(w, map[string]any{"data": map[string]any{"id": acct.Spec.ID}})
}

func (a *API) changePassword(w http.ResponseWriter, r *http.Request) {
	c, err := a.caller(r)
	if err != nil {
		fail(w, err)
		return
	}
	var body struct {
		OldPassword *string `json:"oldPassword"`
		Password    *string `json:"password"`
	}
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	old, err := required("oldPassword", body.OldPassword)
	if err != nil {
		fail(w, err)
		return
	}
	pw, err := required("password", body.Password)
	if err != nil {
		fail(w, err)
		return
	}
	if err := checkPassword("password", pw); err != nil {
		fail(w, err)
		return
	}
	if _, err := a.Auth.Password(r, c.acct.Spec.Login, old); err != nil {
		if errors.Is(err, verify.ErrWrongPassword) {
			err = errParam("oldPassword", "does not match the current password")
		}
		fail(w, err)
		return
	}
	if err := people.SetPassword(r.Context(), a.Client, c.acct, pw); err != nil {
		fail(w, err)
		return
	}
	ok(w, nil)
}

// inScope reports whether the administrator c may manage acct: a system administrator every
// Account, a general administrator those of its business and the Groups below it.
func (a *API) inScope(c *caller, acct *tenancyv1alpha1.Account) bool {
	if c.system {
		return true
	}
	return c.admin && a.Forest.IsAncestor(c.group, tenancyv1alpha1.GroupOfNamespace(acct.Namespace))
}

func statusOf(s tenancyv1alpha1.ApprovalState) int {
	switch s {
	case tenancyv1alpha1.ApprovalPending:
		return statusPending
	case tenancyv1alpha1.ApprovalNotApproved:
		return statusNotApproved
	case tenancyv1alpha1.ApprovalForbidden:
		return statusForbidden
	}
	return statusApproved
}

var approvals = [...]tenancyv1alpha1.ApprovalState{tenancyv1alpha1.ApprovalPending, tenancyv1alpha1.ApprovalApproved,
	tenancyv1alpha1.ApprovalNotApproved, tenancyv1alpha1.ApprovalForbidden}

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

func unix(t *metav1.Time) int64 {
	if t == nil {
		return 0
	}
	return t.Unix()
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) {
	c, err := a.adminCaller(r)
	if err != nil {
		fail(w, err)
		return
	}
	p, err := readPaging(r, "id", "user_name")
	if err != nil {
		fail(w, err)
		return
	}
	var accts []tenancyv1alpha1.Account
	if c.system {
		list := &tenancyv1alpha1.AccountList{}
		if err := a.Client.List(r.Context(), list); err != nil {
			fail(w, err)
			return
		}
		accts = list.Items
	} else {
		for _, g := range append([]string{c.group}, a.Forest.Descendants(c.group)...) {
			list := &tenancyv1alpha1.AccountList{}
			if err := a.Client.List(r.Context(), list, client.InNamespace(tenancyv1alpha1.GroupNamespace(g))); err != nil {
				fail(w, err)
				return
			}
			accts = append(accts, list.Items...)
		}
	}
	accts = slices.DeleteFunc(accts, func(x tenancyv1alpha1.Account) bool { return x.DeletionTimestamp != nil })
	slices.SortFunc(accts, func(x, y tenancyv1alpha1.Account) int {
		d := cmp.Compare(x.Spec.ID, y.Spec.ID)
		if p.orderBy == "user_name" {
			d = cmp.Or(cmp.Compare(x.Spec.Login, y.Spec.Login), d)
		}
		if p.desc {
			d = -d
		}
		return d
	})
	lo, hi := p.window(len(accts))
	data := make([]map[string]any, 0, hi-lo)
	for _, x := range accts[lo:hi] {
		updated := x.Status.UpdateTime
		if updated == nil {
			updated = &x.CreationTimestamp
		}
		data = append(data, map[string]any{
			"id": x.Spec.ID, "user": x.Spec.Login, "status": statusOf(x.Spec.Approval),
			"realName": x.Spec.Profile.FirstName, "phone": x.Spec.Profile.Phone,
			"createTime": unix(&x.CreationTimestamp), "updateTime": unix(updated),
		})
	}
	ok(w, map[string]any{"data": data, "total": len(accts)})
}

func (a *API) createSubUser(w http.ResponseWriter, r *http.Request) {
	c, err := a.adminCaller(r)
	if err != nil {
		fail(w, err)
		return
	}
	var body userBody
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	u, err := body.validate()
	if err != nil {
		fail(w, err)
		return
	}
	if b := c.business(); b != "" {
		g := &tenancyv1alpha1.Group{}
		if err := a.Client.Get(r.Context(), client.ObjectKey{Name: b}, g); err != nil {
			fail(w, err)
			return
		}
		if st := businessStatus(g); st != statusApproved {
			fail(w, errStatus(http.StatusForbidden, "your business %q is not approved (status %d)", displayName(g), st))
			return
		}
	}
	acct := u.account(c.acct.Namespace, tenancyv1alpha1.ApprovalApproved)
	if err := a.createUser(r, u, acct); err != nil {
		fail(w, err)
		return
	}
	if u.isAdmin {
		if err := a.grantAdmin(r, acct); err != nil {
			fail(w, err)
			return
		}
	}
	ok(w, map[string]any{"data": map[string]any{"id": acct.Spec.ID}})
}

// target reads the {userId} path parameter and finds the Account an administrator manages.
func (a *API) target(r *http.Request, c *caller) (*tenancyv1alpha1.Account, error) {
	raw := r.PathValue("userId")
	id, err := strconv.ParseUint(raw, 10, 63)
	if err != nil || id == 0 {
		return nil, errParam("userId", "must be a positive integer")
	}
	acct, err := people.ByIndex[*tenancyv1alpha1.Account](r.Context(), a.Client, index.AccountNumericID, raw)
	if err != nil {
		return nil, err
	}
	if acct == nil {
		return nil, errStatus(http.StatusNotFound, "user %s not found", raw)
	}
	if !a.inScope(c, acct) {
		return nil, errStatus(http.StatusForbidden, "user %s is not in your business", raw)
	}
	return acct, nil
}

func (a *API) auditUser(w http.ResponseWriter, r *http.Request) {
	c, err := a.adminCaller(r)
	if err != nil {
		fail(w, err)
		return
	}
	if !c.system {
		fail(w, errStatus(http.StatusForbidden, "only a system administrator may audit users"))
		return
	}
	acct, err := a.target(r, c)
	if err != nil {
		fail(w, err)
		return
	}
	var body struct {
		Status *int `json:"status"`
	}
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	st, err := required("status", body.Status)
	if err != nil {
		fail(w, err)
		return
	}
	if st < 0 || st > 3 {
		fail(w, errParam("status", "must be 0 (pending), 1 (approved), 2 (not approved) or 3 (forbidden)"))
		return
	}
	if acct.Name == c.acct.Name && acct.Namespace == c.acct.Namespace && st != statusApproved {
		fail(w, errStatus(http.StatusForbidden, "you cannot revoke your own approval"))
		return
	}
	if err := a.setApproval(r, acct, approvals[st]); err != nil {
		fail(w, err)
		return
	}
	ok(w, nil)
}

// setApproval writes spec.approval with optimistic concurrency and waits for the cache.
func (a *API) setApproval(r *http.Request, acct *tenancyv1alpha1.Account, state tenancyv1alpha1.ApprovalState) error {
	upd := acct.DeepCopy()
	if upd.Spec.Approval == state {
		return nil
	}
	upd.Spec.Approval = state
	// A merge patch of the one field: the controllers' metadata writes (finalizers) do not
	// conflict with it.
	if err := a.Client.Patch(r.Context(), upd, client.MergeFrom(acct)); err != nil {
		return people.ClassifyWrite(err)
	}
	return credential.WaitVisible(r.Context(), a.Client, upd)
}

func (a *API) resetPassword(w http.ResponseWriter, r *http.Request) {
	c, err := a.adminCaller(r)
	if err != nil {
		fail(w, err)
		return
	}
	acct, err := a.target(r, c)
	if err != nil {
		fail(w, err)
		return
	}
	var body struct {
		Password *string `json:"password"`
	}
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	pw, err := required("password", body.Password)
	if err != nil {
		fail(w, err)
		return
	}
	if err := checkPassword("password", pw); err != nil {
		fail(w, err)
		return
	}
	if err := people.SetPassword(r.Context(), a.Client, acct, pw); err != nil {
		fail(w, err)
		return
	}
	ok(w, nil)
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request) {
	c, err := a.adminCaller(r)
	if err != nil {
		fail(w, err)
		return
	}
	acct, err := a.target(r, c)
	if err != nil {
		fail(w, err)
		return
	}
	if acct.Name == c.acct.Name && acct.Namespace == c.acct.Namespace {
		fail(w, errStatus(http.StatusForbidden, "you cannot delete yourself"))
		return
	}
	if err := a.Client.Delete(r.Context(), acct.DeepCopy(), client.Preconditions{UID: &acct.UID}); client.IgnoreNotFound(err) != nil {
		fail(w, people.ClassifyWrite(err))
		return
	}
	_ = people.WaitDeleted(r.Context(), a.Client, acct)
	ok(w, nil)
}
