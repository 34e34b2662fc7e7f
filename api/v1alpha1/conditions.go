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
	// ancestor Group. The message names the locking Group. Groups, Accounts and Admins also
	// report it as False (their Locked column); a Token reports it only while True, like
	// Expired.
	ConditionLocked = "Locked"

	// ConditionExpired is True on a Token whose expirationTime has passed, and absent before:
	// Tokens come by the thousand, each with a status write on issue, and a condition that says
	// nothing is about a tenth of a stored Token.
	ConditionExpired = "Expired"

	// ConditionReconciling is True while the controller is still working towards Ready and
	// expects to get there without anyone's help. Tools that follow kstatus (Flux, kpt,
	// cli-utils) report such an object as InProgress. It is derived from Ready: its reason and
	// message are Ready's. kstatus's abnormal-true polarity makes False the normal state, and it
	// is reported by absence, as Flux does: every write of every object's status would
	// otherwise carry two conditions that say nothing (about a fifth of a Token's stored size,
	// which the API server decodes and encodes on each write and watch event).
	ConditionReconciling = "Reconciling"

	// ConditionStalled is True when the controller cannot make the object Ready until someone
	// changes something: a missing input, a conflict, an expired token. kstatus reports such an
	// object as Failed; it clears by itself once the input appears. It is derived from Ready:
	// its reason and message are Ready's. Like Reconciling it is absent when False.
	ConditionStalled = "Stalled"
)

// Reasons of a Group's conditions.
const (
	// ReasonReconciled: Ready is True; the Group's namespace exists and is labelled.
	ReasonReconciled = "Reconciled"
	// ReasonTreeProblem: Ready is False; the parent does not exist or the parents form a cycle.
	// The Group is halted until spec.parent is fixed or the parent is created.
	ReasonTreeProblem = "TreeProblem"
	// ReasonNamespaceConflict: Ready is False; the Group's namespace exists and belongs to
	// someone else. It is never taken over.
	ReasonNamespaceConflict = "NamespaceConflict"
	// ReasonLockEnabled: Locked is True because the Group's own spec.lock is enabled.
	ReasonLockEnabled = "LockEnabled"
	// ReasonLockedByAncestor: Locked is True on a Group because an ancestor Group is locked.
	ReasonLockedByAncestor = "LockedByAncestor"
	// ReasonNotLocked: Locked is False; no Group at or above the object's Group is locked.
	// Every kind reports it.
	ReasonNotLocked = "NotLocked"
)

// Reasons of the conditions of the objects that live in a Group's namespace: Accounts, Tokens
// and Admins.
const (
	// ReasonGroupMissing: Ready is False (and Locked Unknown); the object's namespace is not the
	// namespace of an existing Group.
	ReasonGroupMissing = "GroupMissing"
	// ReasonAccountMissing: Ready is False; the Account named by spec.accountRef does not exist.
	ReasonAccountMissing = "AccountMissing"
	// ReasonGroupLocked: Locked is True; the object's Group, or one of its ancestors, is
	// locked. An Account, its Tokens and its Admins under one lock all report this reason, with
	// the same message naming the locking Group.
	ReasonGroupLocked = "GroupLocked"
)

// Reasons of an Account's Ready condition.
const (
	// ReasonPasswordSecretMissing: spec.passwordSecretRef names a Secret or key that does not
	// exist. No password is invented; a hash stored before stays in use.
	ReasonPasswordSecretMissing = "PasswordSecretMissing"
	// ReasonNoPassword: neither spec.passwordSecretRef nor a stored hash.
	ReasonNoPassword = "NoPassword"
	// ReasonPasswordHashStored: the password hash is stored; the Account can sign in.
	ReasonPasswordHashStored = "PasswordHashStored"
)

// Reasons of an Admin's Ready condition, besides ReasonGroupMissing and ReasonAccountMissing.
const (
	// ReasonAccountIDMissing: the Account exists but has no accountID yet (admission assigns
	// one). The controller gets past it by itself: the Admin is Reconciling, not Stalled.
	ReasonAccountIDMissing = "AccountIDMissing"
	// ReasonUnknownGroupKind: the Group's kind is none the portal gives administrators a role in.
	ReasonUnknownGroupKind = "UnknownGroupKind"
	// ReasonGranted: the Account and the Group exist; the grant is in force.
	ReasonGranted = "Granted"
)

// Reasons of a Token's conditions, besides ReasonAccountMissing.
const (
	// ReasonIssued: Ready is True; the signed JWT is in the Token's Secret.
	ReasonIssued = "Issued"
	// ReasonKeysUnavailable: Ready is False while the signing keys, or the Token's and
	// Account's ids, are not there yet. The controller gets past it by itself: the Token is
	// Reconciling, not Stalled.
	ReasonKeysUnavailable = "KeysUnavailable"
	// ReasonTokenExpired: Ready is False and Expired True; spec.expirationTime has passed.
	ReasonTokenExpired = "Expired"
)

