package controllers

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/tree"
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

// A Group's watch maps nothing from the start's replay (For enqueues every object, and the
// reconciles wait for the settled tree), maps a Group created later to the objects of its
// namespace, and ignores an update that changes nothing they derive from it. The Token
// controller's watch is this one since 4fa75e0: an annotation once requeued every Token.
func TestEnqueueGroupSubtreeSkipsTheStartReplayAndUnrelatedUpdates(t *testing.T) {
	g := &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "acme"}}
	forest := &tree.Forest{}
	forest.Set(tree.NodeOf(g))
	inAcme := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: tenancyv1alpha1.GroupNamespace("acme"), Name: "t"}}
	h := enqueueGroupSubtree(forest, func(_ context.Context, ns string) []reconcile.Request {
		if ns == inAcme.Namespace {
			return []reconcile.Request{inAcme}
		}
		return nil
	})
	queued := func(send func(q workqueue.TypedRateLimitingInterface[reconcile.Request])) int {
		q := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
		defer q.ShutDown()
		send(q)
		return q.Len()
	}
	ctx := t.Context()

	if n := queued(func(q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		h.Create(ctx, event.CreateEvent{Object: g, IsInInitialList: true}, q)
	}); n != 0 {
		t.Errorf("the start's replay of a Group queued %d requests", n)
	}
	if n := queued(func(q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		h.Create(ctx, event.CreateEvent{Object: g}, q)
	}); n != 1 {
		t.Errorf("a Group created after the start queued %d requests, want its namespace's 1", n)
	}
	annotated := g.DeepCopy()
	annotated.Annotations = map[string]string{"example.com/note": "one"}
	if n := queued(func(q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		h.Update(ctx, event.UpdateEvent{ObjectOld: g, ObjectNew: annotated}, q)
	}); n != 0 {
		t.Errorf("an annotation on the Group queued %d requests", n)
	}
	locked := g.DeepCopy()
	locked.Spec.Lock.Enabled = true
	forest.Set(tree.NodeOf(locked))
	if n := queued(func(q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		h.Update(ctx, event.UpdateEvent{ObjectOld: g, ObjectNew: locked}, q)
	}); n != 1 {
		t.Errorf("a lock on the Group queued %d requests, want 1", n)
	}
}
