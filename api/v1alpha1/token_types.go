package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// VisibilityArea bounds what a token may read.
// +kubebuilder:validation:Enum=account;all
type VisibilityArea string

// Luna's visibility areas.
const (
	// VisibilityAccount lets GET requests see only the token's own account's data.
	VisibilityAccount VisibilityArea = "account"
	// VisibilityAll lets GET requests see every account's data. Not applicable to user accounts.
	VisibilityAll VisibilityArea = "all"
)

// CRUDVerb is a permission on an object type: creation allows POST, view GET, modification
// PUT and PATCH, deletion DELETE.
// +kubebuilder:validation:Enum=creation;view;modification;deletion
type CRUDVerb string

// MatchingVerb is a CRUD permission plus matching, for object types that can be matched.
// +kubebuilder:validation:Enum=creation;view;modification;deletion;matching
type MatchingVerb string

// EventVerb is a permission on events, which are created, viewed and matched but never changed.
// +kubebuilder:validation:Enum=creation;view;matching
type EventVerb string

// ImmutableVerb is a permission on object types that are never modified.
// +kubebuilder:validation:Enum=creation;view;deletion
type ImmutableVerb string

// Resource is a licensed resource a token may use.
// +kubebuilder:validation:Enum=iso;sdk;liveness
type Resource string

// TokenPermissions are Luna's token permissions: the standard per-object-type lists, and
// custom ones. An absent list grants nothing on that object type, except token, which defaults
// to view.
//
// +kubebuilder:validation:XValidation:rule="!has(self.custom) || self.custom.all(k, !(k in ['face', 'list', 'event', 'attribute', 'handler', 'verifier', 'task', 'face_sample', 'body_sample', 'token', 'image', 'object', 'resources', 'emit_events']))",message="a custom permission may not reuse the name of a standard one",fieldPath=".custom"
type TokenPermissions struct {
	// face permissions: creation, view, modification, deletion, matching.
	// +listType=set
	// +optional
	Face []MatchingVerb `json:"face,omitempty"`
	// list permissions: creation, view, modification, deletion.
	// +listType=set
	// +optional
	List []CRUDVerb `json:"list,omitempty"`
	// event permissions: creation, view, matching.
	// +listType=set
	// +optional
	Event []EventVerb `json:"event,omitempty"`
	// attribute permissions: creation, view, modification, deletion, matching.
	// +listType=set
	// +optional
	Attribute []MatchingVerb `json:"attribute,omitempty"`
	// handler permissions: creation, view, modification, deletion.
	// +listType=set
	// +optional
	Handler []CRUDVerb `json:"handler,omitempty"`
	// verifier permissions: creation, view, modification, deletion.
	// +listType=set
	// +optional
	Verifier []CRUDVerb `json:"verifier,omitempty"`
	// task permissions: creation, view, modification, deletion.
	// +listType=set
	// +optional
	Task []CRUDVerb `json:"task,omitempty"`
	// faceSample permissions: creation, view, deletion.
	// +listType=set
	// +optional
	FaceSample []ImmutableVerb `json:"faceSample,omitempty"`
	// bodySample permissions: creation, view, deletion.
	// +listType=set
	// +optional
	BodySample []ImmutableVerb `json:"bodySample,omitempty"`
	// token permissions: creation, view, modification, deletion. Defaults to [view] when absent
	// (or null); an explicit empty list grants nothing. Not omitempty, so that a Go client's
	// empty list reaches the API server as [] rather than being defaulted.
	// +listType=set
	// +kubebuilder:default={view}
	// +optional
	Token []CRUDVerb `json:"token"`
	// image permissions: creation, view, deletion.
	// +listType=set
	// +optional
	Image []ImmutableVerb `json:"image,omitempty"`
	// object permissions: creation, view, deletion.
	// +listType=set
	// +optional
	Object []ImmutableVerb `json:"object,omitempty"`
	// resources the token may use: iso, sdk, liveness.
	// +listType=set
	// +optional
	Resources []Resource `json:"resources,omitempty"`
	// emitEvents controls which handlers the token may use to generate events. Defaults to all
	// handlers allowed.
	// +optional
	EmitEvents *EmitEvents `json:"emitEvents,omitempty"`

	// custom permissions, beyond the standard ones: each key is 3–16 lowercase letters or "_",
	// each value a list of creation, view, modification, deletion.
	// +kubebuilder:validation:MaxProperties=64
	// +kubebuilder:validation:XValidation:rule="self.all(k, k.matches('^[a-z_]{3,16}$'))",message="custom permission names must be 3-16 lowercase letters or '_'"
	// +optional
	Custom map[string]CustomPermission `json:"custom,omitempty"`
}

