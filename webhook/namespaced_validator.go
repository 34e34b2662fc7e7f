package webhook

import (
	"context"
	"fmt"
	"reflect"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/logins"
)

// +kubebuilder:webhook:path=/validate-tenancy-tessera-dev-v1alpha1-account,mutating=false,failurePolicy=fail,sideEffects=None,groups=tenancy.tessera.dev,resources=accounts,verbs=create;update;delete,versions=v1alpha1,name=vaccount.tessera.dev,admissionReviewVersions=v1
// +kubebuilder:webhook:path=/validate-tenancy-tessera-dev-v1alpha1-token,mutating=false,failurePolicy=fail,sideEffects=None,groups=tenancy.tessera.dev,resources=tokens,verbs=create;update;delete,versions=v1alpha1,name=vtoken.tessera.dev,admissionReviewVersions=v1
// +kubebuilder:webhook:path=/validate-tenancy-tessera-dev-v1alpha1-admin,mutating=false,failurePolicy=fail,sideEffects=None,groups=tenancy.tessera.dev,resources=admins,verbs=create;update;delete,versions=v1alpha1,name=vadmin.tessera.dev,admissionReviewVersions=v1

// GroupMember validates Accounts, Tokens and Admins: they live in a Group's namespace, and
// nothing in a locked subtree is created, changed or deleted. Accounts additionally claim their
// login, so that it is unique across the cluster.
type GroupMember[T client.Object] struct {
	lineage
	// Logins claims Account logins; nil for Tokens and Admins.
	Logins *logins.Claims
	// Accounts is the cache, to find an existing login without an API call.
	Accounts client.Reader
	// Resource names the kind in refusals.
	Resource schema.GroupResource
}

// ValidateCreate implements admission.Validator.
func (v *GroupMember[T]) ValidateCreate(ctx context.Context, obj T) (admission.Warnings, error) {
	if err := v.checkGroup(ctx, obj); err != nil {
		return nil, err
	}
	if a, ok := any(obj).(*tenancyv1alpha1.Account); ok {
		return nil, v.claimLogin(ctx, a)
	}
	return nil, nil
}

// ValidateUpdate implements admission.Validator.
func (v *GroupMember[T]) ValidateUpdate(ctx context.Context, old, obj T) (admission.Warnings, error) {
	if reflect.DeepEqual(specOf(old), specOf(obj)) {
		return nil, nil // metadata only: finalizers, labels, owner references
	}
	if err := v.checkGroup(ctx, obj); err != nil {
		return nil, err
	}
	if a, ok := any(obj).(*tenancyv1alpha1.Account); ok && a.Spec.Login != any(old).(*tenancyv1alpha1.Account).Spec.Login {
		return nil, v.claimLogin(ctx, a)
	}
	return nil, nil
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
		return apierrors.NewForbidden(v.Resource, obj.GetName(), fmt.Errorf(
			"namespace %s belongs to no Tessera Group: create it in the namespace of a Group (%s<group>)",
			obj.GetNamespace(), tenancyv1alpha1.GroupNamespacePrefix))
	}
	if lock, locked := anc.lock(); locked {
		return apierrors.NewForbidden(v.Resource, obj.GetName(), fmt.Errorf("%s", lockedMessage("Group "+group, lock)))
	}
	return nil
}

// claimLogin refuses a login another Account holds: first from the cache, then atomically.
func (v *GroupMember[T]) claimLogin(ctx context.Context, a *tenancyv1alpha1.Account) error {
	conflict := func(msg string) error {
		err := apierrors.NewConflict(v.Resource, a.Name, fmt.Errorf("%s", msg))
		err.ErrStatus.Details.Causes = []metav1.StatusCause{{Type: "FieldValueDuplicate", Field: "spec.login", Message: msg}}
		return err
	}
	existing := &tenancyv1alpha1.AccountList{}
	if err := v.Accounts.List(ctx, existing, client.MatchingFields{index.AccountLogin: a.Spec.Login}); err != nil {
		return err
	}
	for _, other := range existing.Items {
		if other.Namespace != a.Namespace || other.Name != a.Name {
			return conflict(fmt.Sprintf("spec.login: login %q is already taken by Account %s/%s", a.Spec.Login, other.Namespace, other.Name))
		}
	}
	err := v.Logins.Claim(ctx, a.Spec.Login, types.NamespacedName{Namespace: a.Namespace, Name: a.Name})
	if logins.IsTaken(err) {
		return conflict("spec.login: " + err.Error())
	}
	return err
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
