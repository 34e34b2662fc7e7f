package portal

import (
	"net/http"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/client-go/util/retry"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/rest"
)

// adminUpdate is PUT /admins/{admin}'s body (admin_put_request, additionalProperties false,
// nothing required: a partial update). The names, e-mail, language and status are the
// Account's; the access type, roles and notifications the Admin's.
type adminUpdate struct {
	notificationsInput
	FirstName  opt[string] `json:"firstname"`
	LastName   opt[string] `json:"lastname"`
	Email      opt[string] `json:"email"`
	Language   opt[string] `json:"language"`
	AccessType opt[int32]  `json:"access_type"`
	Roles      opt[int32]  `json:"roles"`
	Status     opt[int]    `json:"status"`
}

// putAdmin is PUT /admins/{admin}?version=: {"version": N}, N the Admin's metadata.generation.
// A change that touches only the Account still moves it: the Admin records the Account's new
// generation (spec.accountGeneration), so every accepted change raises the version by one and
// an unchanged body leaves it. An administrator may not change its own access type or disable
// itself, and grants no access bit it lacks.
func (a *API) putAdmin(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	p, err := a.adminParam(r, c)
	if err != nil {
		return err
	}
	var body adminUpdate
	if err := rest.DecodeJSON(r, &body); err != nil {
		return err
	}
	acctWritten := false
	attempt := 0
	err = retry.RetryOnConflict(writeRetry, func() error {
		if attempt++; attempt > 1 {
			fresh, err := a.adminByRef(ctx, r.PathValue("admin"))
			if err != nil {
				return err
			}
			if !acctWritten { // else ours is newer than the cache's
				p.Account = fresh.Account
			}
			p.Admin, p.Group = fresh.Admin, fresh.Group
		}
		if err := a.mayWrite(ctx, c, p.Group); err != nil {
			return err
		}
		if err := checkVersion(r, p.Admin.Generation); err != nil {
			return err
		}
		acct, adm := p.Account.DeepCopy(), p.Admin.DeepCopy()
		if err := body.apply(c, acct, adm); err != nil {
			return err
		}
		if !equality.Semantic.DeepEqual(acct.Spec, p.Account.Spec) {
			if err := a.Client.Update(ctx, acct); err != nil {
				return err
			}
			p.Account, acctWritten = acct, true
		}
		if acctWritten {
			adm.Spec.AccountGeneration = p.Account.Generation
		}
		if !equality.Semantic.DeepEqual(adm.Spec, p.Admin.Spec) {
			if err := a.Client.Update(ctx, adm); err != nil {
				return err
			}
			p.Admin = adm
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := credential.WaitVisible(ctx, a.Client, p.Account, p.Admin); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, versionAnswer{p.Admin.Generation})
	return nil
}

// apply validates u and writes it into acct and adm (copies). Nothing is written anywhere.
func (u *adminUpdate) apply(c *caller, acct *tenancyv1alpha1.Account, adm *tenancyv1alpha1.Admin) error {
	self := c.IsSelf(acct)
	if err := applyContact(&contactInput{FirstName: u.FirstName, LastName: u.LastName, Email: u.Email}, acct); err != nil {
		return err
	}
	if err := setLanguage(acct, u.Language); err != nil {
		return err
	}
	if err := checkFlag("status", u.Status); err != nil {
		return err
	}
	if u.Status.Null {
		return errBadField("status", "may not be null")
	}
	if u.Status.Set {
		if self && u.Status.V == 0 {
			return errForbidden("can not change access policies for self: an administrator may not disable itself")
		}
		acct.Spec.Disabled = u.Status.V == 0
	}
	if u.AccessType.Set {
		access := tenancyv1alpha1.AccessType(u.AccessType.V)
		if err := checkAccess(c, u.AccessType, access, accessOf(adm)); err != nil {
			return err
		}
		if self && access != accessOf(adm) {
			return errForbidden("can not change access policies for self")
		}
		adm.Spec.AccessType = access
	}
	if err := checkRoles(u.Roles); err != nil {
		return err
	}
	setValue(u.Roles, &adm.Spec.Roles)
	return u.notificationsInput.apply(&adm.Spec.Notifications)
}
