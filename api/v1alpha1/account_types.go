package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AccountType is Luna's account type.
// +kubebuilder:validation:Enum=admin;advanced_user;user
type AccountType string

// Luna's account types.
const (
	// AccountTypeAdmin manages every account and token. Its type cannot be changed.
	AccountTypeAdmin AccountType = "admin"
	// AccountTypeAdvancedUser may create tokens that see every account's data.
	AccountTypeAdvancedUser AccountType = "advanced_user"
	// AccountTypeUser sees and manages only itself and its own tokens.
	AccountTypeUser AccountType = "user"
)

// ApprovalState is where an Account stands in the ote-stack approval workflow.
// +kubebuilder:validation:Enum=pending;approved;not_approved;forbidden
type ApprovalState string

// The ote-stack approval states. Only an approved Account may sign in.
const (
	ApprovalPending     ApprovalState = "pending"
	ApprovalApproved    ApprovalState = "approved"
	ApprovalNotApproved ApprovalState = "not_approved"
	ApprovalForbidden   ApprovalState = "forbidden"
)

// AccountSpec is the desired state of an Account.
//
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.accountID) || (has(self.accountID) && self.accountID == oldSelf.accountID)",message="accountID is immutable",fieldPath=".accountID"
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.id) || (has(self.id) && self.id == oldSelf.id)",message="id is immutable",fieldPath=".id"
// +kubebuilder:validation:XValidation:rule="oldSelf.type != 'admin' || self.type == 'admin'",message="the type of an admin account cannot be changed",fieldPath=".type"
type AccountSpec struct {
	// login is the name the Account signs in with. Unique across the cluster (enforced at
	// admission, also under concurrent creates), 3–128 characters, no whitespace. Each REST API
	// checks its own format on top: Luna requires an e-mail address, ote-stack and the identity
	// API accept plain names, so an Account created through one API may be out of reach of
	// another's login rules.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^\S+$`
	// +required
	Login string `json:"login"`

	// type is Luna's account type: admin, advanced_user or user. It bounds what the Account's
	// tokens may do. An admin Account stays admin. Defaults to user.
	// +kubebuilder:default=user
	// +optional
	Type AccountType `json:"type,omitempty"`

	// accountID is the Account's stable UUID (Luna's account_id, the identity API's id). A
	// client may choose it at creation; otherwise it is assigned at admission. Immutable.
	// Unique across the cluster: a chosen one is claimed at admission and checked against the
	// Accounts that hold one (a selectable field); an assigned one needs no claim.
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +optional
	AccountID string `json:"accountID,omitempty"`

	// id is the Account's stable positive integer id, unique among Accounts (the portal's
	// user_id, ote-stack's userid). Assigned at admission when absent; immutable once set.
	// +kubebuilder:validation:Minimum=1
	// +optional
	ID int64 `json:"id,omitempty"`

	// description is free text about the Account (Luna's account description).
	// +kubebuilder:validation:MaxLength=128
	// +optional
	Description string `json:"description,omitempty"`

	// profile holds the person's names, e-mail, phone and language.
	// +optional
	Profile AccountProfile `json:"profile,omitempty,omitzero"`

	// roles are application roles granted to the Account, e.g. the identity API's "user" and
	// "admin". Only an administrator may grant roles beyond "user". Defaults to none.
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=63
	// +listType=set
	// +optional
	Roles []string `json:"roles,omitempty"`

	// approval is the Account's place in the ote-stack approval workflow. Only an approved
	// Account may sign in or use its tokens. Accounts that register themselves start pending;
	// defaults to approved for Accounts created by an administrator or with kubectl.
	// +kubebuilder:default=approved
	// +optional
	Approval ApprovalState `json:"approval,omitempty"`

	// disabled stops the Account from signing in and its tokens from verifying, without
	// deleting anything. Defaults to false.
	// +optional
	Disabled bool `json:"disabled,omitempty"`

	// passwordSecretRef names a Secret in the Account's namespace whose "password" key holds the
	// password: a plaintext, which the controller hashes (argon2id) into the Account's own hash
	// Secret on every change and never copies anywhere else; or, with format: hash, an argon2id
	// or bcrypt hash that is checked and copied as is, so that a Git repository need never hold a
	// plaintext password. Leave it empty when the password is set through a REST API. While the
	// referenced Secret is missing, or its value is refused, the Account is not Ready, no
	// password is invented and a password stored before stays in use.
	// +optional
	PasswordSecretRef *PasswordSecretReference `json:"passwordSecretRef,omitempty"`

	// portal is what the portal API (/api/1/) keeps about the Account beyond its profile: the
	// postal address, and a service user's role bits, privileges and settings. Unset: the
	// portal's defaults.
	// +optional
	Portal AccountPortal `json:"portal,omitempty,omitzero"`
}

