package v1alpha1

// Condition types reported by Tessera's controllers. Every kind reports Ready, Reconciling and
// Stalled; the others are reported where they apply. Every kind's status also defaults to
// observedGeneration -1 (a marker on each Status field), so that an object no controller has
// looked at yet reads as InProgress to kstatus rather than Current.
const (
	// ConditionReady is True when the object has been fully reconciled and is usable: a Group's
	// namespace exists, an Account's password hash is stored, a Token's JWT is in its Secret, an
	// Admin's account and group exist.
	ConditionReady = "Ready"

	// ConditionLocked is True when the object is frozen by a hierarchy lock, its own or that of an
	// ancestor Group. The message names the locking Group.
	ConditionLocked = "Locked"

	// ConditionExpired is True on a Token whose expirationTime has passed.
	ConditionExpired = "Expired"

	// ConditionReconciling is True while the controller is still working towards Ready and
	// expects to get there without anyone's help (kstatus's abnormal-true polarity: False, or
	// absent, is the normal state). Tools that follow kstatus (Flux, kpt, cli-utils) report such
	// an object as InProgress. It is derived from Ready: its reason is Ready's.
	ConditionReconciling = "Reconciling"

	// ConditionStalled is True when the controller cannot make the object Ready until someone
	// changes something: a missing input, a conflict, an expired token (abnormal-true polarity).
	// kstatus reports such an object as Failed; it clears by itself once the input appears. It
	// is derived from Ready: its reason and message are Ready's.
	ConditionStalled = "Stalled"
)

// Reasons of the Reconciling and Stalled conditions when they are False. When True they carry
// the reason of the Ready condition they are derived from.
const (
	// ReasonUpToDate: Ready is True; nothing is left to do for this generation.
	ReasonUpToDate = "UpToDate"
	// ReasonWaitingForInput: Reconciling is False because the object is Stalled.
	ReasonWaitingForInput = "WaitingForInput"
	// ReasonProgressing: Stalled is False because the controller is still making progress.
	ReasonProgressing = "Progressing"
)

// Labels and annotations Tessera sets or reads.
const (
	// LabelManagedBy marks every object Tessera's controllers create (namespaces, Secrets), so
	// that the manager caches only those.
	LabelManagedBy = "app.kubernetes.io/managed-by"

	// ManagedByValue is the value of LabelManagedBy on Tessera's objects.
	ManagedByValue = "tessera"

	// LabelGroup names the Group that owns a namespace.
	LabelGroup = "tenancy.tessera.dev/group"

	// AnnotationCascadeDelete, set to "true" on a Group, allows deleting it together with its
	// child Groups and everything in its namespace. Without it, a Group that still has children
	// or Accounts is not deleted.
	AnnotationCascadeDelete = "tenancy.tessera.dev/cascade-delete"

	// AnnotationReissue, set on a Token to a value that differs from the one last acted upon
	// (e.g. `kubectl annotate token NAME tenancy.tessera.dev/reissue=$(date +%s) --overwrite`),
	// has the controller sign a new JWT into the Token's Secret. The previous JWT stops
	// verifying at once; the Token's id and spec stay as they are.
	AnnotationReissue = "tenancy.tessera.dev/reissue"

	// AnnotationRevokeKey, set on the signing key Secret (tessera-signing-keys, in the
	// operator's namespace) to one or more key ids separated by commas, revokes those keys, e.g.
	// after a compromise: each leaves the key set (an active one is first replaced by a new
	// active key), every JWT it signed stops verifying, and its Tokens are re-signed with the
	// active key. Key ids are never reused, so the annotation may stay.
	AnnotationRevokeKey = "tenancy.tessera.dev/revoke-key"
)

// Keys of identifier claims: the Leases, in the operator's namespace, that keep logins, UUIDs,
// integer ids and e-mail logins unique across the cluster (internal/claims).
const (
	// LabelEmailLogin, set to "true" on an Account, makes its spec.profile.email a sign-in name:
	// admission then claims the e-mail (case-insensitively) so that no other Account so marked
	// has it, even under concurrent creates. The identity API sets it on the Accounts it
	// registers; Accounts without it may share an e-mail, as the APIs that do not sign in by
	// e-mail allow.
	LabelEmailLogin = "tenancy.tessera.dev/email-login"

	// LabelClaim marks a claim Lease; its value names what is claimed, "<Kind>.<field path>"
	// (e.g. "Account.spec.accountID"), so that `kubectl get leases -l tenancy.tessera.dev/claim`
	// lists the claims and the sweeper knows which holder to look at.
	LabelClaim = "tenancy.tessera.dev/claim"

	// AnnotationClaimValue holds the claimed value on a claim Lease, for people: the Lease's
	// name is a hash of it.
	AnnotationClaimValue = "tenancy.tessera.dev/claim-value"
)

// LocalObjectReference names another object in the same namespace.
type LocalObjectReference struct {
	// name of the referenced object, in the referencing object's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
}

// Contact holds a person's or an organisation's contact details, as the portal API's contact
// object does. Every field is free text and optional.
type Contact struct {
	// firstName is the contact's given name.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	FirstName string `json:"firstName,omitempty"`
	// lastName is the contact's family name.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	LastName string `json:"lastName,omitempty"`
	// email is the contact's e-mail address.
	// +kubebuilder:validation:MaxLength=254
	// +optional
	Email string `json:"email,omitempty"`
	// phone is the contact's telephone number, in any notation.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Phone string `json:"phone,omitempty"`
	// address1 is the first line of the postal address.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Address1 string `json:"address1,omitempty"`
	// address2 is the second line of the postal address.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Address2 string `json:"address2,omitempty"`
	// city of the postal address.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	City string `json:"city,omitempty"`
	// state or region of the postal address.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	State string `json:"state,omitempty"`
	// country of the postal address.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	Country string `json:"country,omitempty"`
	// zipcode of the postal address.
	// +kubebuilder:validation:MaxLength=32
	// +optional
	Zipcode string `json:"zipcode,omitempty"`
}

// Causes Tessera's admission webhooks attach to their refusals, as the Type of a
// metav1.StatusCause in the Status details, so that clients (the REST APIs among them) tell
// refusals apart without reading messages. Each refusal carries one of them; Kubernetes' own
// cause types (FieldValueDuplicate, FieldValueInvalid, …) may stand beside it. They are untyped
// so that they compare with metav1.CauseType as they are.
const (
	// CauseLocked: the object lies in a locked subtree (403 Forbidden); the message names the
	// locking Group.
	CauseLocked = "tenancy.tessera.dev/Locked"

	// CauseDuplicate: another object holds the value of Field, a login, UUID, integer id,
	// e-mail login (409 Conflict) or a sibling's display name (422 Invalid). It stands beside the
	// FieldValueDuplicate cause for the same field.
	CauseDuplicate = "tenancy.tessera.dev/Duplicate"

	// CauseTreeRule: the change breaks a rule of the tenant tree: a second root, a cycle, a
	// parent→child kind the portal forbids, or deleting a Group that still has children or
	// Accounts without cascade. Field names the offending field when there is one.
	CauseTreeRule = "tenancy.tessera.dev/TreeRule"

	// CauseParentMissing: the Group's parent (or an ancestor of it) does not exist; Field is
	// spec.parent.
	CauseParentMissing = "tenancy.tessera.dev/ParentMissing"

	// CauseNotInGroup: an Account, Token or Admin was written outside the namespace of a Group
	// (403 Forbidden).
	CauseNotInGroup = "tenancy.tessera.dev/NotInGroup"
)
