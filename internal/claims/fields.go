package claims

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
)

// Field is one identifier of one kind whose values are unique across the cluster.
type Field struct {
	// Kind is the holder's kind ("Account").
	Kind string
	// Path is the field's path, as admission causes name it ("spec.accountID").
	Path string
	// Noun names a value in messages ("login", "accountID", "id", "e-mail").
	Noun string
	// Index is the cache field index that finds holders by value; "" when there is none.
	Index string

	numeric bool
	// selectable fields are a selectable field of their CRD (Path), checked live on every claim.
	selectable bool
	prefix     string // of the Lease name
	newObject  func() client.Object
	newList    func() client.ObjectList
	value      func(client.Object) string // "" when the object carries none
}

// Key is one claimable value of one field.
type Key struct {
	// Field is what is claimed.
	Field *Field
	// Value is the value as claimed: decimal for integer ids, lower-case for e-mails.
	Value string
}

// The claimable fields. Integer ids are claimed as decimal strings.
var (
	// AccountLogin is an Account's sign-in name.
	AccountLogin = accountField("spec.login", "login", index.AccountLogin, "login-",
		func(a *tenancyv1alpha1.Account) string { return a.Spec.Login })
	// AccountID is an Account's UUID. One the defaulter generated takes no claim (see Prover).
	AccountID = selectableField(accountField("spec.accountID", "accountID", index.AccountID, "account-accountid-",
		func(a *tenancyv1alpha1.Account) string { return a.Spec.AccountID }))
	// AccountNumericID is an Account's integer id.
	AccountNumericID = numericField(accountField("spec.id", "id", index.AccountNumericID, "account-id-",
		func(a *tenancyv1alpha1.Account) string { return decimal(a.Spec.ID) }))
	// AccountEmail is an Account's e-mail, lower-cased, claimed only for Accounts labelled
	// LabelEmailLogin: the other APIs let Accounts share an e-mail. It has no cache index of its
	// own (the identity API's covers unlabelled Accounts too), so its Lease alone decides.
	AccountEmail = accountField("spec.profile.email", "e-mail", "", "account-email-",
		func(a *tenancyv1alpha1.Account) string {
			if a.Labels[tenancyv1alpha1.LabelEmailLogin] != tenancyv1alpha1.LabelEmailLoginEnabled {
				return ""
			}
			return strings.ToLower(a.Spec.Profile.Email)
		})
	// TokenID is a Token's UUID.
	TokenID = &Field{Kind: "Token", Path: "spec.tokenID", Noun: "tokenID", Index: index.TokenID, prefix: "token-tokenid-", selectable: true,
		newObject: func() client.Object { return &tenancyv1alpha1.Token{} },
		newList:   func() client.ObjectList { return &tenancyv1alpha1.TokenList{} },
		value:     func(o client.Object) string { return o.(*tenancyv1alpha1.Token).Spec.TokenID }}
	// GroupUUID is a Group's UUID.
	GroupUUID = groupField("spec.uuid", "uuid", index.GroupUUID, "group-uuid-",
		func(g *tenancyv1alpha1.Group) string { return g.Spec.UUID })
	// GroupNumericID is a Group's integer id.
	GroupNumericID = numericField(groupField("spec.id", "id", index.GroupNumericID, "group-id-",
		func(g *tenancyv1alpha1.Group) string { return decimal(g.Spec.ID) }))
	// AdminUUID is an Admin's UUID.
	AdminUUID = adminField("spec.uuid", "uuid", index.AdminUUID, "admin-uuid-",
		func(a *tenancyv1alpha1.Admin) string { return a.Spec.UUID })
	// AdminNumericID is an Admin's integer id.
	AdminNumericID = numericField(adminField("spec.id", "id", index.AdminNumericID, "admin-id-",
		func(a *tenancyv1alpha1.Admin) string { return decimal(a.Spec.ID) }))
)

// fieldsByKind lists each kind's fields; fieldsByLabel finds a Lease's field by its LabelClaim.
var fieldsByKind, fieldsByLabel = map[string][]*Field{}, map[string]*Field{}

