// Package credential stores an Account's password as an argon2id hash in a Secret owned by the
// Account — the only place a password exists at rest. The REST APIs, the bootstrap and the
// Account controller (from spec.passwordSecretRef) all go through Store.
package credential

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/password"
)

// HashKey is the key of the hash in the Secret's data.
const HashKey = "hash"

// LabelAccount names the Account a hash Secret belongs to.
const LabelAccount = "tenancy.tessera.dev/account"

// SecretName is the name of the Secret that holds the password hash of the Account named account.
func SecretName(account string) string { return account + "-password-hash" }

// Store hashes plaintext and writes it into the Account's hash Secret, creating the Secret
// (labelled, owned by the Account) when absent.
func Store(ctx context.Context, c client.Client, acct *tenancyv1alpha1.Account, plaintext string) error {
	hash, err := password.Hash(plaintext)
	if err != nil {
		return err
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: acct.Namespace, Name: SecretName(acct.Name)}}
	_, err = controllerutil.CreateOrUpdate(ctx, c, s, func() error {
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		s.Labels[tenancyv1alpha1.LabelManagedBy] = tenancyv1alpha1.ManagedByValue
		s.Labels[LabelAccount] = acct.Name
		s.Type = corev1.SecretTypeOpaque
		s.Data = map[string][]byte{HashKey: []byte(hash)}
		return controllerutil.SetControllerReference(acct, s, c.Scheme())
	})
	return err
}
