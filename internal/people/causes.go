package people

import (
	"errors"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/claims"
)

// IsDuplicate reports a refusal because another object holds the value of field (as the API
// server names it, e.g. "spec.login"): admission's FieldValueDuplicate cause (409 for claimed
// identifiers, 422 for a sibling Group's display name), or a claim taken (claims.TakenError)
// when the claims package refused directly.
func IsDuplicate(err error, field string) bool {
	for _, t := range claims.Taken(err) {
		if t.Key.Field.Path == field {
			return true
		}
	}
	for _, c := range causes(err) {
		if c.Type == metav1.CauseTypeFieldValueDuplicate && c.Field == field {
			return true
		}
	}
	return false
}

// IsLocked reports admission's refusal of a write inside a locked subtree: a 403 carrying the
// cause tenancyv1alpha1.CauseLocked.
func IsLocked(err error) bool {
	if !apierrors.IsForbidden(err) {
		return false
	}
	for _, c := range causes(err) {
		if string(c.Type) == tenancyv1alpha1.CauseLocked {
			return true
		}
	}
	return false
}

// causes lists the causes in err's API status, if it has one.
func causes(err error) []metav1.StatusCause {
	var st apierrors.APIStatus
	if !errors.As(err, &st) || st.Status().Details == nil {
		return nil
	}
	return st.Status().Details.Causes
}
