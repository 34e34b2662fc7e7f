package people

import (
	"errors"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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

// lockedPhrase is what admission says, and only says, when it refuses a write inside a locked
// subtree (webhook lockedMessage: "<what> is frozen: Group <g> is locked; …").
const lockedPhrase = " is frozen: Group "

// IsLocked reports admission's refusal of a write inside a locked subtree (403 Forbidden). The
// refusal carries no cause of its own yet, so this is the one place that recognizes its
// message; when admission attaches a cause, matching that cause's type here is the only change.
func IsLocked(err error) bool {
	var st apierrors.APIStatus
	return apierrors.IsForbidden(err) && errors.As(err, &st) && strings.Contains(st.Status().Message, lockedPhrase)
}

// causes lists the causes in err's API status, if it has one.
func causes(err error) []metav1.StatusCause {
	var st apierrors.APIStatus
	if !errors.As(err, &st) || st.Status().Details == nil {
		return nil
	}
	return st.Status().Details.Causes
}
