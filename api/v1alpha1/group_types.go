package v1alpha1

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// GroupKind is the portal's tier of a Group in the tenant tree. The allowed parent→child kinds
// follow the portal's /logic/rules (internal/tree.Creation), checked at admission:
//
//	the root Group (grade 0) → 0, 10, 20, 30, 40 · a kind-0 Group below it → 10, 20, 21, 30, 40 ·
//	Distributor 10 → 20, 30, 40 · SubDistributor 20 → 30, 40 · Provider 21 → 31 · MSP 30 → 40 ·
//	Reseller 31 → 31, 40 · EndUserCompany 40 → 50 · CompanyDepartment 50 → 50.
//
// Service users (Accounts without an Admin grant, in the portal) belong under kinds 40 and 50.
// A kind changes only as the portal's modification rules allow (an MSP 30 at grade 1–2 may
// become 10 or 20, at grade 3 a 20); every other kind is fixed once created.
//
// +kubebuilder:validation:Enum=0;10;20;21;30;31;40;50
type GroupKind int32

// The portal's group kinds.
const (
	GroupKindRoot              GroupKind = 0
	GroupKindDistributor       GroupKind = 10
	GroupKindSubDistributor    GroupKind = 20
	GroupKindProvider          GroupKind = 21
	GroupKindMSP               GroupKind = 30
	GroupKindReseller          GroupKind = 31
	GroupKindEndUserCompany    GroupKind = 40
	GroupKindCompanyDepartment GroupKind = 50
)

// GroupSpec is the desired state of a Group.
//
// +kubebuilder:validation:XValidation:rule="has(self.parent) || self.kind == 0",message="a Group without spec.parent is the root and must have kind 0",fieldPath=".parent"
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.uuid) || (has(self.uuid) && self.uuid == oldSelf.uuid)",message="uuid is immutable",fieldPath=".uuid"
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.id) || (has(self.id) && self.id == oldSelf.id)",message="id is immutable",fieldPath=".id"
type GroupSpec struct {
	// parent is the name of the parent Group. It is empty only for the root of the tree, which
	// must then have kind 0. The parent must exist and its kind must allow this Group's kind as a
	// child (checked at admission). Changing it moves the whole subtree, which needs
	// administrative rights at the common ancestor of the old and the new parent.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Parent string `json:"parent,omitempty"`

	// kind is the portal's tier of this Group: 0 root, 10 distributor, 20 subdistributor,
	// 21 provider, 30 MSP, 31 reseller, 40 company, 50 department. It decides which kinds its
	// children may have and which portal role its administrators get. Defaults to 40 (company).
	// +kubebuilder:default=40
	// +optional
	Kind GroupKind `json:"kind"`

	// displayName is the human name shown by the REST APIs (the portal's group name, ote-stack's
	// business name). Defaults to the object's name when empty. Sibling Groups may not share a
	// display name.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	DisplayName string `json:"displayName,omitempty"`

	// description is free text about the Group.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	Description string `json:"description,omitempty"`

	// contact holds the Group's contact details.
	// +optional
	Contact Contact `json:"contact,omitempty,omitzero"`

	// settings are the Group's portal settings: feature flags, the logon IP allow-list and the
	// language.
	// +optional
	Settings GroupSettings `json:"settings,omitempty,omitzero"`

	// lock freezes this Group and its whole subtree while enabled: Groups, Accounts, Tokens and
	// Admins inside can be neither created, changed nor deleted, and their accounts cannot sign
	// in or use tokens. Nothing is deleted; disabling the lock restores everything. Only an
	// administrator at or above this Group may unlock it.
	// +optional
	Lock GroupLock `json:"lock,omitempty,omitzero"`

	// portal holds the portal API's fields of the Group that the rest of the spec has no place
	// for: status, commercial fields, quotas, pricing, agent updates and branding.
	// +optional
	Portal GroupPortal `json:"portal,omitempty,omitzero"`

	// uuid is the Group's stable UUID (the portal's uuid, ote-stack's business id). Assigned at
	// admission when absent; immutable once set.
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +optional
	UUID string `json:"uuid,omitempty"`

	// id is the Group's stable positive integer id, unique among Groups (the portal's id and
	// parent_id). Assigned at admission when absent; immutable once set.
	// +kubebuilder:validation:Minimum=1
	// +optional
	ID int64 `json:"id,omitempty"`
}

// GroupSettings are a Group's portal settings.
type GroupSettings struct {
	// flags are the portal's feature switches for the Group. All default to allowed.
	// +optional
	Flags GroupFlags `json:"flags,omitempty,omitzero"`

	// logonIPs restricts sign-in of the Group's accounts to the listed addresses while enabled.
	// +optional
	LogonIPs LogonIPs `json:"logonIPs,omitempty,omitzero"`

	// language is the Group's default language as a BCP 47 tag, e.g. "en". Used for reports
	// and as the default of its accounts. Defaults to "en".
	// +kubebuilder:validation:MaxLength=35
	// +kubebuilder:validation:Pattern=`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`
	// +kubebuilder:default=en
	// +optional
	Language string `json:"language,omitempty"`
}

