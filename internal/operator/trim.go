package operator

import (
	corev1 "k8s.io/api/core/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/claims"
	"github.com/tessera-dev/tessera/internal/credential"
)

// The cache keeps whole the objects users write, since a writer that Updates a cached object
// writes back what it read (see compact.go). It leaves out only values that no reader of the
// cache reads and that their writer sets again on every write, because each costs a map per
// object when it is all the map holds (a small Go map is about 300 bytes, more than the strings
// in it):
//
//   - the generated-id proof on Accounts and Tokens, read only by the admission of the create
//     that wrote it and stale after claims.StaleAfter. A REST write from the cache removes it
//     from the stored object too, which loses nothing;
//   - Tessera's own labels and bookkeeping annotations on the Secrets holding a Token's JWT and
//     an Account's password hash. Their writers set them on every write (the Token
//     controller's ensureJWT and credential.StoreHash write the whole layout; adoption and
//     re-fingerprinting Patch only what they change), their readers go by the controller
//     reference instead (tenancyv1alpha1.TokenOfSecret, credential.AccountOf), and the cache's
//     label selector is applied by the API server. Labels and annotations anyone else put on
//     those Secrets stay, so a write from the cache keeps them.
//
// Every other Secret the cache holds (signing keys, a Group's Secrets, move records) is kept as
// it is: it is read and Updated whole from the cache.

// trim leaves out of obj, before compact shares its strings, what no reader of the cache reads.
func trim(obj any) {
	switch o := obj.(type) {
	case *tenancyv1alpha1.Account:
		o.Annotations = without(o.Annotations, claims.AnnotationGeneratedProof)
	case *tenancyv1alpha1.Token:
		o.Annotations = without(o.Annotations, claims.AnnotationGeneratedProof)
	case *corev1.Secret:
		trimTesseraSecret(o)
	}
}

// trimTesseraSecret leaves out of a JWT or hash Secret the layout its writer sets again.
func trimTesseraSecret(s *corev1.Secret) {
	if token := tenancyv1alpha1.TokenOfSecret(s); token != "" {
		s.Labels = withoutValue(s.Labels, tenancyv1alpha1.LabelManagedBy, tenancyv1alpha1.ManagedByValue)
		s.Labels = withoutValue(s.Labels, tenancyv1alpha1.LabelToken, token)
		s.Annotations = without(s.Annotations, tenancyv1alpha1.AnnotationIssuedAt)
		// The Token controller reads the re-issue it last honoured (resignReason); none is "".
		s.Annotations = withoutValue(s.Annotations, tenancyv1alpha1.AnnotationReissued, "")
	} else if account := credential.AccountOf(s); account != "" {
		// Its annotations (pending, password source and fingerprint) decide what the Account
		// controller does, so they stay.
		s.Labels = withoutValue(s.Labels, tenancyv1alpha1.LabelManagedBy, tenancyv1alpha1.ManagedByValue)
		s.Labels = withoutValue(s.Labels, tenancyv1alpha1.LabelAccount, account)
	}
}

// without returns m without key, and nil once nothing is left. m is the decoder's own, not yet
// shared, so it is changed in place.
func without(m map[string]string, key string) map[string]string {
	delete(m, key)
	if len(m) == 0 {
		return nil
	}
	return m
}

// withoutValue is without when key holds value, and m as it is otherwise.
func withoutValue(m map[string]string, key, value string) map[string]string {
	if v, ok := m[key]; ok && v == value {
		return without(m, key)
	}
	return m
}
