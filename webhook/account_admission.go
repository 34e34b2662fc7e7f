package webhook

import (
	"context"

	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/claims"
)

// AccountDefaulter assigns an Account's identifiers and, on create, its clean-up finalizer: it
// comes with the create, not in a write of its own after it (one API write and two admission
// calls less per Account). Admitted creates are never in a locked subtree, where the reconciler
// would hold the finalizer back. An accountID it generates on a create it vouches for with a
// proof, so that the validator claims only the login and the id (one Lease create less per
// Account, and a third fewer Leases at rest).
type AccountDefaulter struct {
	Identifiers[*tenancyv1alpha1.Account]
	// Proofs vouches for generated accountIDs; the validator must use the same.
	Proofs *claims.Prover
}

// Default implements admission.Defaulter.
func (d *AccountDefaulter) Default(ctx context.Context, acct *tenancyv1alpha1.Account) error {
	req, err := admission.RequestFromContext(ctx)
	create := err == nil && req.Operation == admissionv1.Create
	generate := create && acct.Spec.AccountID == ""
	if create {
		controllerutil.AddFinalizer(acct, tenancyv1alpha1.CleanupFinalizer)
	}
	if err := d.Identifiers.Default(ctx, acct); err != nil {
		return err
	}
	if create {
		vouchForUUID(d.Proofs, acct, generate)
	}
	return nil
}
