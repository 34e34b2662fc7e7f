package webhook

import (
	"context"

	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// TokenDefaulter assigns a Token's identifiers and, when it generates the tokenID on a create,
// vouches for it with a proof (see claims.Prover) and makes the GroupMember checks itself (a
// Group's namespace, no lock above it). Such a Token then needs nothing more from admission:
// its id takes no claim, so the validating webhook's matchConditions
// ("not-a-generated-token-create", in the marker of GroupMember) leave the create out. A Token
// create costs one webhook call instead of two; client-chosen tokenIDs, updates and deletes
// still go through GroupMember, which makes the checks for them.
//
// The skip trusts the proof annotation's presence, not its HMAC: the API server cannot verify
// it, and it does not need to, since this defaulter (failurePolicy Fail) removes any proof a
// client sends on create and writes one only for an id it generated. Only a cluster
// administrator, who could remove the webhooks outright, can change that chain.
type TokenDefaulter struct {
	Identifiers[*tenancyv1alpha1.Token]
	// Member is the validating webhook: its checks and its Prover.
	Member *GroupMember[*tenancyv1alpha1.Token]
}

// Default implements admission.Defaulter.
func (d *TokenDefaulter) Default(ctx context.Context, tok *tenancyv1alpha1.Token) error {
	req, err := admission.RequestFromContext(ctx)
	create := err == nil && req.Operation == admissionv1.Create
	generate := create && tok.Spec.TokenID == ""
	if generate {
		if err := d.Member.checkGroup(ctx, tok); err != nil {
			return err
		}
	}
	if err := d.Identifiers.Default(ctx, tok); err != nil {
		return err
	}
	if create {
		vouchForUUID(d.Member.Proofs, tok, generate)
	}
	return nil
}
