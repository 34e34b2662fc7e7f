package credential

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/password"
)

// Creating an Account with a password takes two objects, and a process may die between any two
// writes. Create orders them so that the Account's create is the commit point:
//
//  1. the hash Secret, not yet owned, marked tenancyv1alpha1.AnnotationPendingAccount;
//  2. the Account, carrying tenancyv1alpha1.AnnotationInitialPasswordFingerprint, the
//     fingerprint of that hash.
//
// Killed before 2, there is no Account (the create did not happen) and the Account controller
// deletes the orphaned Secret after OrphanAfter. Killed after 2, the Account can sign in at
// once (the verifier reads the hash Secret by name) and the controller adopts the Secret.
//
// Who may set the fingerprint: anyone who may create Accounts. It gains them nothing: the
// controller adopts only an unowned, pending Secret whose hash has that fingerprint, and
// writing such a Secret takes the right to create Secrets in the namespace, with which
// spec.passwordSecretRef already sets any password. The fingerprint itself reveals nothing
// (a salted hash, hashed again), and no hash ever sits on the Account.

// OrphanAfter is how old a pending hash Secret without its Account must be before it counts as
// left behind by a crashed create: longer than any Account create takes to be admitted. A
// variable so that tests can shorten it.
var OrphanAfter = time.Minute

// Create creates acct with the password plaintext so that a crash at any moment leaves either
// no Account or one that can sign in (see above), then waits until c's cache shows both. On
// an error acct does not exist, except with ErrNotVisible (it exists, the cache lags).
// AlreadyExists means that acct's name (or its hash Secret's) is taken.
func Create(ctx context.Context, c client.Client, acct *tenancyv1alpha1.Account, plaintext string) error {
	hash, err := password.Hash(plaintext)
	if err != nil {
		return err
	}
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: acct.Namespace, Name: SecretName(acct.Name),
			Labels:      map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue, tenancyv1alpha1.LabelAccount: acct.Name},
			Annotations: map[string]string{tenancyv1alpha1.AnnotationPendingAccount: acct.Name}},
		Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{HashKey: []byte(hash)},
	}
	if err := createPending(ctx, c, s); err != nil {
		return err
	}
	undo := func() {
		_ = c.Delete(context.WithoutCancel(ctx), s, client.Preconditions{UID: &s.UID})
	}
	acct.Annotations = maps.Clone(acct.Annotations)
	if acct.Annotations == nil {
		acct.Annotations = map[string]string{}
	}
	acct.Annotations[tenancyv1alpha1.AnnotationInitialPasswordFingerprint] = Fingerprint(hash)
	if err := c.Create(ctx, acct); err != nil {
		if refused(err) {
			undo()
		} // else the Account may have been written after all: the controller adopts or drops the hash
		return err
	}
	if err := WaitVisible(ctx, c, acct, s); err != nil {
		if errors.Is(err, ErrReplaced) {
			// Someone took the Secret for an orphan and replaced it: this create cannot stand.
			_ = c.Delete(context.WithoutCancel(ctx), acct, client.Preconditions{UID: &acct.UID})
		}
		return err
	}
	return nil
}

// refused reports whether err says for certain that the API server did not write the object: a
// client error other than a timeout. A timeout, a lost connection or a server error may hide a
// write that happened.
func refused(err error) bool {
	var st apierrors.APIStatus
	if !errors.As(err, &st) {
		return false
	}
	code := st.Status().Code
	return code >= 400 && code < 500 && code != http.StatusRequestTimeout
}

// createPending creates s. A Secret of that name left behind by a crashed create (unowned,
// pending, old, no Account) is replaced; any other is AlreadyExists, never overwritten: it may
// be a concurrent create's, whose Account must not get another request's password.
func createPending(ctx context.Context, c client.Client, s *corev1.Secret) error {
	err := c.Create(ctx, s)
	if !apierrors.IsAlreadyExists(err) {
		return err
	}
	old := &corev1.Secret{}
	if c.Get(ctx, client.ObjectKeyFromObject(s), old) != nil || !Orphaned(old, time.Now()) {
		return err
	}
	if gerr := c.Get(ctx, client.ObjectKey{Namespace: s.Namespace, Name: s.Annotations[tenancyv1alpha1.AnnotationPendingAccount]},
		&tenancyv1alpha1.Account{}); !apierrors.IsNotFound(gerr) {
		return err
	}
	if derr := c.Delete(ctx, old, client.Preconditions{UID: &old.UID}); client.IgnoreNotFound(derr) != nil {
		return err
	}
	return c.Create(ctx, s)
}

// Orphaned reports whether s looks like a hash Secret left behind by a crashed Create: pending,
// unowned and older than OrphanAfter. Whether its Account exists is for the caller to check.
func Orphaned(s *corev1.Secret, now time.Time) bool {
	return s.Annotations[tenancyv1alpha1.AnnotationPendingAccount] != "" && metav1.GetControllerOf(s) == nil &&
		now.Sub(s.CreationTimestamp.Time) >= OrphanAfter
}

// Adoptable reports whether s is the pending hash Secret acct was created with (see Create).
func Adoptable(acct *tenancyv1alpha1.Account, s *corev1.Secret) bool {
	hash := string(s.Data[HashKey])
	return hash != "" && s.Annotations[tenancyv1alpha1.AnnotationPendingAccount] == acct.Name && metav1.GetControllerOf(s) == nil &&
		acct.Annotations[tenancyv1alpha1.AnnotationInitialPasswordFingerprint] == Fingerprint(hash)
}

// HashFor returns the hash in s if s is acct's hash Secret — owned by acct, or the pending one
// acct was created with — and "" otherwise, so that a Secret of that name written by anyone else
// is never taken for acct's password. For the verifier.
func HashFor(acct *tenancyv1alpha1.Account, s *corev1.Secret) string {
	if metav1.IsControlledBy(s, acct) || Adoptable(acct, s) {
		return string(s.Data[HashKey])
	}
	return ""
}