// GroupFlags are the portal's per-group feature switches. A nil flag means allowed.
type GroupFlags struct {
	// allowAddDevices lets the Group's users register devices. Defaults to true.
	// +optional
	AllowAddDevices *bool `json:"allowAddDevices,omitempty"`
	// allowDownloadTools lets the Group's users download tools. Defaults to true.
	// +optional
	AllowDownloadTools *bool `json:"allowDownloadTools,omitempty"`
	// allowDownloadDocs lets the Group's users download documentation. Defaults to true.
	// +optional
	AllowDownloadDocs *bool `json:"allowDownloadDocs,omitempty"`
	// allowDownloadAgents lets the Group's users download agents. Defaults to true.
	// +optional
	AllowDownloadAgents *bool `json:"allowDownloadAgents,omitempty"`
}

// LogonIPs is a sign-in IP allow-list.
type LogonIPs struct {
	// enabled turns the allow-list on. While false, sign-in is allowed from anywhere and items
	// are kept but ignored. Defaults to false.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// items are the allowed sources: a single address ("192.0.2.7"), a range
	// ("192.0.2.1 - 192.0.2.50") or a CIDR block ("192.0.2.0/24").
	// +kubebuilder:validation:MaxItems=256
	// +kubebuilder:validation:items:MaxLength=64
	// +listType=set
	// +optional
	Items []string `json:"items,omitempty"`
}

// GroupLock is a hierarchy lock on a Group.
type GroupLock struct {
	// enabled locks the Group and its subtree. Defaults to false.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// reason says why the Group is locked. It appears in refusal messages and in the Locked
	// condition of every object in the subtree.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Reason string `json:"reason,omitempty"`
}

// GroupStatus is the observed state of a Group.
type GroupStatus struct {
	// conditions are Ready (the namespace exists and the Group is placed in the tree) and Locked
	// (the Group is frozen by its own lock or an ancestor's).
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// observedGeneration is the metadata.generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// namespace is the Namespace this Group owns; its Accounts, Tokens and Admins live there.
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// path lists the Group's ancestors from the root down to its parent.
	// +listType=atomic
	// +optional
	Path []string `json:"path,omitempty"`

	// depth is the Group's distance from the root (the portal's grade): 0 for the root.
	// +optional
	Depth int32 `json:"depth"`

	// childCount is the number of direct child Groups.
	// +optional
	ChildCount int32 `json:"childCount"`

	// lockedBy names the nearest locked Group at or above this one; empty when not locked.
	// +optional
	LockedBy string `json:"lockedBy,omitempty"`
}

// Group is a node of the tenant tree: a partner, customer, company or department. It owns one
// Namespace in which its Accounts, Tokens and Admins live.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:validation:XValidation:rule="self.metadata.name.matches('^[a-z0-9]([-a-z0-9]{0,53}[a-z0-9])?$') && self.metadata.name != 'system'",message="a Group name must be a DNS label of at most 55 characters, and not 'system': its namespace is tessera-<name>"
// +kubebuilder:resource:scope=Cluster,shortName=grp,categories=tessera
// +kubebuilder:selectablefield:JSONPath=`.spec.parent`
// +kubebuilder:printcolumn:name="Parent",type=string,JSONPath=`.spec.parent`
// +kubebuilder:printcolumn:name="Kind",type=integer,JSONPath=`.spec.kind`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Locked",type=string,JSONPath=`.status.conditions[?(@.type=="Locked")].status`
// +kubebuilder:printcolumn:name="Namespace",type=string,JSONPath=`.status.namespace`,priority=1
// +kubebuilder:printcolumn:name="Depth",type=integer,JSONPath=`.status.depth`,priority=1
// +kubebuilder:printcolumn:name="Locked-By",type=string,JSONPath=`.status.lockedBy`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Group struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired state of the Group.
	// +required
	Spec GroupSpec `json:"spec"`

	// status is the observed state of the Group.
	// +optional
	// +kubebuilder:default={"observedGeneration":-1}
	Status GroupStatus `json:"status,omitempty,omitzero"`
}

// GroupList is a list of Groups.
//
// +kubebuilder:object:root=true
type GroupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Group `json:"items"`
}

func init() {
	register(&Group{}, &GroupList{})
}

// RootGroupName is the name of the root Group, the one Group without a parent (kind
// GroupKindRoot). Tessera creates it on first start, with the bootstrap administrator.
const RootGroupName = "root"

// GroupNamespacePrefix starts the name of every Group's namespace.
const GroupNamespacePrefix = "tessera-"

// GroupNamespace is the name of the Namespace that the Group named group owns.
func GroupNamespace(group string) string { return GroupNamespacePrefix + group }

// GroupOfNamespace is the name of the Group that owns namespace by Tessera's naming, or "" when
// the name does not follow it.
func GroupOfNamespace(namespace string) string {
	if g, ok := strings.CutPrefix(namespace, GroupNamespacePrefix); ok {
		return g
	}
	return ""
}

// TreeDepthLabel is the label that a Group's namespace, and the namespace of every Group below
// it, carries with the distance to that Group as value (HNC style), so that
// "-l <group>.tree.tenancy.tessera.dev/depth" selects a whole subtree.
func TreeDepthLabel(group string) string { return group + TreeDepthLabelSuffix }

// TreeDepthLabelSuffix ends every tree depth label (see TreeDepthLabel).
const TreeDepthLabelSuffix = ".tree.tenancy.tessera.dev/depth"