func init() {
	for _, f := range []*Field{AccountLogin, AccountID, AccountNumericID, AccountEmail, TokenID,
		GroupUUID, GroupNumericID, AdminUUID, AdminNumericID} {
		fieldsByKind[f.Kind] = append(fieldsByKind[f.Kind], f)
		fieldsByLabel[f.label()] = f
	}
}

func accountField(path, noun, idx, prefix string, get func(*tenancyv1alpha1.Account) string) *Field {
	return &Field{Kind: "Account", Path: path, Noun: noun, Index: idx, prefix: prefix,
		newObject: func() client.Object { return &tenancyv1alpha1.Account{} },
		newList:   func() client.ObjectList { return &tenancyv1alpha1.AccountList{} },
		value:     func(o client.Object) string { return get(o.(*tenancyv1alpha1.Account)) }}
}

func groupField(path, noun, idx, prefix string, get func(*tenancyv1alpha1.Group) string) *Field {
	return &Field{Kind: "Group", Path: path, Noun: noun, Index: idx, prefix: prefix,
		newObject: func() client.Object { return &tenancyv1alpha1.Group{} },
		newList:   func() client.ObjectList { return &tenancyv1alpha1.GroupList{} },
		value:     func(o client.Object) string { return get(o.(*tenancyv1alpha1.Group)) }}
}

func adminField(path, noun, idx, prefix string, get func(*tenancyv1alpha1.Admin) string) *Field {
	return &Field{Kind: "Admin", Path: path, Noun: noun, Index: idx, prefix: prefix,
		newObject: func() client.Object { return &tenancyv1alpha1.Admin{} },
		newList:   func() client.ObjectList { return &tenancyv1alpha1.AdminList{} },
		value:     func(o client.Object) string { return get(o.(*tenancyv1alpha1.Admin)) }}
}

func numericField(f *Field) *Field { f.numeric = true; return f }

// selectableField marks a field that is a selectable field of its CRD: values generated at
// admission take no Lease, so each claim also lists the live holders by it.
func selectableField(f *Field) *Field { f.selectable = true; return f }

func decimal(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// label is the value of LabelClaim on the field's Leases.
func (f *Field) label() string { return f.Kind + "." + f.Path }

// KeyOf returns obj's value of f; ok is false when obj carries none.
func (f *Field) KeyOf(obj client.Object) (k Key, ok bool) {
	v := f.value(obj)
	return Key{Field: f, Value: v}, v != ""
}

// LeaseName is the name of the Lease that claims k. Logins keep the names they had before
// claims were generalized, so that a login claimed by an older replica still counts.
func (k Key) LeaseName() string {
	in := k.Field.Kind + "\x00" + k.Field.Path + "\x00" + k.Value
	if k.Field == AccountLogin {
		in = k.Value
	}
	sum := sha256.Sum256([]byte(in))
	return k.Field.prefix + hex.EncodeToString(sum[:20])
}

// Keys returns every claimable value obj carries.
func Keys(obj client.Object) []Key {
	return NewKeys(nil, obj)
}

// NewKeys returns the claimable values obj carries that old (nil on create) does not: what an
// admission request must claim. A GitOps replace that keeps or leaves out the identifiers
// (the defaulter carries them over) has none.
func NewKeys(old, obj client.Object) []Key {
	var keys []Key
	for _, f := range fieldsByKind[kindOf(obj)] {
		k, ok := f.KeyOf(obj)
		if !ok {
			continue
		}
		if old != nil && f.value(old) == k.Value {
			continue
		}
		keys = append(keys, k)
	}
	return keys
}

func kindOf(obj client.Object) string {
	switch obj.(type) {
	case *tenancyv1alpha1.Account:
		return "Account"
	case *tenancyv1alpha1.Token:
		return "Token"
	case *tenancyv1alpha1.Group:
		return "Group"
	case *tenancyv1alpha1.Admin:
		return "Admin"
	}
	return ""
}
