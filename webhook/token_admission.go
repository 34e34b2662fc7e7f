package webhook

import (
	"context"

	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// TokenDefaulter assigns a Token's identifiers and, on create, also makes the GroupMember
// checks (a Group's namespace, no lock above it). A Token whose tokenID it generates then needs
// nothing more from admission: its id takes no claim (see claims.Prover), so the validating
// webhook's matchConditions ("not-a-generated-token-create", in the marker of GroupMember)
// leave such creates out. A Token create then costs one webhook call instead of two;
// client-chosen tokenIDs, updates and deletes still go through GroupMember.
//
// The skip trusts the proof annotation's presence, not its HMAC: the API server cannot verify
// it, and it does not need to, since this defaulter (failurePolicy Fail) removes any proof a
// client sends on create and writes one only for an id it generated. Only a cluster
// administrator, who could remove the webhooks outright, can change that chain.
type TokenDefaulter struct {
	Identifiers[*tenancyv1alpha1.Token]
	// Member makes the checks of the validating webhook that do not depend on the tokenID.
	Member *GroupMember[*tenancyv1alpha1.Token]
}

// Default implements admission.Defaulter.
func (d *TokenDefaulter) Default(ctx context.Context, tok *tenancyv1alpha1.Token) error {
	if req, err := admission.RequestFromContext(ctx); err == nil && req.Operation == admissionv1.Create {
		if err := d.Member.checkGroup(ctx, tok); err != nil {
			return err
		}
	}
	return d.Identifiers.Default(ctx, tok)
}
