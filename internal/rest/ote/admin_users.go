package ote

import (
	"cmp"
	"net/http"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/principal"
)

// The administrators' user management under /v1/admin/user (admin wraps every handler).

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

func unix(t *metav1.Time) int64 {
	if t == nil {
		return 0
	}
	return t.Unix()
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	p, err := readPaging(r, "id", "user_name")
	if err != nil {
		return err
	}
	system, err := c.IsSystemAdmin(r.Context())
	if err != nil {
		return err
	}
	var accts []tenancyv1alpha1.Account
	if system {
		list := &tenancyv1alpha1.AccountList{}
		if err := a.Client.List(r.Context(), list); err != nil {
			return err
		}
		accts = list.Items
	} else {
		for _, g := range append([]string{c.Group()}, a.Forest.Descendants(c.Group())...) {
			list := &tenancyv1alpha1.AccountList{}
			if err := a.Client.List(r.Context(), list, client.InNamespace(tenancyv1alpha1.GroupNamespace(g))); err != nil {
				return err
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
			"id": x.Spec.ID, paramUser: x.Spec.Login, "status": statusOf(x.Spec.Approval),
			"realName": x.Spec.Profile.FirstName, "phone": x.Spec.Profile.Phone,
			"createTime": unix(&x.CreationTimestamp), "updateTime": unix(updated),
		})
	}
	ok(w, map[string]any{fieldData: data, "total": len(accts)})
	return nil
}

func (a *API) createSubUser(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	u, err := readUser(r)
	if err != nil {
		return err
	}
	if b := business(c); b != "" {
		g := &tenancyv1alpha1.Group{}
		if err := a.Client.Get(r.Context(), client.ObjectKey{Name: b}, g); err != nil {
			return err
		}
		if st := businessStatus(g); st != statusApproved {
			return errForbidden("your business %q is not approved (status %d)", displayName(g), st)
		}
	}
	acct := u.account(c.Account.Namespace, tenancyv1alpha1.ApprovalApproved)
	if err := a.createUser(r, u, acct); err != nil {
		return err
	}
	if u.isAdmin {
		if _, err := people.GrantAdmin(r.Context(), a.Client, acct, tenancyv1alpha1.AccessFull); err != nil {
			return err
		}
	}
	ok(w, map[string]any{fieldData: map[string]any{"id": acct.Spec.ID}})
	return nil
}

// target reads the {userId} path parameter and finds the Account an administrator manages.
func (a *API) target(r *http.Request, c *principal.Principal) (*tenancyv1alpha1.Account, error) {
	id, err := positiveID(r, "userId")
	if err != nil {
		return nil, err
	}
	acct, err := people.ByIndex[*tenancyv1alpha1.Account](r.Context(), a.Client, index.AccountNumericID, id)
	if err != nil {
		return nil, err
	}
	if acct == nil {
		return nil, errNotFound("user %s not found", id)
	}
	if ok, err := inScope(r.Context(), c, acct); err != nil {
		return nil, err
	} else if !ok {
		return nil, errForbidden("user %s is not in your business", id)
	}
	return acct, nil
}

func (a *API) auditUser(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	if err := systemOnly(r.Context(), c, "audit users"); err != nil {
		return err
	}
	acct, err := a.target(r, c)
	if err != nil {
		return err
	}
	var body struct {
		Status *int `json:"status"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	st, err := statusParam(body.Status, "0 (pending), 1 (approved), 2 (not approved) or 3 (forbidden)")
	if err != nil {
		return err
	}
	if c.IsSelf(acct) && st != statusApproved {
		return errForbidden("you cannot revoke your own approval")
	}
	if err := a.setApproval(r, acct, approvals[st]); err != nil {
		return err
	}
	ok(w, nil)
	return nil
}

// setApproval writes spec.approval and waits until the cache shows it.
func (a *API) setApproval(r *http.Request, acct *tenancyv1alpha1.Account, state tenancyv1alpha1.ApprovalState) error {
	upd := acct.DeepCopy()
	if upd.Spec.Approval == state {
		return nil
	}
	upd.Spec.Approval = state
	// A merge patch of the one field: the controllers' metadata writes (finalizers) do not
	// conflict with it.
	if err := a.Client.Patch(r.Context(), upd, client.MergeFrom(acct)); err != nil {
		return err
	}
	return credential.WaitVisible(r.Context(), a.Client, upd)
}

func (a *API) resetPassword(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	acct, err := a.target(r, c)
	if err != nil {
		return err
	}
	var body struct {
		Password *string `json:"password"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	pw, err := newPassword("password", body.Password)
	if err != nil {
		return err
	}
	if err := people.SetPassword(r.Context(), a.Client, acct, pw); err != nil {
		return err
	}
	ok(w, nil)
	return nil
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	acct, err := a.target(r, c)
	if err != nil {
		return err
	}
	if c.IsSelf(acct) {
		return errForbidden("you cannot delete yourself")
	}
	if err := a.Client.Delete(r.Context(), acct.DeepCopy(), client.Preconditions{UID: &acct.UID}); client.IgnoreNotFound(err) != nil {
		return err
	}
	_ = people.WaitDeleted(r.Context(), a.Client, acct) // deleted either way; the cache may lag
	ok(w, nil)
	return nil
}
