package controllers

import (
	"context"
	"fmt"
	"sync"
	"time"

	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"
)

// A controller's watch (source.Kind) adds its handler to the informer when the controller
// starts, after the caches have synced, and client-go then queues the informer's every object
// for that handler at once: with 100,000 Accounts, each watch of them holds a notification ring
// that grows to 100,000 and never shrinks, and a trace is built for each notification delivered
// while more than 1,024 wait. At 100,000 eleven watches did so at each start, 1.3 million
// notifications, nine of them only for a predicate to drop the initial list.
//
// watchEarly is source.Kind with its handler on the informer before the cache starts, so the
// informer hands it each object as it arrives. Until the controller starts the handler drops
// every event, as a handler not yet added would never have seen it; at the start it replays the
// informer's store through the predicates itself (an event of the initial list, as
// source.Kind's replay), and passes every later event on. What the controller sees is
// source.Kind's; only the burst is gone. (Each handler of an informer is called on a goroutine
// of its own, so a change made just before the start may be delivered just after it, and pass:
// it enqueues a request the replay may enqueue too, which the queue folds into one.)
//
// The replay also keeps the queue short: it enqueues while fewer than replayBacklog requests
// wait, and otherwise waits for the workers. A priority queue's item costs about 400 bytes with
// its metrics, and its maps never shrink: enqueued at once, the start's 200,000 held 80 MB
// through the wave and 47 MB after. Nothing waits behind the replay; an event is enqueued at
// once, and ahead of the replay's requests, which are of low priority.

// replayBacklog is how many requests may wait in the queue before the replay waits: enough
// that 64 workers never idle for the replay's sake.
const replayBacklog = 1000

// replayPoll is how often a waiting replay looks at the queue again: the workers take about
// 50 requests in that time.
const replayPoll = 5 * time.Millisecond

// earlyWatch is the source watchEarly returns.
type earlyWatch[T client.Object] struct {
	kind       string
	store      toolscache.Store
	reg        toolscache.ResourceEventHandlerRegistration
	handler    handler.TypedEventHandler[T, reconcile.Request]
	predicates []predicate.TypedPredicate[T]

	mu    sync.RWMutex
	ctx   context.Context
	queue workqueue.TypedRateLimitingInterface[reconcile.Request]
}

// watchEarly returns a source for obj's kind in c, its handler added to the informer now: call
// it before the manager starts (in SetupWithManager) and pass it to WatchesRawSource.
func watchEarly[T client.Object](c cache.Cache, obj T, h handler.TypedEventHandler[T, reconcile.Request],
	predicates ...predicate.TypedPredicate[T]) (source.SyncingSource, error) {
	inf, err := c.GetInformer(context.Background(), obj)
	if err != nil {
		return nil, err
	}
	stored, ok := inf.(interface{ GetIndexer() toolscache.Indexer })
	if !ok { // a cache of several namespaces: a watch added at the start, burst and all
		return source.Kind(c, obj, h, predicates...), nil
	}
	w := &earlyWatch[T]{kind: fmt.Sprintf("%T", obj), store: stored.GetIndexer(), handler: h, predicates: predicates}
	if w.reg, err = inf.AddEventHandler(w); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *earlyWatch[T]) String() string { return "early watch of " + w.kind }

// Start passes events on to queue from now, and replays the store's objects in the background
// (Start must not block).
func (w *earlyWatch[T]) Start(ctx context.Context, queue workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
	w.mu.Lock()
	if w.queue != nil {
		w.mu.Unlock()
		return fmt.Errorf("%s started twice", w)
	}
	w.ctx, w.queue = ctx, queue
	w.mu.Unlock()
	// An event the handler passes on while the replay runs enqueues the same request at most
	// twice, which the queue folds into one.
	go w.replay(ctx, queue, w.store.List())
	return nil
}

// replay hands the controller each of items as a create of the initial list, waiting while the
// queue holds replayBacklog requests.
func (w *earlyWatch[T]) replay(ctx context.Context, queue workqueue.TypedRateLimitingInterface[reconcile.Request], items []any) {
	for _, o := range items {
		obj, ok := o.(T)
		e := event.TypedCreateEvent[T]{Object: obj, IsInInitialList: true}
		if !ok || !w.passCreate(e) {
			continue
		}
		for queue.Len() >= replayBacklog {
			select {
			case <-ctx.Done():
				return
			case <-time.After(replayPoll):
			}
		}
		w.handler.Create(ctx, e, queue)
	}
}

// WaitForSync returns once the informer has synced, as the controller waits for before its
// workers start. The replay may still be under way: it waits for those workers.
func (w *earlyWatch[T]) WaitForSync(ctx context.Context) error {
	if !toolscache.WaitForCacheSync(ctx.Done(), w.reg.HasSynced) {
		return fmt.Errorf("%s: the informer did not sync: %w", w, ctx.Err())
	}
	return nil
}

// started is the controller's context and queue, or a nil queue before it starts.
func (w *earlyWatch[T]) started() (context.Context, workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.ctx, w.queue
}

func (w *earlyWatch[T]) passCreate(e event.TypedCreateEvent[T]) bool {
	for _, p := range w.predicates {
		if !p.Create(e) {
			return false
		}
	}
	return true
}

// OnAdd is the informer's: an add delivered before the start is one the replay will see in the
// store.
func (w *earlyWatch[T]) OnAdd(o any, isInInitialList bool) {
	ctx, q := w.started()
	obj, ok := o.(T)
	if q == nil || !ok {
		return
	}
	if e := (event.TypedCreateEvent[T]{Object: obj, IsInInitialList: isInInitialList}); w.passCreate(e) {
		w.handler.Create(ctx, e, q)
	}
}

// OnUpdate is the informer's.
func (w *earlyWatch[T]) OnUpdate(oldObj, newObj any) {
	ctx, q := w.started()
	o, ok1 := oldObj.(T)
	n, ok2 := newObj.(T)
	if q == nil || !ok1 || !ok2 {
		return
	}
	e := event.TypedUpdateEvent[T]{ObjectOld: o, ObjectNew: n}
	for _, p := range w.predicates {
		if !p.Update(e) {
			return
		}
	}
	w.handler.Update(ctx, e, q)
}

// OnDelete is the informer's; a tombstone (a delete the watch missed) carries the last object
// known.
func (w *earlyWatch[T]) OnDelete(o any) {
	ctx, q := w.started()
	if q == nil {
		return
	}
	e := event.TypedDeleteEvent[T]{}
	if tomb, ok := o.(toolscache.DeletedFinalStateUnknown); ok {
		e.DeleteStateUnknown, o = true, tomb.Obj
	}
	obj, ok := o.(T)
	if !ok {
		return
	}
	e.Object = obj
	for _, p := range w.predicates {
		if !p.Delete(e) {
			return
		}
	}
	w.handler.Delete(ctx, e, q)
}
