package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// transientReasons are the Ready=False reasons a controller gets past by itself (the signing
// keys loading, admission assigning an id): the object is Reconciling, and GitOps tools wait.
// Every other Ready=False reason waits for someone to change something — create the Secret,
// the parent or the Account, fix the conflict, extend the token — so the object is Stalled
// and GitOps tools report it as failed instead of waiting for their timeout.
var transientReasons = map[string]bool{
	tenancyv1alpha1.ReasonKeysUnavailable:  true,
	tenancyv1alpha1.ReasonAccountIDMissing: true,
}

// setProgress derives kstatus's Reconciling and Stalled conditions (abnormal-true polarity)
// from a Ready condition just decided.
func setProgress(conds *[]metav1.Condition, generation int64, ready metav1.ConditionStatus, reason, msg string) {
	set := func(typ string, status metav1.ConditionStatus, reason, msg string) {
		meta.SetStatusCondition(conds, metav1.Condition{Type: typ, Status: status, Reason: reason, Message: msg, ObservedGeneration: generation})
	}
	switch {
	case ready == metav1.ConditionTrue:
		set(tenancyv1alpha1.ConditionReconciling, metav1.ConditionFalse, tenancyv1alpha1.ReasonUpToDate, "the object is ready")
		set(tenancyv1alpha1.ConditionStalled, metav1.ConditionFalse, tenancyv1alpha1.ReasonUpToDate, "the object is ready")
	case ready == metav1.ConditionFalse && !transientReasons[reason]:
		set(tenancyv1alpha1.ConditionReconciling, metav1.ConditionFalse, tenancyv1alpha1.ReasonWaitingForInput,
			"nothing will change until the cause in the Stalled condition is fixed")
		set(tenancyv1alpha1.ConditionStalled, metav1.ConditionTrue, reason, msg)
	default:
		set(tenancyv1alpha1.ConditionReconciling, metav1.ConditionTrue, reason, msg)
		set(tenancyv1alpha1.ConditionStalled, metav1.ConditionFalse, tenancyv1alpha1.ReasonProgressing,
			"the controller is making progress")
	}
}