// CustomPermission is the set of verbs granted on a custom object type.
// +listType=set
type CustomPermission []CRUDVerb

// EmitEvents restricts which handlers a token may use to generate events. A handler in
// blackList is denied; when whiteList is set, only its handlers are allowed.
type EmitEvents struct {
	// allowed permits event-generation requests at all: 1 yes, 0 no. Defaults to 1.
	// +kubebuilder:validation:Enum=0;1
	// +kubebuilder:default=1
	// +optional
	Allowed *int32 `json:"allowed,omitempty"`
	// whiteList holds the IDs of the only handlers allowed; empty means no restriction.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:items:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +listType=set
	// +optional
	WhiteList []string `json:"whiteList,omitempty"`
	// blackList holds the IDs of handlers denied for use.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:items:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +listType=set
	// +optional
	BlackList []string `json:"blackList,omitempty"`
}

// TokenSpec is the desired state of a Token.
//
// +kubebuilder:validation:XValidation:rule="self.accountRef.name == oldSelf.accountRef.name",message="accountRef is immutable",fieldPath=".accountRef"
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.tokenID) || (has(self.tokenID) && self.tokenID == oldSelf.tokenID)",message="tokenID is immutable",fieldPath=".tokenID"
type TokenSpec struct {
	// accountRef names the Account, in the Token's namespace, that the token acts for.
	// Immutable. While the Account is missing the Token is not Ready and no JWT is issued.
	// +required
	AccountRef LocalObjectReference `json:"accountRef"`

	// tokenID is the token's stable UUID (Luna's token_id, the JWT's tokenId and jti). Assigned
	// at admission when absent; immutable once set.
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +optional
	TokenID string `json:"tokenID,omitempty"`

	// permissions are what the token may do, per object type. The token can never do more than
	// its Account: user accounts may not hold permissions on accounts' tokens beyond their own.
	// Defaults to the standard defaults (token: [view], nothing else).
	// +kubebuilder:default={}
	// +optional
	Permissions TokenPermissions `json:"permissions,omitempty,omitzero"`

	// visibilityArea bounds what GET requests with this token may read: "account" only its
	// Account's data, "all" every account's data (not for user accounts). Defaults to all.
	// +kubebuilder:default=all
	// +optional
	VisibilityArea VisibilityArea `json:"visibilityArea,omitempty"`

	// expirationTime is when the token stops being valid (RFC 3339). Absent or null makes an
	// eternal token. At that time the Token is marked Expired; it is not deleted. Changing it
	// signs a new JWT carrying the new time; the previous JWT stops verifying.
	// +nullable
	// +optional
	ExpirationTime *metav1.Time `json:"expirationTime,omitempty"`

	// description is free text about the token (Luna's token description).
	// +kubebuilder:validation:MaxLength=128
	// +optional
	Description string `json:"description,omitempty"`

	// secretName is the Secret, in the Token's namespace, that receives the signed JWT under the
	// key "token". Defaults to "<token name>-jwt". The Secret is created, labelled and owned by
	// the Token, and deleted with it.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +optional
	SecretName string `json:"secretName,omitempty"`
}

