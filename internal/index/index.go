// Package index names and registers the cache field indexes that controllers, webhooks and the
// REST APIs look objects up by, so that no lookup lists a whole kind.
package index

import (
	"context"
	"strconv"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// Field index names.
const (
	// AccountLogin indexes Accounts by spec.login.
	AccountLogin = "spec.login"
	// AccountID indexes Accounts by spec.accountID.
	AccountID = "spec.accountID"
	// AccountNumericID indexes Accounts by spec.id (decimal).
	AccountNumericID = "spec.id"
	// AccountPasswordSecret indexes Accounts by spec.passwordSecretRef.name.
	AccountPasswordSecret = "spec.passwordSecretRef.name"
	// TokenID indexes Tokens by spec.tokenID.
	TokenID = "spec.tokenID"
	// TokenAccount indexes Tokens by spec.accountRef.name (same namespace).
	TokenAccount = "spec.accountRef.name"
	// TokenKeyID indexes Tokens by status.keyID, the key that signed their current JWT.
	TokenKeyID = "status.keyID"
	// AdminAccount indexes Admins by spec.accountRef.name (same namespace).
	AdminAccount = "spec.accountRef.name"
	// AdminNumericID indexes Admins by spec.id (decimal).
	AdminNumericID = "spec.id"
	// AdminUUID indexes Admins by spec.uuid.
	AdminUUID = "spec.uuid"
	// GroupNumericID indexes Groups by spec.id (decimal).
	GroupNumericID = "spec.id"
	// GroupUUID indexes Groups by spec.uuid.
	GroupUUID = "spec.uuid"
)

// Setup registers every index with the manager's field indexer. With a Cache, every field
// here goes to its lookups, which hold a value's holders inline while they are few and in a map
// when many objects share it (the key that signed every Token, the one Secret a GitOps
// repository gives all its Accounts' pre-hashed password); controller-runtime's index would
// keep each value twice, per namespace and across namespaces, each holder as a string of its
// own. Without a Cache (a plain controller-runtime cache) they all go to controller-runtime.
func Setup(ctx context.Context, fi client.FieldIndexer) error {
	type entry struct {
		obj   client.Object
		field string
		fn    client.IndexerFunc
	}
	// The Account a Token or an Admin names, and the password Secret an Account takes, are
	// names within the object's namespace, looked up per namespace; spec.id and spec.uuid are
	// unique on every kind that has them, and a key id is shared across namespaces.
	namespaced := map[string]bool{TokenAccount: true, AccountPasswordSecret: true}
	entries := []entry{
		{&tenancyv1alpha1.Account{}, AccountLogin, func(o client.Object) []string {
			return nonEmpty(o.(*tenancyv1alpha1.Account).Spec.Login)
		}},
		{&tenancyv1alpha1.Account{}, AccountID, func(o client.Object) []string {
			return nonEmpty(o.(*tenancyv1alpha1.Account).Spec.AccountID)
		}},
		{&tenancyv1alpha1.Account{}, AccountNumericID, func(o client.Object) []string {
			return numeric(o.(*tenancyv1alpha1.Account).Spec.ID)
		}},
		{&tenancyv1alpha1.Account{}, AccountPasswordSecret, func(o client.Object) []string {
			if ref := o.(*tenancyv1alpha1.Account).Spec.PasswordSecretRef; ref != nil {
				return nonEmpty(ref.Name)
			}
			return nil
		}},
		{&tenancyv1alpha1.Token{}, TokenID, func(o client.Object) []string {
			return nonEmpty(o.(*tenancyv1alpha1.Token).Spec.TokenID)
		}},
		{&tenancyv1alpha1.Token{}, TokenAccount, func(o client.Object) []string {
			return nonEmpty(o.(*tenancyv1alpha1.Token).Spec.AccountRef.Name)
		}},
		{&tenancyv1alpha1.Token{}, TokenKeyID, func(o client.Object) []string {
			return nonEmpty(o.(*tenancyv1alpha1.Token).Status.KeyID)
		}},
		{&tenancyv1alpha1.Admin{}, AdminAccount, func(o client.Object) []string {
			return nonEmpty(o.(*tenancyv1alpha1.Admin).Spec.AccountRef.Name)
		}},
		{&tenancyv1alpha1.Admin{}, AdminNumericID, func(o client.Object) []string {
			return numeric(o.(*tenancyv1alpha1.Admin).Spec.ID)
		}},
		{&tenancyv1alpha1.Admin{}, AdminUUID, func(o client.Object) []string {
			return nonEmpty(o.(*tenancyv1alpha1.Admin).Spec.UUID)
		}},
		{&tenancyv1alpha1.Group{}, GroupNumericID, func(o client.Object) []string {
			return numeric(o.(*tenancyv1alpha1.Group).Spec.ID)
		}},
		{&tenancyv1alpha1.Group{}, GroupUUID, func(o client.Object) []string {
			return nonEmpty(o.(*tenancyv1alpha1.Group).Spec.UUID)
		}},
	}
	lookups, _ := fi.(*Cache)
	for _, e := range entries {
		var err error
		if lookups != nil {
			err = lookups.indexLookup(ctx, e.obj, e.field, e.fn, namespaced[e.field])
		} else {
			err = fi.IndexField(ctx, e.obj, e.field, e.fn)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func numeric(id int64) []string {
	if id == 0 {
		return nil
	}
	return []string{strconv.FormatInt(id, 10)}
}
