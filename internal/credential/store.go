// Package credential stores an Account's password as an argon2id hash in a Secret owned by the
// Account — the only place a password exists at rest (besides an Account move's record, see
// move.go). The REST APIs, the bootstrap and the Account controller (from
// spec.passwordSecretRef) all go through this package.
package credential

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/password"
)

// HashKey is the key of the hash in the Secret's data.
const HashKey = "hash"

// SecretName is the name of the Secret that holds the password hash of the Account named account.
func SecretName(account string) string { return account + "-password-hash" }

// AccountOf names the Account whose hash Secret s is by its layout: the Account that controls
// it, or the one it is pending for (see Create), provided s bears that Account's SecretName; ""
// for any other Secret. It says which Account to look at, not that s holds its password
// (HashFor does). It reads no label: the manager's cache leaves Tessera's out (operator/trim.go).
func AccountOf(s metav1.Object) string {
	name := s.GetAnnotations()[tenancyv1alpha1.AnnotationPendingAccount]
	if metav1.GetControllerOfNoCopy(s) != nil {
		name = tenancyv1alpha1.ControllerName(s, "Account")
	}
	if name == "" || s.GetName() != SecretName(name) {
		return ""
	}
	return name
}

// Fingerprint is a SHA-256 fingerprint of a stored hash. It reveals nothing of the password:
// the hash is salted and the salt is not in the fingerprint.
func Fingerprint(hash string) string {
	sum := sha256.Sum256([]byte(hash))
	return "sha256:" + hex.EncodeToString(sum[:16])
}

// Store hashes plaintext and writes it into the Account's hash Secret, creating the Secret
// (labelled, owned by the Account) when absent.
func Store(ctx context.Context, c client.Client, acct *tenancyv1alpha1.Account, plaintext string) error {
	hash, err := password.Hash(plaintext)
	if err != nil {
		return err
	}
	_, err = StoreHash(ctx, c, acct, hash)
	return err
}

// Set is Store for a REST API: it also waits until c's cache shows the new hash, so that the
// next sign-in on this replica uses it (or fails with ErrNotVisible, never silently).
func Set(ctx context.Context, c client.Client, acct *tenancyv1alpha1.Account, plaintext string) error {
	hash, err := password.Hash(plaintext)
	if err != nil {
		return err
	}
	s, err := StoreHash(ctx, c, acct, hash)
	if err != nil {
		return err
	}
	return WaitVisible(ctx, c, s)
}

// StoreHash writes an already made hash into the Account's hash Secret in one write and returns
// the Secret as written (its resourceVersion is the write's).
func StoreHash(ctx context.Context, c client.Client, acct *tenancyv1alpha1.Account, hash string) (*corev1.Secret, error) {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: acct.Namespace, Name: SecretName(acct.Name)}}
	_, err := controllerutil.CreateOrUpdate(ctx, c, s, func() error {
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		s.Labels[tenancyv1alpha1.LabelManagedBy] = tenancyv1alpha1.ManagedByValue
		s.Labels[tenancyv1alpha1.LabelAccount] = acct.Name
		delete(s.Annotations, tenancyv1alpha1.AnnotationPendingAccount) // owned from now on
		s.Type = corev1.SecretTypeOpaque
		s.Data = map[string][]byte{HashKey: []byte(hash)}
		return controllerutil.SetControllerReference(acct, s, c.Scheme())
	})
	return s, err
}
