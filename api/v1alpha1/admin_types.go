package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AccessType is the portal's access bitmask of an administrator: read 1, branding 2, write 4,
// external 8, migration 16. The named combinations are ReadAccess 1, ChangeBrandingAccess 2,
// ReadWriteAccess 5, ExternalWriteAccess 9, FullAccess 15 and MigrationAccess 16.
// +kubebuilder:validation:Minimum=1
// +kubebuilder:validation:Maximum=31
type AccessType int32

// The portal's named access types.
const (
	AccessRead          AccessType = 1
	AccessBranding      AccessType = 2
	AccessReadWrite     AccessType = 5
	AccessExternalWrite AccessType = 9
	AccessFull          AccessType = 15
	AccessMigration     AccessType = 16
)

// PortalRole is the portal role an Admin ends up with; it follows from its Group's kind and its
// access type and is never set by hand.
type PortalRole string

// The portal's administrator roles.
const (
	RoleRootAdmin     PortalRole = "root_admin"
	RolePartnerAdmin  PortalRole = "partner_admin"
	RoleCompanyAdmin  PortalRole = "company_admin"
	RoleUnitAdmin     PortalRole = "unit_admin"
	RoleReadonlyAdmin PortalRole = "readonly_admin"
)

// AdminRole is the portal role of an administrator of a Group of kind with access type
// access: read-only access (exactly 1) makes a readonly_admin whatever the kind; otherwise the
// Group's tier decides. ok is false for a kind without a role.
func AdminRole(kind GroupKind, access AccessType) (role PortalRole, ok bool) {
	if access == AccessRead {
		return RoleReadonlyAdmin, true
	}
	switch kind {
	case GroupKindRoot:
		return RoleRootAdmin, true
	case GroupKindDistributor, GroupKindSubDistributor, GroupKindProvider, GroupKindMSP, GroupKindReseller:
		return RolePartnerAdmin, true
	case GroupKindEndUserCompany:
		return RoleCompanyAdmin, true
	case GroupKindCompanyDepartment:
		return RoleUnitAdmin, true
	}
	return "", false
}

// GroupAdminRole is the portal role of an administrator of the Group named group, of kind,
// with access: AdminRole, except that only the root Group (RootGroupName) makes a root_admin. A
// Group of kind 0 below the root (the portal lets the root hold one) makes partner_admins:
// root_admin means the whole tree.
func GroupAdminRole(group string, kind GroupKind, access AccessType) (role PortalRole, ok bool) {
	role, ok = AdminRole(kind, access)
	if role == RoleRootAdmin && group != RootGroupName {
		role = RolePartnerAdmin
	}
	return role, ok
}

// AdminSpec is the desired state of an Admin.
//
// +kubebuilder:validation:XValidation:rule="self.accountRef.name == oldSelf.accountRef.name",message="accountRef is immutable",fieldPath=".accountRef"
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.uuid) || (has(self.uuid) && self.uuid == oldSelf.uuid)",message="uuid is immutable",fieldPath=".uuid"
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.id) || (has(self.id) && self.id == oldSelf.id)",message="id is immutable",fieldPath=".id"
type AdminSpec struct {
	// accountRef names the Account, in the Admin's namespace, that receives administrative
	// rights over this Group and every Group below it. Immutable.
	// +required
	AccountRef LocalObjectReference `json:"accountRef"`

	// accessType is the portal's access bitmask: 1 read-only, 2 branding, 5 read-write,
	// 9 external write, 15 full, 16 migration. With read (1) alone the Admin is a
	// readonly_admin whatever its Group's kind. Defaults to 15 (full).
	// +kubebuilder:default=15
	// +optional
	AccessType AccessType `json:"accessType,omitempty"`

	// roles is the portal's admin role bitmask (Buyer 1). Defaults to 0.
	// +kubebuilder:validation:Minimum=0
	// +optional
	Roles int32 `json:"roles,omitempty"`

	// notifications are the e-mail notifications the administrator subscribes to.
	// +optional
	Notifications AdminNotifications `json:"notifications,omitempty,omitzero"`

	// uuid is the Admin's stable UUID (the portal's admin uuid). Assigned at admission when
	// absent; immutable once set.
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +optional
	UUID string `json:"uuid,omitempty"`

	// id is the Admin's stable positive integer id, unique among Admins (the portal's admin id).
	// Assigned at admission when absent; immutable once set.
	// +kubebuilder:validation:Minimum=1
	// +optional
	ID int64 `json:"id,omitempty"`

	// accountGeneration is the metadata.generation of the Account after the portal's last
	// change to it through this Admin (PUT /api/1/admins/{admin}), so that the Admin's own
	// generation, the portal admin's version, moves when a change touches only the Account.
	// Tessera sets it; it means nothing else. Defaults to 0.
	// +kubebuilder:validation:Minimum=0
	// +optional
	AccountGeneration int64 `json:"accountGeneration,omitempty"`
}

// AdminNotifications are an administrator's notification subscriptions (portal bitmasks).
type AdminNotifications struct {
	// management subscribes to backup-management notifications. Defaults to false.
	// +optional
	Management bool `json:"management,omitempty"`
	// backup is a bitmask: error 1, warning 2, info 4, daily report 8, critical 16. Defaults to 0.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=31
	// +optional
	Backup int32 `json:"backup,omitempty"`
	// deviceControl is a bitmask: warning 1. Defaults to 0.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1
	// +optional
	DeviceControl int32 `json:"deviceControl,omitempty"`
	// certificateManagement is a bitmask: error 1, warning 2, info 4. Defaults to 0.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=7
	// +optional
	CertificateManagement int32 `json:"certificateManagement,omitempty"`
}

// AdminStatus is the observed state of an Admin.
type AdminStatus struct {
	// conditions are Ready (the Account and the Group exist) and Locked.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// observedGeneration is the metadata.generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// group is the Group this Admin administers: the owner of its namespace.
	// +optional
	Group string `json:"group,omitempty"`

	// accountID is the UUID of the Account that holds the grant.
	// +optional
	AccountID string `json:"accountID,omitempty"`

	// role is the portal role that follows from the Group's kind and the access type:
	// root_admin, partner_admin, company_admin, unit_admin or readonly_admin.
	// +optional
	Role PortalRole `json:"role,omitempty"`
}

// Admin grants an Account administrative rights over its Group's subtree.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=adm,categories=tessera
// +kubebuilder:selectablefield:JSONPath=`.spec.accountRef.name`
// +kubebuilder:printcolumn:name="Account",type=string,JSONPath=`.spec.accountRef.name`
// +kubebuilder:printcolumn:name="Access",type=integer,JSONPath=`.spec.accessType`
// +kubebuilder:printcolumn:name="Role",type=string,JSONPath=`.status.role`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Group",type=string,JSONPath=`.status.group`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Admin struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired state of the Admin.
	// +required
	Spec AdminSpec `json:"spec"`

	// status is the observed state of the Admin.
	// +optional
	// +kubebuilder:default={"observedGeneration":-1}
	Status AdminStatus `json:"status,omitempty,omitzero"`
}

// AdminList is a list of Admins.
//
// +kubebuilder:object:root=true
type AdminList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Admin `json:"items"`
}

func init() {
	register(&Admin{}, &AdminList{})
}