// TokenStatus is the observed state of a Token: the facts of the JWT last issued.
type TokenStatus struct {
	// conditions are Ready (a valid JWT is in the Secret), and Expired and Locked, each present
	// only while True (kstatus's Reconciling and Stalled likewise).
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// observedGeneration is the metadata.generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// secretName is the Secret that holds the JWT.
	// +optional
	SecretName string `json:"secretName,omitempty"`

	// tokenID is the token id signed into the JWT.
	// +optional
	TokenID string `json:"tokenID,omitempty"`

	// accountID is the account id signed into the JWT.
	// +optional
	AccountID string `json:"accountID,omitempty"`

	// keyID is the id of the key that signed the current JWT (its kid); it may be a retired key,
	// which keeps verifying the JWT.
	// +optional
	KeyID string `json:"keyID,omitempty"`

	// issuedAt is when the current JWT was signed.
	// +optional
	IssuedAt *metav1.Time `json:"issuedAt,omitempty"`

	// expiresAt is when the current JWT expires; absent for an eternal token.
	// +optional
	ExpiresAt *metav1.Time `json:"expiresAt,omitempty"`
}

// Token is a Luna access token for an Account. The controller signs it as a JWT into a Secret
// and marks it Expired at its expiration time. The JWT in the Secret is the only one that
// verifies; it stays the same across signing-key rotations (the retired key keeps verifying
// it). It is replaced, and the previous JWT stops verifying at once, when the claims change
// (expirationTime, visibilityArea, the Account's accountID), when its signing key is revoked
// (annotation tenancy.tessera.dev/revoke-key on the signing key Secret), and on request:
// `kubectl annotate token NAME tenancy.tessera.dev/reissue=$(date +%s) --overwrite`.
// Permissions and description apply to the JWT already issued.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=tok,categories=tessera
// +kubebuilder:selectablefield:JSONPath=`.spec.accountRef.name`
// +kubebuilder:selectablefield:JSONPath=`.spec.tokenID`
// +kubebuilder:printcolumn:name="Account",type=string,JSONPath=`.spec.accountRef.name`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Expires",type=string,JSONPath=`.spec.expirationTime`
// +kubebuilder:printcolumn:name="Visibility",type=string,JSONPath=`.spec.visibilityArea`,priority=1
// +kubebuilder:printcolumn:name="Secret",type=string,JSONPath=`.status.secretName`,priority=1
// +kubebuilder:printcolumn:name="Token-ID",type=string,JSONPath=`.spec.tokenID`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Token struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired state of the Token.
	// +required
	Spec TokenSpec `json:"spec"`

	// status is the observed state of the Token.
	// +optional
	// +kubebuilder:default={"observedGeneration":-1}
	Status TokenStatus `json:"status,omitempty,omitzero"`
}

// TokenList is a list of Tokens.
//
// +kubebuilder:object:root=true
type TokenList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Token `json:"items"`
}

func init() {
	register(&Token{}, &TokenList{})
}

// TokenSecretSuffix ends the default name of a Token's Secret: "<token name>-jwt".
const TokenSecretSuffix = "-jwt"

// JWTSecretName is the name of the Secret, in the Token's namespace, that the controller signs
// the Token's JWT into: spec.secretName, or "<token name>-jwt". The JWT is under the data key
// TokenSecretKey; the Secret carries LabelToken and is owned by the Token.
func (t *Token) JWTSecretName() string {
	if t.Spec.SecretName != "" {
		return t.Spec.SecretName
	}
	return t.Name + TokenSecretSuffix
}

// CurrentSecretName is the Secret that holds the Token's JWT now: status.secretName once the
// controller has reported it (a renamed spec.secretName moves only when re-signed), until then
// JWTSecretName, since status trails the Secret on a Token's first issue.
func (t *Token) CurrentSecretName() string {
	if t.Status.SecretName != "" {
		return t.Status.SecretName
	}
	return t.JWTSecretName()
}

// TokenOfSecret names the Token whose JWT Secret s is, by the one mark only a Token's
// controller can make: s's controller reference, to a Token. "" for any other Secret.
func TokenOfSecret(s metav1.Object) string { return ControllerName(s, "Token") }

// ControllerName is the name of the object of this API group's kind that controls o, by o's
// controller reference; "" when no object of that kind does. It says which object to look at,
// not that o is that object's (metav1.IsControlledBy, with the UID, does).
func ControllerName(o metav1.Object, kind string) string {
	if ref := metav1.GetControllerOfNoCopy(o); ref != nil && ref.Kind == kind && ref.APIVersion == GroupVersion.String() {
		return ref.Name
	}
	return ""
}
