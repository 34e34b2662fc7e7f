package operator

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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

// dropCreateProof removes the generated-id proof.
func dropCreateProof(o metav1.Object) {
	o.SetAnnotations(without(o.GetAnnotations(), claims.AnnotationGeneratedProof, anyValue))
}

// trimTesseraSecret leaves out of a JWT or hash Secret the layout its writer sets again.
func trimTesseraSecret(s *corev1.Secret) {
	if token := tenancyv1alpha1.TokenOfSecret(s); token != "" {
		s.Labels = without(s.Labels, tenancyv1alpha1.LabelManagedBy, tenancyv1alpha1.ManagedByValue)
		s.Labels = without(s.Labels, tenancyv1alpha1.LabelToken, token)
		s.Annotations = without(s.Annotations, tenancyv1alpha1.AnnotationIssuedAt, anyValue)
		// The Token controller reads the re-issue it last honoured (resignReason); none is "".
		s.Annotations = without(s.Annotations, tenancyv1alpha1.AnnotationReissued, "")
	} else if account := credential.AccountOf(s); account != "" {
		// Its annotations (pending, password source and fingerprint) decide what the Account
		// controller does, so they stay.
		s.Labels = without(s.Labels, tenancyv1alpha1.LabelManagedBy, tenancyv1alpha1.ManagedByValue)
		s.Labels = without(s.Labels, tenancyv1alpha1.LabelAccount, account)
	}
}

// anyValue makes without drop a key whatever it holds.
const anyValue = "\x00any"

// without returns m without key when key holds value (or anyValue is asked), and nil once
// nothing is left. m is the decoder's own, not yet shared, so it is changed in place.
func without(m map[string]string, key, value string) map[string]string {
	if v, ok := m[key]; ok && (value == anyValue || v == value) {
		delete(m, key)
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
