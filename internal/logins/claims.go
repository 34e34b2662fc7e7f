// Package logins keeps Account logins unique across the cluster, even when several creates of
// one login race: each login is claimed by creating a Lease whose name derives from the login,
// and the API server lets exactly one create of a name succeed.
package logins

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// StaleAfter is how long a claim whose holder does not (or no longer) use the login is kept:
// longer than any admission request, so an in-flight create is never overtaken.
const StaleAfter = 30 * time.Second

// LabelClaim marks login claim Leases.
const LabelClaim = "tenancy.tessera.dev/login-claim"

// TakenError reports a login held by another Account.
type TakenError struct {
	Login  string
	Holder string // namespace/name of the Account holding it
}

func (e *TakenError) Error() string {
	return fmt.Sprintf("login %q is already taken by Account %s", e.Login, e.Holder)
}

// Claims claims and releases logins in the operator's namespace.
type Claims struct {
	// Client must read from the API server, not a cache.
	Client    client.Client
	Namespace string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Name is the Lease name of login's claim.
func Name(login string) string {
	sum := sha256.Sum256([]byte(login))
	return "login-" + hex.EncodeToString(sum[:20])
}

// Claim gives login to holder. It fails with *TakenError when another Account holds it.
func (c *Claims) Claim(ctx context.Context, login string, holder types.NamespacedName) error {
	now := metav1.NewMicroTime(c.now())
	id := holder.String()
	lease := &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Namespace: c.Namespace, Name: Name(login),
			Labels:      map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue, LabelClaim: "true"},
			Annotations: map[string]string{"tenancy.tessera.dev/login": login}},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: &id, AcquireTime: &now},
	}
	err := c.Client.Create(ctx, lease)
	if err == nil || !apierrors.IsAlreadyExists(err) {
		return err
	}
	if err := c.Client.Get(ctx, client.ObjectKeyFromObject(lease), lease); err != nil {
		return err
	}
	current := ""
	if lease.Spec.HolderIdentity != nil {
		current = *lease.Spec.HolderIdentity
	}
	if current == id {
		return nil
	}
	if !c.stale(ctx, lease, login, current) {
		return &TakenError{Login: login, Holder: current}
	}
	// Take the stale claim over; the resourceVersion makes this exclusive too.
	lease.Spec.HolderIdentity, lease.Spec.AcquireTime = &id, &now
	if err := c.Client.Update(ctx, lease); err != nil {
		if apierrors.IsConflict(err) {
			return &TakenError{Login: login, Holder: "a concurrent request"}
		}
		return err
	}
	return nil
}

// stale reports whether a claim no longer protects anyone: its holder Account is gone or uses
// another login, and the claim is older than any admission request could be.
func (c *Claims) stale(ctx context.Context, lease *coordinationv1.Lease, login, holder string) bool {
	if lease.Spec.AcquireTime != nil && c.now().Sub(lease.Spec.AcquireTime.Time) < StaleAfter {
		return false
	}
	ns, name, ok := splitHolder(holder)
	if !ok {
		return true
	}
	acct := &tenancyv1alpha1.Account{}
	err := c.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, acct)
	switch {
	case apierrors.IsNotFound(err):
		return true
	case err != nil:
		return false
	}
	return acct.Spec.Login != login || acct.DeletionTimestamp != nil
}

// Release drops holder's claim on login, if it still holds it.
func (c *Claims) Release(ctx context.Context, login string, holder types.NamespacedName) error {
	lease := &coordinationv1.Lease{}
	err := c.Client.Get(ctx, types.NamespacedName{Namespace: c.Namespace, Name: Name(login)}, lease)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity != holder.String() {
		return nil
	}
	err = c.Client.Delete(ctx, lease, client.Preconditions{ResourceVersion: &lease.ResourceVersion})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}

func (c *Claims) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func splitHolder(h string) (ns, name string, ok bool) {
	for i := 0; i < len(h); i++ {
		if h[i] == '/' {
			return h[:i], h[i+1:], i > 0 && i < len(h)-1
		}
	}
	return "", "", false
}

// IsTaken reports whether err is a *TakenError.
func IsTaken(err error) bool {
	var t *TakenError
	return errors.As(err, &t)
}
