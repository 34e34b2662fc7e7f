package webhook

import (
	"errors"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/tree"
)

// Refusals carry one of Tessera's causes (api/v1alpha1 Cause*) in their Status details: the API
// server hands the details of a webhook's Status to the client unchanged, so that the REST APIs
// classify a refusal by its cause, never by its message.

// withCause appends a cause to a refusal.
func withCause(err *apierrors.StatusError, cause metav1.CauseType, fieldPath, message string) *apierrors.StatusError {
	if err.ErrStatus.Details == nil {
		err.ErrStatus.Details = &metav1.StatusDetails{}
	}
	err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes,
		metav1.StatusCause{Type: cause, Field: fieldPath, Message: message})
	return err
}

// forbidden is a 403 refusal of the object name with a cause.
func forbidden(resource schema.GroupResource, name string, cause metav1.CauseType, message string) error {
	return withCause(apierrors.NewForbidden(resource, name, errors.New(message)), cause, "", message)
}

// lockedError refuses a write to what (an object named name) inside the subtree lock freezes.
func lockedError(resource schema.GroupResource, name, what string, lock tree.Node) error {
	return forbidden(resource, name, tenancyv1alpha1.CauseLocked, lockedMessage(what, lock))
}

// invalidGroup is a 422 refusal of one field of Group name: Kubernetes' cause for the field
// error, and ours beside it.
func invalidGroup(name string, cause metav1.CauseType, fe *field.Error) error {
	return withCause(apierrors.NewInvalid(groupKind, name, field.ErrorList{fe}), cause, fe.Field, fe.ErrorBody())
}
