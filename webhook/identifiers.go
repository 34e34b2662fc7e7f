// Package webhook holds Tessera's admission webhooks: the rules that span objects or need
// assignment at admission, which CRD schemas and CEL cannot express.
package webhook

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// +kubebuilder:webhook:path=/mutate-tenancy-tessera-dev-v1alpha1-group,mutating=true,failurePolicy=fail,sideEffects=None,groups=tenancy.tessera.dev,resources=groups,verbs=create;update,versions=v1alpha1,name=mgroup.tessera.dev,admissionReviewVersions=v1
// +kubebuilder:webhook:path=/mutate-tenancy-tessera-dev-v1alpha1-account,mutating=true,failurePolicy=fail,sideEffects=None,groups=tenancy.tessera.dev,resources=accounts,verbs=create;update,versions=v1alpha1,name=maccount.tessera.dev,admissionReviewVersions=v1
// +kubebuilder:webhook:path=/mutate-tenancy-tessera-dev-v1alpha1-token,mutating=true,failurePolicy=fail,sideEffects=None,groups=tenancy.tessera.dev,resources=tokens,verbs=create;update,versions=v1alpha1,name=mtoken.tessera.dev,admissionReviewVersions=v1
// +kubebuilder:webhook:path=/mutate-tenancy-tessera-dev-v1alpha1-admin,mutating=true,failurePolicy=fail,sideEffects=None,groups=tenancy.tessera.dev,resources=admins,verbs=create;update,versions=v1alpha1,name=madmin.tessera.dev,admissionReviewVersions=v1

// IDSource hands out integer ids per kind; *ids.Allocator is one.
type IDSource interface {
	Next(ctx context.Context, kind string) (int64, error)
}

// Identifiers assigns the stable identifiers of DESIGN.md at admission: a UUID for every kind
// and an integer id for Groups, Accounts and Admins, when the client sent none. On update it
// carries the stored identifiers over when the client left them out (a PUT of a manifest that
// never had them), so that GitOps replaces do not trip the immutability rules.
type Identifiers[T client.Object] struct {
	IDs IDSource
}

// Default implements admission.Defaulter.
func (d *Identifiers[T]) Default(ctx context.Context, obj T) error {
	uid, id, kind := identifierFields(obj)
	if req, err := admission.RequestFromContext(ctx); err == nil && req.Operation == admissionv1.Update {
		old := obj.DeepCopyObject().(T)
		if err := json.Unmarshal(req.OldObject.Raw, old); err != nil {
			return fmt.Errorf("decoding the stored %s: %w", kind, err)
		}
		oldUID, oldID, _ := identifierFields(old)
		if *uid == "" {
			*uid = *oldUID
		}
		if id != nil && *id == 0 {
			*id = *oldID
		}
	}
	if *uid == "" {
		*uid = uuid.NewString()
	}
	if id != nil && *id == 0 {
		next, err := d.IDs.Next(ctx, kind)
		if err != nil {
			return err
		}
		*id = next
	}
	return nil
}

// identifierFields points at an object's UUID and integer id fields (id is nil for Tokens,
// which have none) and names its kind.
func identifierFields(obj client.Object) (uid *string, id *int64, kind string) {
	switch o := any(obj).(type) {
	case *tenancyv1alpha1.Group:
		return &o.Spec.UUID, &o.Spec.ID, "Group"
	case *tenancyv1alpha1.Account:
		return &o.Spec.AccountID, &o.Spec.ID, "Account"
	case *tenancyv1alpha1.Token:
		return &o.Spec.TokenID, nil, "Token"
	case *tenancyv1alpha1.Admin:
		return &o.Spec.UUID, &o.Spec.ID, "Admin"
	}
	panic(fmt.Sprintf("webhook: no identifiers for %T", obj))
}
