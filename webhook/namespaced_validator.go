package webhook

import (
	"context"
	"fmt"
	"reflect"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/claims"
)

// +kubebuilder:webhook:path=/validate-tenancy-tessera-dev-v1alpha1-account,mutating=false,failurePolicy=fail,sideEffects=None,groups=tenancy.tessera.dev,resources=accounts,verbs=create;update;delete,versions=v1alpha1,name=vaccount.tessera.dev,admissionReviewVersions=v1
// +kubebuilder:webhook:path=/validate-tenancy-tessera-dev-v1alpha1-token,mutating=false,failurePolicy=fail,sideEffects=None,groups=tenancy.tessera.dev,resources=tokens,verbs=create;update;delete,versions=v1alpha1,name=vtoken.tessera.dev,admissionReviewVersions=v1,patch=`{"matchConditions":[{"name":"not-a-generated-token-create","expression":"request.operation != 'CREATE' || !has(object.metadata.annotations) || !('tenancy.tessera.dev/generated-id-proof' in object.metadata.annotations)"}]}`
// +kubebuilder:webhook:path=/validate-tenancy-tessera-dev-v1alpha1-admin,mutating=false,failurePolicy=fail,sideEffects=None,groups=tenancy.tessera.dev,resources=admins,verbs=create;update;delete,versions=v1alpha1,name=vadmin.tessera.dev,admissionReviewVersions=v1

// GroupMember validates Accounts, Tokens and Admins: they live in a Group's namespace, and
// nothing in a locked subtree is created, changed or deleted. It also claims their identifiers
// (an Account's login, accountID, id and e-mail login; a Token's tokenID; an Admin's uuid and
// id), so that each is unique across the cluster, except a UUID the defaulter generated (see
// vouchForUUID). Token creates with a generated tokenID do not reach it: TokenDefaulter makes
// its checks for those.
type GroupMember[T client.Object] struct {
	lineage
	// Claims claims identifiers.
	Claims *claims.Claims
	// Resource names the kind in refusals.
	Resource schema.GroupResource
	// Proofs, when set, recognizes the tokenIDs and accountIDs the defaulter generated: they
	// need no claim.
	Proofs *claims.Prover
}

// ValidateCreate implements admission.Validator.
func (v *GroupMember[T]) ValidateCreate(ctx context.Context, obj T) (admission.Warnings, error) {
	if err := v.checkGroup(ctx, obj); err != nil {
		return nil, err
	}
	// A UUIDv4 generated in this create cannot collide: no Lease, no API call. A client-chosen
	// tokenID or accountID is claimed, and checked live against the objects that hold generated
	// ones.
	return nil, claimIdentifiers(ctx, v.Claims, v.Resource, obj, unclaimedKeys(v.Proofs, obj))
}

// ValidateUpdate implements admission.Validator. Metadata-only updates (finalizers, labels,
// owner references) pass even in a locked subtree; one that marks an Account as e-mail-login
// still claims its e-mail.
func (v *GroupMember[T]) ValidateUpdate(ctx context.Context, old, obj T) (admission.Warnings, error) {
	if !reflect.DeepEqual(specOf(old), specOf(obj)) {
		if err := v.checkGroup(ctx, obj); err != nil {
			return nil, err
		}
	}
	return nil, claimIdentifiers(ctx, v.Claims, v.Resource, obj, claims.NewKeys(old, obj))
}

// ValidateDelete implements admission.Validator.
func (v *GroupMember[T]) ValidateDelete(ctx context.Context, obj T) (admission.Warnings, error) {
	return nil, v.checkGroup(ctx, obj)
}

// checkGroup refuses objects outside a Group's namespace and inside a locked subtree.
func (v *GroupMember[T]) checkGroup(ctx context.Context, obj T) error {
	group := tenancyv1alpha1.GroupOfNamespace(obj.GetNamespace())
	anc, missing, _, err := v.ancestry(ctx, group)
	if err != nil {
		return err
	}
	if group == "" || missing == group {
		return forbidden(v.Resource, obj.GetName(), tenancyv1alpha1.CauseNotInGroup, fmt.Sprintf(
			"namespace %s belongs to no Tessera Group: create it in the namespace of a Group (%s<group>)",
			obj.GetNamespace(), tenancyv1alpha1.GroupNamespacePrefix))
	}
	if lock, locked := anc.lock(); locked {
		return lockedError(v.Resource, obj.GetName(), "Group "+group, lock)
	}
	return nil
}

// specOf returns the spec of a Tessera object.
func specOf(obj client.Object) any {
	switch o := obj.(type) {
	case *tenancyv1alpha1.Account:
		return o.Spec
	case *tenancyv1alpha1.Token:
		return o.Spec
	case *tenancyv1alpha1.Admin:
		return o.Spec
	}
	return obj
}
