package controllers

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// The watches that For covers at start skip the initial list's creates and nothing else.
func TestAfterInitialListPassesAllButTheStartReplay(t *testing.T) {
	acct := &tenancyv1alpha1.Account{}
	if afterInitialList.Create(event.CreateEvent{Object: acct, IsInInitialList: true}) {
		t.Error("an object of the initial list passes")
	}
	if !afterInitialList.Create(event.CreateEvent{Object: acct}) {
		t.Error("an object created after the start does not pass")
	}
	if !afterInitialList.Update(event.UpdateEvent{ObjectOld: acct, ObjectNew: acct}) ||
		!afterInitialList.Delete(event.DeleteEvent{Object: acct}) || !afterInitialList.Generic(event.GenericEvent{Object: acct}) {
		t.Error("an update, delete or generic event does not pass")
	}
	shared := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: "shared-password"}}
	metadata := afterInitialListOf[*metav1.PartialObjectMetadata]()
	if metadata.Create(event.TypedCreateEvent[*metav1.PartialObjectMetadata]{Object: shared, IsInInitialList: true}) ||
		!metadata.Create(event.TypedCreateEvent[*metav1.PartialObjectMetadata]{Object: shared}) {
		t.Error("the metadata watch's predicate does not skip exactly the initial list")
	}
}

// Of the initial list, the Account controller's watch of Tessera's Secrets takes only the
// unowned ones: a pending hash Secret may belong to an Account that was never created.
func TestUnownedInInitialListPassesPendingHashSecrets(t *testing.T) {
	yes := true
	owned := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "a-password-hash",
		OwnerReferences: []metav1.OwnerReference{{APIVersion: tenancyv1alpha1.GroupVersion.String(), Kind: "Account", Name: "a", Controller: &yes}}}}
	pending := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "b-password-hash",
		Annotations: map[string]string{tenancyv1alpha1.AnnotationPendingAccount: "b"}}}
	if unownedInInitialList.Create(event.CreateEvent{Object: owned, IsInInitialList: true}) {
		t.Error("an owned hash Secret of the initial list passes")
	}
	if !unownedInInitialList.Create(event.CreateEvent{Object: pending, IsInInitialList: true}) {
		t.Error("a pending hash Secret of the initial list does not pass")
	}
	if !unownedInInitialList.Create(event.CreateEvent{Object: owned}) {
		t.Error("an owned hash Secret created after the start does not pass")
	}
}
