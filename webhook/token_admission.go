package webhook

import (
	"context"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/claims"
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
		// Whatever proof the client sent is dropped: only one made now, for an id generated now,
		// spares the claim.
		delete(tok.Annotations, claims.AnnotationGeneratedProof)
		if generate {
			metav1.SetMetaDataAnnotation(&tok.ObjectMeta, claims.AnnotationGeneratedProof,
				d.Member.Proofs.Prove(tok.Namespace, proofName(tok), tok.Spec.TokenID))
		}
	}
	return nil
}

// proofName names an object in a proof: its name, or on a create with generateName (named only
// after the mutating webhooks) that prefix.
func proofName(obj client.Object) string {
	if obj.GetName() != "" {
		return obj.GetName()
	}
	return "generate:" + obj.GetGenerateName()
}

// generatedToken reports whether obj is a Token whose tokenID the defaulter generated in this
// create, as its proof shows.
func generatedToken(p *claims.Prover, obj client.Object) bool {
	tok, ok := obj.(*tenancyv1alpha1.Token)
	if !ok || p == nil {
		return false
	}
	proof := tok.Annotations[claims.AnnotationGeneratedProof]
	return proof != "" && (p.Verify(tok.Namespace, proofName(tok), tok.Spec.TokenID, proof) ||
		tok.GenerateName != "" && p.Verify(tok.Namespace, "generate:"+tok.GenerateName, tok.Spec.TokenID, proof))
}