// ConditionReasons is a condition type a kind reports, with every reason it may carry.
// Compare HNC's AllConditions.
// +kubebuilder:object:generate=false
type ConditionReasons struct {
	// Type is the condition type, e.g. ConditionReady.
	Type string
	// Reasons are the reasons the condition may carry; none for Reconciling and Stalled, which
	// carry Ready's reason and are only ever True.
	Reasons []string
}

// AllConditions maps each kind to the conditions its controller reports and their reasons.
var AllConditions = map[string][]ConditionReasons{
	"Group": {
		{ConditionReady, []string{ReasonReconciled, ReasonTreeProblem, ReasonNamespaceConflict}},
		{ConditionLocked, []string{ReasonLockEnabled, ReasonLockedByAncestor, ReasonNotLocked}},
		{ConditionReconciling, nil},
		{ConditionStalled, nil},
	},
	"Account": {
		{ConditionReady, []string{ReasonPasswordHashStored, ReasonPasswordSecretMissing, ReasonNoPassword, ReasonGroupMissing}},
		{ConditionLocked, []string{ReasonGroupLocked, ReasonNotLocked, ReasonGroupMissing}},
		{ConditionReconciling, nil},
		{ConditionStalled, nil},
	},
	"Token": {
		{ConditionReady, []string{ReasonIssued, ReasonKeysUnavailable, ReasonAccountMissing, ReasonTokenExpired}},
		{ConditionExpired, []string{ReasonTokenExpired}},
		{ConditionLocked, []string{ReasonGroupLocked}},
		{ConditionReconciling, nil},
		{ConditionStalled, nil},
	},
	"Admin": {
		{ConditionReady, []string{ReasonGranted, ReasonGroupMissing, ReasonAccountMissing, ReasonAccountIDMissing, ReasonUnknownGroupKind}},
		{ConditionLocked, []string{ReasonGroupLocked, ReasonNotLocked, ReasonGroupMissing}},
		{ConditionReconciling, nil},
		{ConditionStalled, nil},
	},
}

// Reasons of the Events Tessera's controllers record. Each Event also names an action (the
// verb of the Event API), given with the reason.
const (
	// EventReasonIssued: a Token's first JWT was signed into its Secret (action Issue).
	EventReasonIssued = "Issued"
	// EventReasonRenewed: a Token's JWT was re-signed because its claims changed, its key left
	// the key set or the stored JWT could not be read (action Renew).
	EventReasonRenewed = "Renewed"
	// EventReasonReissued: a Token's JWT was re-signed because AnnotationReissue asked for it
	// (action Reissue).
	EventReasonReissued = "Reissued"
	// EventReasonRevoked: a deleted Token's Secret was removed (action Revoke).
	EventReasonRevoked = "Revoked"
	// EventReasonExpired: a Token reached its expirationTime (action Expire).
	EventReasonExpired = "Expired"
	// EventReasonLocked: a Group became locked, by itself or an ancestor (action Lock).
	EventReasonLocked = "Locked"
	// EventReasonUnlocked: a Group is no longer locked (action Unlock).
	EventReasonUnlocked = "Unlocked"
	// EventReasonDeleted: a deleted Group's namespace and everything in it were deleted
	// (action Delete).
	EventReasonDeleted = "Deleted"
	// EventReasonCleaningUp: a deleted Account's Tokens and Admins are being deleted (action
	// Delete).
	EventReasonCleaningUp = "CleaningUp"
	// EventReasonCleanedUp: a deleted Account's Tokens, Admins and password hash are gone
	// (action Delete).
	EventReasonCleanedUp = "CleanedUp"
	// EventReasonPasswordHashUpdated: the Secret named by spec.passwordSecretRef changed and the
	// hash was updated (action StorePasswordHash). An Account's first hash takes no Event: its
	// Ready condition (reason PasswordHashStored) says it.
	EventReasonPasswordHashUpdated = "PasswordHashUpdated"
	// EventReasonPasswordHashCopied: a changed hash (spec.passwordSecretRef.format hash) was
	// copied as is into the Account's hash Secret (action StorePasswordHash).
	EventReasonPasswordHashCopied = "PasswordHashCopied"
	// EventReasonMoved: an Account was moved into a business Group's namespace (action Move).
	EventReasonMoved = "Moved"
	// EventReasonMoveRolledBack: an Account move was rolled back; the message says why (a
	// Warning, action Move).
	EventReasonMoveRolledBack = "MoveRolledBack"
)
