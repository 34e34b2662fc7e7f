// Package people creates and finds the people of Tessera's REST APIs: Accounts with their
// passwords and Admin grants. Every API (Luna, ote-stack, identity) writes and reads them
// through here, below its HTTP layer, so that a person registered through one is an ordinary
// Account that the others and kubectl see, and admission refusals mean the same in all.
package people

import (
	"context"
	"errors"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/claims"
	"github.com/tessera-dev/tessera/internal/credential"
)

// RootNamespace is the namespace of the root Group, where people register by default.
var RootNamespace = tenancyv1alpha1.GroupNamespace(tenancyv1alpha1.RootGroupName)

// ErrLoginTaken reports a login another Account holds.
var ErrLoginTaken = errors.New("login already taken")

// ErrGroupLocked reports a write refused because the Group or an ancestor is locked.
var ErrGroupLocked = errors.New("locked")

// CreatePerson creates acct with its password through credential.Create: a crash at any moment
// leaves no Account or one that can sign in, and on success the cache shows both, so that the
// person can sign in at once on this replica. Errors: ErrLoginTaken, ErrGroupLocked,
// credential.ErrNotVisible, or the API server's.
func CreatePerson(ctx context.Context, c client.Client, acct *tenancyv1alpha1.Account, password string) error {
	return ClassifyWrite(credential.Create(ctx, c, acct, password))
}

// SetPassword stores a new password for acct in one write and waits until the cache shows it
// (credential.Set), so that the next sign-in on this replica is checked against it.
func SetPassword(ctx context.Context, c client.Client, acct *tenancyv1alpha1.Account, password string) error {
	return ClassifyWrite(credential.Set(ctx, c, acct, password))
}

// ClassifyWrite joins ErrLoginTaken or ErrGroupLocked to the admission refusals that mean them,
// keeping the API server's error (and its message) in the chain; other errors pass unchanged.
// An Account name already taken counts as a taken login: the name is derived from the login
// (PersonAccountName).
func ClassifyWrite(err error) error {
	switch {
	case err == nil:
		return nil
	case IsDuplicate(err, claims.AccountLogin.Path), apierrors.IsAlreadyExists(err):
		return errors.Join(ErrLoginTaken, err)
	case IsLocked(err):
		return errors.Join(ErrGroupLocked, err)
	}
	return err
}
