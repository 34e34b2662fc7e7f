package controllers

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// TestReadyDecidesKstatus checks what kstatus makes of each kind of Ready decision, through
// the Reconciling and Stalled conditions that setCondition derives, which are present only when
// True.
func TestReadyDecidesKstatus(t *testing.T) {
	for _, tc := range []struct {
		ready  metav1.ConditionStatus
		reason string
		want   status.Status
	}{
		{metav1.ConditionTrue, tenancyv1alpha1.ReasonIssued, status.CurrentStatus},
		{metav1.ConditionFalse, tenancyv1alpha1.ReasonKeysUnavailable, status.InProgressStatus},
		{metav1.ConditionFalse, tenancyv1alpha1.ReasonAccountMissing, status.FailedStatus},
		{metav1.ConditionFalse, tenancyv1alpha1.ReasonTokenExpired, status.FailedStatus},
		{metav1.ConditionUnknown, "Checking", status.InProgressStatus},
	} {
		tok := &tenancyv1alpha1.Token{TypeMeta: metav1.TypeMeta{APIVersion: "tenancy.tessera.dev/v1alpha1", Kind: "Token"}}
		tok.Generation, tok.Status.ObservedGeneration = 3, 3
		// What an earlier version wrote (both conditions False) goes, and an earlier decision
		// is overwritten, not accumulated.
		tok.Status.Conditions = []metav1.Condition{
			{Type: tenancyv1alpha1.ConditionReconciling, Status: metav1.ConditionFalse, Reason: "UpToDate", ObservedGeneration: 1},
			{Type: tenancyv1alpha1.ConditionStalled, Status: metav1.ConditionFalse, Reason: "UpToDate", ObservedGeneration: 1},
		}
		setCondition(&tok.Status.Conditions, 2, tenancyv1alpha1.ConditionReady, metav1.ConditionFalse, tenancyv1alpha1.ReasonAccountMissing, "old")
		setCondition(&tok.Status.Conditions, 3, tenancyv1alpha1.ConditionReady, tc.ready, tc.reason, "why")
		obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(tok)
		if err != nil {
			t.Fatal(err)
		}
		res, err := status.Compute(&unstructured.Unstructured{Object: obj})
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != tc.want {
			t.Errorf("Ready=%s %s: kstatus %s (%s), want %s", tc.ready, tc.reason, res.Status, res.Message, tc.want)
		}
		for _, c := range tok.Status.Conditions {
			if (c.Type == tenancyv1alpha1.ConditionReconciling || c.Type == tenancyv1alpha1.ConditionStalled) && c.Status != metav1.ConditionTrue {
				t.Errorf("Ready=%s %s: %s is %s; it is reported only when True", tc.ready, tc.reason, c.Type, c.Status)
			}
			if c.ObservedGeneration != 3 {
				t.Errorf("Ready=%s %s: condition %s has observedGeneration %d, want 3", tc.ready, tc.reason, c.Type, c.ObservedGeneration)
			}
		}
	}
}
