// Package webhook holds Tessera's admission webhooks: the rules that span objects or need
// assignment at admission, which CRD schemas and CEL cannot express.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	admissionv1 "k8s.io/api/admission/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/claims"
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
//
// A drawn id that the cache shows on another object (a client chose it from the allocator's
// range) is skipped and another one drawn, so that the validator's claim does not refuse an id
// the client never chose.
type Identifiers[T client.Object] struct {
	IDs IDSource
	// Claims, when set, is asked whether a drawn id is already taken.
	Claims *claims.Claims
}

// maxDraws bounds how many taken ids the defaulter skips in one request.
const maxDraws = 10

// Default implements admission.Defaulter.
func (d *Identifiers[T]) Default(ctx context.Context, obj T) error {
	uid, id, kind, idField := identifierFields(obj)
	req, reqErr := admission.RequestFromContext(ctx)
	if reqErr == nil && req.Operation == admissionv1.Update {
		old := obj.DeepCopyObject().(T)
		if err := json.Unmarshal(req.OldObject.Raw, old); err != nil {
			return fmt.Errorf("decoding the stored %s: %w", kind, err)
		}
		oldUID, oldID, _, _ := identifierFields(old)
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
		return d.drawID(ctx, obj, id, kind, idField)
	}
	return nil
}

// drawID sets *id to a fresh id that the cache shows on no other object.
func (d *Identifiers[T]) drawID(ctx context.Context, obj T, id *int64, kind string, f *claims.Field) error {
	for range maxDraws {
		next, err := d.IDs.Next(ctx, kind)
		if err != nil {
			return err
		}
		*id = next
		if d.Claims == nil {
			return nil
		}
		key, _ := f.KeyOf(obj)
		if err := d.Claims.Cached(ctx, key, claims.Holder(obj)); !claims.IsTaken(err) {
			return err
		}
	}
	return nil // the validator's claim explains what is left
}

// claimIdentifiers claims keys, the identifiers of obj that this request adds, and refuses one
// that another object holds with 409 Conflict and, per field, a FieldValueDuplicate cause and
// Tessera's CauseDuplicate. A dry run only checks, so that it leaves no claim behind.
func claimIdentifiers(ctx context.Context, c *claims.Claims, resource schema.GroupResource, obj client.Object, keys []claims.Key) error {
	if len(keys) == 0 {
		return nil
	}
	claim := c.ClaimAll
	if req, err := admission.RequestFromContext(ctx); err == nil && req.DryRun != nil && *req.DryRun {
		claim = c.Check
	}
	err := claim(ctx, keys, claims.Holder(obj))
	taken := claims.Taken(err)
	if len(taken) == 0 {
		return err
	}
	msgs := make([]string, len(taken))
	causes := make([]metav1.StatusCause, 0, 2*len(taken))
	for i, t := range taken {
		msgs[i] = t.Key.Field.Path + ": " + t.Error()
		causes = append(causes,
			metav1.StatusCause{Type: metav1.CauseTypeFieldValueDuplicate, Field: t.Key.Field.Path, Message: msgs[i]},
			metav1.StatusCause{Type: tenancyv1alpha1.CauseDuplicate, Field: t.Key.Field.Path, Message: msgs[i]})
	}
	conflict := apierrors.NewConflict(resource, obj.GetName(), errors.New(strings.Join(msgs, "; ")))
	conflict.ErrStatus.Details.Causes = causes
	return conflict
}

// identifierFields points at an object's UUID and integer id fields (id is nil for Tokens,
// which have none), names its kind and the claim field of its id.
func identifierFields(obj client.Object) (uid *string, id *int64, kind string, idField *claims.Field) {
	switch o := any(obj).(type) {
	case *tenancyv1alpha1.Group:
		return &o.Spec.UUID, &o.Spec.ID, "Group", claims.GroupNumericID
	case *tenancyv1alpha1.Account:
		return &o.Spec.AccountID, &o.Spec.ID, "Account", claims.AccountNumericID
	case *tenancyv1alpha1.Token:
		return &o.Spec.TokenID, nil, "Token", nil
	case *tenancyv1alpha1.Admin:
		return &o.Spec.UUID, &o.Spec.ID, "Admin", claims.AdminNumericID
	}
	panic(fmt.Sprintf("webhook: no identifiers for %T", obj))
}