// PasswordSecretReference points at a password, plaintext or hashed, in a Secret.
type PasswordSecretReference struct {
	// name of the Secret, in the Account's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// key in the Secret's data that holds the password. Defaults to "password".
	// +kubebuilder:default=password
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Key string `json:"key,omitempty"`

	// format says what the key holds. "plaintext" (the default): a password, which the
	// controller hashes; a value that has the complete form of an argon2id or bcrypt hash is
	// refused (reason PasswordLooksLikeHash) rather than taken for a password that anyone who
	// can read the hash would know. "hash": a hash made elsewhere — an argon2id PHC string
	// ($argon2id$v=19$m=<KiB>,t=<iterations>,p=<lanes>$<salt>$<hash>, unpadded base64, as the
	// argon2 tools write) or a bcrypt hash ($2a$, $2b$ or $2y$, as htpasswd -B, Dex's
	// staticPasswords and Argo CD's admin.password take) — copied as is into the Account's hash
	// Secret, never hashed again (surrounding whitespace, such as a trailing newline, is
	// dropped), after checking its parameters: argon2id m 19456–262144 KiB
	// (19–256 MiB), t 2–10, p 1–16, salt 8–64 bytes, hash 16–64 bytes; bcrypt cost 10–14. A
	// hash outside them is refused (reasons PasswordHashInvalid, PasswordHashTooWeak,
	// PasswordHashTooCostly; the message says what is wrong, never the hash). A bcrypt password
	// longer than 72 bytes never matches.
	// +kubebuilder:default=plaintext
	// +optional
	Format PasswordFormat `json:"format,omitempty"`
}

// PasswordFormat is what a password Secret's key holds: a plaintext or a hash.
// +kubebuilder:validation:Enum=plaintext;hash
type PasswordFormat string

const (
	// PasswordFormatPlaintext: the key holds a plaintext password; the controller hashes it.
	PasswordFormatPlaintext PasswordFormat = "plaintext"
	// PasswordFormatHash: the key holds an argon2id PHC or bcrypt hash, checked and used as is.
	PasswordFormatHash PasswordFormat = "hash"
)

// Reasons of an Account's Ready=False when the value of spec.passwordSecretRef is refused.
// A password stored before stays in use.
const (
	// ReasonPasswordHashInvalid: with format hash, the value is not a well-formed argon2id PHC
	// string (version 19) or bcrypt hash ($2a$, $2b$, $2y$).
	ReasonPasswordHashInvalid = "PasswordHashInvalid"
	// ReasonPasswordHashTooWeak: with format hash, the hash's parameters are below the
	// minimums (argon2id m 19 MiB, t 2, p 1; bcrypt cost 10).
	ReasonPasswordHashTooWeak = "PasswordHashTooWeak"
	// ReasonPasswordHashTooCostly: with format hash, the hash's parameters are above the
	// maximums (argon2id m 256 MiB, t 10, p 16; bcrypt cost 14): every sign-in would cost too much.
	ReasonPasswordHashTooCostly = "PasswordHashTooCostly"
	// ReasonPasswordLooksLikeHash: with format plaintext, the value has the complete form of an
	// argon2id or bcrypt hash. Set format: hash if it is one.
	ReasonPasswordLooksLikeHash = "PasswordLooksLikeHash"
)

// AccountProfile is the personal data of an Account.
type AccountProfile struct {
	// firstName is the person's given name.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	FirstName string `json:"firstName,omitempty"`
	// lastName is the person's family name.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	LastName string `json:"lastName,omitempty"`
	// nickName is the identity API's nick name; it can be used to sign in there.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	NickName string `json:"nickName,omitempty"`
	// email is the person's e-mail address.
	// +kubebuilder:validation:MaxLength=254
	// +optional
	Email string `json:"email,omitempty"`
	// phone is the person's telephone number, in any notation.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Phone string `json:"phone,omitempty"`
	// language is the person's preferred language as a BCP 47 tag, e.g. "en". Defaults to the
	// Group's language when empty.
	// +kubebuilder:validation:MaxLength=35
	// +optional
	Language string `json:"language,omitempty"`
}

// AccountStatus is the observed state of an Account.
type AccountStatus struct {
	// conditions are Ready (the password hash is stored and the Account can sign in) and Locked
	// (the Account's Group or an ancestor is locked).
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// observedGeneration is the metadata.generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// group is the Group that owns the Account's namespace.
	// +optional
	Group string `json:"group,omitempty"`

	// passwordHashSecret names the Secret, owned by this Account, that holds its password hash.
	// Empty while no password has been set.
	// +optional
	PasswordHashSecret string `json:"passwordHashSecret,omitempty"`

	// updateTime is when the Account's spec or password last changed (Luna's last_update_time).
	// Its creation time is metadata.creationTimestamp.
	// +optional
	UpdateTime *metav1.Time `json:"updateTime,omitempty"`

	// lockedBy names the nearest locked Group at or above the Account's Group; empty when not
	// locked.
	// +optional
	LockedBy string `json:"lockedBy,omitempty"`
}

// Account is a principal: a person or a service that signs in with a login and password and
// owns Tokens.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=acct,categories=tessera
// +kubebuilder:printcolumn:name="Login",type=string,JSONPath=`.spec.login`
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Locked",type=string,JSONPath=`.status.conditions[?(@.type=="Locked")].status`
// +kubebuilder:printcolumn:name="Approval",type=string,JSONPath=`.spec.approval`,priority=1
// +kubebuilder:printcolumn:name="Disabled",type=boolean,JSONPath=`.spec.disabled`,priority=1
// +kubebuilder:printcolumn:name="Account-ID",type=string,JSONPath=`.spec.accountID`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:selectablefield:JSONPath=`.spec.accountID`
type Account struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired state of the Account.
	// +required
	Spec AccountSpec `json:"spec"`

	// status is the observed state of the Account.
	// +optional
	// +kubebuilder:default={"observedGeneration":-1}
	Status AccountStatus `json:"status,omitempty,omitzero"`
}

// AccountList is a list of Accounts.
//
// +kubebuilder:object:root=true
type AccountList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Account `json:"items"`
}

func init() {
	register(&Account{}, &AccountList{})
}
