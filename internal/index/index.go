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

// Setup registers every index with the manager's field indexer. With a Cache, the fields whose
// values are unique (ids, uuids, logins; the Account a Token or an Admin names, within its
// namespace) go to its lookups; the others, which many objects may share (the key that signed
// Tokens, a password Secret several Accounts take), stay with controller-runtime.
func Setup(ctx context.Context, fi client.FieldIndexer) error {
	type entry struct {
		obj   client.Object
		field string
		fn    client.IndexerFunc
	}
	// spec.id and spec.uuid are unique on every kind that has them; spec.accountRef.name is
	// Tokens' and Admins' (a few per Account), looked up per namespace.
	unique := map[string]bool{AccountLogin: true, AccountID: true, AccountNumericID: true, TokenID: true, AdminUUID: true}
	namespaced := map[string]bool{TokenAccount: true}
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
		if lookups != nil && (unique[e.field] || namespaced[e.field]) {
			err = lookups.indexUnique(ctx, e.obj, e.field, e.fn, namespaced[e.field])
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
