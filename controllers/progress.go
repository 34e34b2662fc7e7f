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

// setProgress derives kstatus's Reconciling and Stalled conditions from a Ready condition just
// decided. Both are abnormal-true and reported only when True (see ConditionReconciling), with
// Ready's reason and message.
func setProgress(conds *[]metav1.Condition, generation int64, ready metav1.ConditionStatus, reason, msg string) {
	stalled := ready == metav1.ConditionFalse && !transientReasons[reason]
	reconciling := ready != metav1.ConditionTrue && !stalled
	setWhileTrue(conds, generation, tenancyv1alpha1.ConditionReconciling, reconciling, reason, msg)
	setWhileTrue(conds, generation, tenancyv1alpha1.ConditionStalled, stalled, reason, msg)
}

// setWhileTrue reports an abnormal-true condition the way Flux and kstatus expect: present with
// status True while it holds, absent otherwise, since every reader takes a missing condition for
// False. An absent condition is also a smaller object for the API server to patch, validate and
// send to every watcher.
func setWhileTrue(conds *[]metav1.Condition, generation int64, typ string, holds bool, reason, msg string) {
	if !holds {
		// RemoveStatusCondition makes a new slice even when typ is absent, as Locked and Expired
		// are on every reconcile of a Ready Token: 200,000 slices at a start with 100,000.
		if meta.FindStatusCondition(*conds, typ) != nil {
			meta.RemoveStatusCondition(conds, typ)
		}
		return
	}
	meta.SetStatusCondition(conds, metav1.Condition{Type: typ, Status: metav1.ConditionTrue, Reason: reason, Message: msg,
		ObservedGeneration: generation})
}
