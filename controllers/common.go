package controllers

import (
	"context"
	"reflect"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// What every reconciler here shares: the finalizer, the requeue delays, the condition helper,
// request mapping and the deferred status summary. A reconcile reads as a list of small named
// steps that change the object's status in memory; one deferred patchStatusOnReturn writes it.

// Requeue delays. Watches notice most changes; these cover what no watch reports (an input
// that is not cached, another controller's progress) and the moments a cache lags behind.
const (
	// missingRequeue is how often an object whose input is missing is looked at again, on top of
	// the watches that notice the input arriving.
	missingRequeue = 10 * time.Second
	// keysRequeue is how soon a Token waiting for the signing keys or an id looks again.
	keysRequeue = time.Second
	// treeSettleDelay is how long after a Group event its subtree is enqueued once more when the
	// Forest had not caught up with the event yet (the Group reconciler writes the Forest).
	treeSettleDelay = 250 * time.Millisecond
	// childrenRequeue is how often a deleting Group looks again at the child Groups and the
	// objects in its namespace that are still going.
	childrenRequeue = time.Second
	// cleanupRequeue is how often a deleting Account looks again at Tokens and Admins that are
	// still going (each deletion also enqueues it).
	cleanupRequeue = 2 * time.Second
	// conflictRequeue is how soon an object whose write met a newer version is looked at again.
	conflictRequeue = 100 * time.Millisecond
	// moveRequeue is how soon a move waiting on another controller (a namespace, a finalizer)
	// looks again.
	moveRequeue = 200 * time.Millisecond
)

// addFinalizer adds tenancyv1alpha1.CleanupFinalizer to obj when it lacks it, in a merge patch.
func addFinalizer(ctx context.Context, c client.Client, obj client.Object) error {
	if controllerutil.ContainsFinalizer(obj, tenancyv1alpha1.CleanupFinalizer) {
		return nil
	}
	patch := client.MergeFrom(obj.DeepCopyObject().(client.Object))
	controllerutil.AddFinalizer(obj, tenancyv1alpha1.CleanupFinalizer)
	return c.Patch(ctx, obj, patch)
}

// setCondition sets a condition with the generation it was computed from. Setting Ready also
// sets Reconciling and Stalled from it (see setProgress), so that every kind reports kstatus's
// conditions from the one place it decides Ready.
func setCondition(conds *[]metav1.Condition, generation int64, typ string, status metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(conds, metav1.Condition{Type: typ, Status: status, Reason: reason, Message: msg, ObservedGeneration: generation})
	if typ == tenancyv1alpha1.ConditionReady {
		setProgress(conds, generation, status, reason, msg)
	}
}

// patchStatusOnReturn is the deferred status summary of a reconcile:
//
//	before := obj.DeepCopy()
//	defer patchStatusOnReturn(ctx, r.Client, obj, before, &err)
//
// It writes obj's status once, only when it differs from before's. A merge patch, not an
// update: the controller owns status, and a stale cache must not cost a conflict retry. An
// object deleted meanwhile is no error; any other failure becomes the reconcile's error unless
// it already has one. obj must be one of Tessera's kinds (a struct with a Status field).
func patchStatusOnReturn(ctx context.Context, c client.Client, obj, before client.Object, errp *error) {
	if equality.Semantic.DeepEqual(statusOf(before), statusOf(obj)) {
		return
	}
	if err := c.Status().Patch(ctx, obj, client.MergeFrom(before)); client.IgnoreNotFound(err) != nil && *errp == nil {
		*errp = err
	}
}

// statusOf is the Status field of a pointer to one of Tessera's kinds.
func statusOf(obj client.Object) any {
	return reflect.ValueOf(obj).Elem().FieldByName("Status").Interface()
}

// requestsOf returns one request per object. It reads only names, so the map functions that call
// it list with client.UnsafeDisableDeepCopy: an event of an Account with thousands of Tokens
// must not copy them all.
func requestsOf[T any, PT interface {
	*T
	client.Object
}](items []T) []reconcile.Request {
	out := make([]reconcile.Request, 0, len(items))
	for i := range items {
		out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(PT(&items[i]))})
	}
	return out
}
