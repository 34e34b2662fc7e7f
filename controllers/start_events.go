package controllers

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	toolscache "k8s.io/client-go/tools/cache"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// At start every watch of a controller replays the objects its informer holds as create events
// (the initial list), and every controller's own kind (For) enqueues each object it reconciles.
// With 100,000 Accounts and Tokens that start is the manager's peak of memory. The watches of
// the large kinds are early (early_watch.go), so that the replay is one loop over the store
// rather than a burst of notifications; the predicates here keep the watches other than For
// from enqueuing it again.

// afterInitialList passes every event but the initial list's creates. It is for watches that
// map an object to existing objects of the controller's own kind (an Account to its Tokens, a
// JWT Secret to the Token that owns it), which For enqueues at start anyway; not for a watch
// that finds what For does not see (a pending hash Secret whose Account was never created). A
// Group's watch (enqueueGroupSubtree) skips the start's replay too. The watch of Tessera's
// Secrets by the Account controller takes unownedInInitialList.
var afterInitialList = afterInitialListOf[client.Object]()

// afterInitialListOf is afterInitialList for a typed watch, such as the metadata-only one of the
// password Secrets a GitOps repository gives many Accounts (one Secret for all of them).
func afterInitialListOf[T client.Object]() predicate.TypedFuncs[T] {
	return predicate.TypedFuncs[T]{CreateFunc: func(e event.TypedCreateEvent[T]) bool { return !e.IsInInitialList }}
}

// unownedInInitialList is afterInitialList, except that the initial list's objects no
// controller owns pass: of Tessera's Secrets, the hash Secret written ahead of its Account
// (credential.Create), which the Account controller adopts or, when the Account never came,
// deletes. Owned ones (JWTs, adopted hashes) map to existing Accounts only.
var unownedInInitialList = predicate.Funcs{CreateFunc: func(e event.CreateEvent) bool {
	return !e.IsInInitialList || metav1.GetControllerOfNoCopy(e.Object) == nil
}}

// onlyDeletions passes deletions alone, for the watches that clean up after an object (an
// Account after its Tokens and Admins, the Revoked Event of a Token), so that their replay at the
// start hands nothing over.
var onlyDeletions = predicate.Funcs{
	CreateFunc:  func(event.CreateEvent) bool { return false },
	UpdateFunc:  func(event.UpdateEvent) bool { return false },
	DeleteFunc:  func(event.DeleteEvent) bool { return true },
	GenericFunc: func(event.GenericEvent) bool { return false },
}

// requestsInNamespace returns the requests for every cached object of obj's kind in a
// namespace, read from the informer's namespace index: a Group's event maps to all the Accounts,
// Tokens or Admins of its namespaces, and a List would copy each object (100,000 Tokens are a
// 90 MB slice) only to take its key.
func requestsInNamespace(mgr ctrl.Manager, obj client.Object) (func(ctx context.Context, namespace string) []reconcile.Request, error) {
	inf, err := mgr.GetCache().GetInformer(context.Background(), obj)
	if err != nil {
		return nil, err
	}
	store, ok := inf.(interface{ GetIndexer() toolscache.Indexer })
	if !ok {
		return nil, fmt.Errorf("the cache's informer of %T keeps no index", obj)
	}
	indexer := store.GetIndexer()
	return func(ctx context.Context, namespace string) []reconcile.Request {
		items, err := indexer.ByIndex(toolscache.NamespaceIndex, namespace)
		if err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "listing a namespace's objects", "namespace", namespace)
			return nil
		}
		out := make([]reconcile.Request, 0, len(items))
		for _, item := range items {
			if o, ok := item.(client.Object); ok {
				out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(o)})
			}
		}
		return out
	}, nil
}
