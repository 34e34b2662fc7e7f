package v1alpha1

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

	// AnnotationRotate, set on the signing key Secret to a value that differs from
	// AnnotationRotated, asks for a key rotation (`kubectl tessera token rotate` sets it).
	AnnotationRotate = "tenancy.tessera.dev/rotate"
	// AnnotationRotated, on the signing key Secret, records the AnnotationRotate value last
	// acted upon. Tessera sets it.
	AnnotationRotated = "tenancy.tessera.dev/rotated"
)

// CleanupFinalizer holds a Tessera object until what hangs off it is gone, so that nothing is
// stranded even where no garbage collector runs. Accounts carry it from their create (the
// defaulting webhook adds it) and Groups from their reconciler; Tokens of earlier versions
// carry it until their reconciler releases them.
const CleanupFinalizer = "tenancy.tessera.dev/cleanup"

// The Secret a Token's JWT is signed into (see Token.JWTSecretName).
const (
	// TokenSecretKey is the data key of the signed JWT in a Token's Secret.
	TokenSecretKey = "token"
	// LabelToken, on a Token's Secret, names the Token the JWT belongs to.
	LabelToken = "tenancy.tessera.dev/token"
	// AnnotationIssuedAt, on a Token's Secret, records when its JWT was signed (RFC 3339), for
	// people reading the Secret.
	AnnotationIssuedAt = "tenancy.tessera.dev/issued-at"
	// AnnotationReissued, on a Token's Secret, records the Token's AnnotationReissue value the
	// JWT was signed for, so that a new value re-issues once.
	AnnotationReissued = "tenancy.tessera.dev/reissued"
	// AnnotationLegacyClaims is a claims fingerprint earlier versions wrote on a Token's
	// Secret; the JWT itself now says what it asserts, and a re-sign removes it.
	AnnotationLegacyClaims = "tenancy.tessera.dev/claims"
)

// An Account's password: the plaintext Secret a GitOps user references, and the hash Secret
// Tessera keeps (named "<account>-password-hash", in the Account's namespace).
const (
	// DefaultPasswordKey is the key of the plaintext in a password Secret when
	// spec.passwordSecretRef.key is empty.
	DefaultPasswordKey = "password"

	// LabelAccount, on a password hash Secret, names the Account the hash belongs to.
	LabelAccount = "tenancy.tessera.dev/account"

	// AnnotationPasswordSource, on a hash Secret, records which plaintext the hash was made
	// from: the UID and resourceVersion of the Secret named by spec.passwordSecretRef, and the
	// key. While it matches, the (expensive) hash is not recomputed.
	AnnotationPasswordSource = "tenancy.tessera.dev/password-source"
	// AnnotationPasswordFingerprint, on a hash Secret, is a SHA-256 fingerprint of the hash the
	// controller last accounted for (in status.updateTime), so that a hash written by anyone
	// else — a REST API setting a password — is noticed. It reveals nothing of the password:
	// the hash is salted.
	AnnotationPasswordFingerprint = "tenancy.tessera.dev/password-fingerprint"

	// AnnotationPendingAccount marks a hash Secret written ahead of its Account by a REST
	// create (internal/credential.Create); its value is the Account's name. The Account adopts
	// the Secret, or the Secret is deleted when the Account never came.
	AnnotationPendingAccount = "tenancy.tessera.dev/pending-account"
	// AnnotationInitialPasswordFingerprint, on an Account, is the fingerprint of the hash it
	// was created with, in a Secret written just before it (internal/credential.Create).
	AnnotationInitialPasswordFingerprint = "tenancy.tessera.dev/initial-password-fingerprint"
)

// Account moves (internal/credential.RequestMove): a record Secret in the root Group's
// namespace carries an Account into a business Group.
const (
	// LabelMoveOf marks an Account move record; its value is the name of the Account that moves.
	LabelMoveOf = "tenancy.tessera.dev/move-of"
	// AnnotationMoveIn on a Group names the UID of the Account whose move record it was created
	// for. A record moves its Account only into a Group that says so: a Group of the same name
	// made by anyone else (the name a business would take is taken) is no destination, and the
	// record is rolled back. The Group is written after the record, in the one write that
	// commits the move.
	AnnotationMoveIn = "tenancy.tessera.dev/move-in"
)

// Annotations the ote-stack user management API (seed 003) keeps on Accounts and Groups, for
// the fields of its users and businesses that have no place in spec.
const (
	// AnnotationOTEIsAdmin marks an Account registered with isAdmin=true: it may create a
	// business.
	AnnotationOTEIsAdmin = "ote.tessera.dev/is-admin"
	// AnnotationOTEBusinessStatus is a business Group's approval status, 0–3.
	AnnotationOTEBusinessStatus = "ote.tessera.dev/status"
	// AnnotationOTEBusinessComment is the system administrator's audit comment on a business
	// Group.
	AnnotationOTEBusinessComment = "ote.tessera.dev/comment"
	// AnnotationOTEBusinessObjective is the business creator's statement of its objective.
	AnnotationOTEBusinessObjective = "ote.tessera.dev/objective"
	// AnnotationOTEBusinessScale is the business creator's statement of its scale.
	AnnotationOTEBusinessScale = "ote.tessera.dev/scale"
	// AnnotationOTEBusinessOwner is the integer id of the Account that created the business.
	AnnotationOTEBusinessOwner = "ote.tessera.dev/owner-id"
	// AnnotationOTEBusinessUpdated is when the business status last changed (Unix seconds).
	AnnotationOTEBusinessUpdated = "ote.tessera.dev/update-time"
	// AnnotationOTEPrivateProject is a flag on a business Group, "true" or "false" (default false),
	// reported by GET /v1/authorization.
	AnnotationOTEPrivateProject = "ote.tessera.dev/private-project"
	// AnnotationOTEEnableIngress is a flag on a business Group, "true" or "false" (default false),
	// reported by GET /v1/authorization.
	AnnotationOTEEnableIngress = "ote.tessera.dev/enable-ingress"
	// AnnotationOTEEnableAlert is a flag on a business Group, "true" or "false" (default false),
	// reported by GET /v1/authorization.
	AnnotationOTEEnableAlert = "ote.tessera.dev/enable-alert"
	// AnnotationOTEEnableAdminAutoDeploy is a flag on a business Group, "true" or "false" (default false),
	// reported by GET /v1/authorization.
	AnnotationOTEEnableAdminAutoDeploy = "ote.tessera.dev/enable-admin-auto-deploy"
	// AnnotationOTEHasRepoAccount is a flag on a business Group, "true" or "false" (default false),
	// reported by GET /v1/authorization.
	AnnotationOTEHasRepoAccount = "ote.tessera.dev/has-repo-account"
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
	// LabelEmailLoginEnabled is the value of LabelEmailLogin that makes the e-mail a sign-in
	// name; any other value is as if the label were absent.
	LabelEmailLoginEnabled = "true"

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
