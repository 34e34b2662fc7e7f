package portal

import (
	"context"
	"net/http"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/people"
)

// person is a portal admin or service user: its Account, its Admin grant (nil for a service
// user) and its Group. The objects are copies: handlers may change them.
type person struct {
	Admin   *tenancyv1alpha1.Admin
	Account *tenancyv1alpha1.Account
	Group   *tenancyv1alpha1.Group
}

// adminByRef finds the admin a path names by the Admin's id (spec.id) or uuid, joined with
// its Account, or answers 404.
func (a *API) adminByRef(ctx context.Context, ref string) (*person, error) {
	field, key, ok := identifier(ref, index.AdminNumericID, index.AdminUUID)
	if !ok {
		return nil, errNotFound("admin %q does not exist: an admin is named by its id or its uuid", ref)
	}
	adm, err := people.ByIndex[*tenancyv1alpha1.Admin](ctx, a.Client, field, key)
	if err != nil {
		return nil, err
	}
	if adm == nil {
		return nil, errNotFound("admin %s does not exist", ref)
	}
	acct := &tenancyv1alpha1.Account{}
	err = a.Client.Get(ctx, client.ObjectKey{Namespace: adm.Namespace, Name: adm.Spec.AccountRef.Name}, acct)
	if client.IgnoreNotFound(err) != nil {
		return nil, err
	}
	if err != nil || acct.DeletionTimestamp != nil {
		return nil, errNotFound("admin %s does not exist: its account is gone", ref)
	}
	g, err := a.groupOfAccount(ctx, acct)
	if err != nil {
		return nil, err
	}
	return &person{Admin: adm, Account: acct, Group: g}, nil
}

// adminParam is the {admin} of the path, within the caller's subtree (403 outside).
func (a *API) adminParam(r *http.Request, c *caller) (*person, error) {
	p, err := a.adminByRef(r.Context(), r.PathValue("admin"))
	if err != nil {
		return nil, err
	}
	return p, c.scoped(p.Group)
}

// accessOf is the Admin's access type, the CRD's default (full) when unset.
func accessOf(adm *tenancyv1alpha1.Admin) tenancyv1alpha1.AccessType {
	if adm.Spec.AccessType == 0 {
		return tenancyv1alpha1.AccessFull
	}
	return adm.Spec.AccessType
}

// adminItem is an item of GET /groups/{group}/admins: every field the seed's item requires.
type adminItem struct {
	ID         int64  `json:"id"`
	UUID       string `json:"uuid"`
	UserID     int64  `json:"user_id"`
	FirstName  string `json:"firstname"`
	LastName   string `json:"lastname"`
	Login      string `json:"login"`
	Language   string `json:"language"`
	Roles      int32  `json:"roles"`
	Status     int    `json:"status"`
	AccessType int32  `json:"access_type"`
	Email      string `json:"email"`
	Version    int64  `json:"version"`
}

func adminItemOf(adm *tenancyv1alpha1.Admin, acct *tenancyv1alpha1.Account, g *tenancyv1alpha1.Group) adminItem {
	p := acct.Spec.Profile
	return adminItem{ID: adm.Spec.ID, UUID: adm.Spec.UUID, UserID: acct.Spec.ID, FirstName: p.FirstName,
		LastName: p.LastName, Login: acct.Spec.Login, Language: personLanguage(acct, g), Roles: adm.Spec.Roles,
		Status: accountStatus(acct), AccessType: int32(accessOf(adm)), Email: p.Email, Version: adm.Generation}
}

// adminView is GET /admins/{admin} (admin_get_response): the contact and every field the
// seed requires. version is the Admin's metadata.generation.
type adminView struct {
	contact
	ID         int64  `json:"id"`
	UUID       string `json:"uuid"`
	UserID     int64  `json:"user_id"`
	Login      string `json:"login"`
	Language   string `json:"language"`
	AccessType int32  `json:"access_type"`
	Roles      int32  `json:"roles"`
	Group      int64  `json:"group"`
	Status     int    `json:"status"`
	personFlags
	IntegrationActive bool  `json:"integration_active"`
	Version           int64 `json:"version"`
}

func adminViewOf(p *person) adminView {
	acct, adm := p.Account, p.Admin
	return adminView{contact: personContact(acct), ID: adm.Spec.ID, UUID: adm.Spec.UUID, UserID: acct.Spec.ID,
		Login: acct.Spec.Login, Language: personLanguage(acct, p.Group), AccessType: int32(accessOf(adm)),
		Roles: adm.Spec.Roles, Group: p.Group.Spec.ID, Status: accountStatus(acct),
		personFlags: personFlagsOf(acct.Spec.Portal, adm.Spec.Notifications), Version: adm.Generation}
}

// personFlags are what admins and service users answer alike: the terms accepted and the
// notification subscriptions (an admin's are its Admin's, a service user's its Account's).
type personFlags struct {
	TermsAccepted                      int   `json:"terms_accepted"`
	PlatformTermsAccepted              int   `json:"platform_terms_accepted"`
	PrivacyPolicyAccepted              int   `json:"privacy_policy_accepted"`
	NotificationsManagement            int   `json:"notifications_management"`
	NotificationsBackup                int32 `json:"notifications_backup"`
	NotificationsDeviceControl         int32 `json:"notifications_device_control"`
	NotificationsCertificateManagement int32 `json:"notifications_certificate_management"`
}

func personFlagsOf(pf tenancyv1alpha1.AccountPortal, n tenancyv1alpha1.AdminNotifications) personFlags {
	return personFlags{TermsAccepted: flag(pf.TermsAccepted), PlatformTermsAccepted: flag(pf.PlatformTermsAccepted),
		PrivacyPolicyAccepted: flag(pf.PrivacyPolicyAccepted), NotificationsManagement: flag(n.Management),
		NotificationsBackup: n.Backup, NotificationsDeviceControl: n.DeviceControl,
		NotificationsCertificateManagement: n.CertificateManagement}
}
