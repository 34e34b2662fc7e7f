package controllers

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/tessera-dev/tessera/internal/testenv"
)

// recorded records what a watch hands its handler, and enqueues each object.
type recorded struct {
	mu   sync.Mutex
	seen []string
}

func (e *recorded) add(kind string, o client.Object, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	e.mu.Lock()
	e.seen = append(e.seen, kind+" "+o.GetName())
	e.mu.Unlock()
	q.Add(reconcile.Request{NamespacedName: client.ObjectKeyFromObject(o)})
}

func (e *recorded) handler() handler.TypedEventHandler[client.Object, reconcile.Request] {
	return handler.Funcs{
		CreateFunc: func(_ context.Context, ev event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			e.add(map[bool]string{true: "initial", false: "create"}[ev.IsInInitialList], ev.Object, q)
		},
		UpdateFunc: func(_ context.Context, ev event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			e.add("update", ev.ObjectNew, q)
		},
		DeleteFunc: func(_ context.Context, ev event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			e.add("delete", ev.Object, q)
		},
	}
}

func (e *recorded) sorted() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Sorted(slices.Values(e.seen))
}

// An early watch, its handler on the informer before the cache starts, hands the controller
// what a watch added at its start would: the objects stored then, as the initial list, and
// every change after it, through its predicates; nothing from before its start.
func TestEarlyWatchHandsOverTheStoreAtItsStartAndEveryChangeAfter(t *testing.T) {
	ctx, cfg, scheme, c := testenv.APIServer(t)
	mine := labels.Set{"test": "early-watch"} // not the API server's own ConfigMaps
	cm := func(name string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, Labels: mine}}
	}
	for _, name := range []string{"a", "b", "c"} {
		if err := c.Create(ctx, cm(name)); err != nil {
			t.Fatal(err)
		}
	}
	informers, err := cache.New(cfg, cache.Options{Scheme: scheme, DefaultLabelSelector: labels.SelectorFromSet(mine)})
	if err != nil {
		t.Fatal(err)
	}
	all, later := &recorded{}, &recorded{}
	allSrc, err := watchEarly(informers, client.Object(&corev1.ConfigMap{}), all.handler())
	if err != nil {
		t.Fatal(err)
	}
	laterSrc, err := watchEarly(informers, client.Object(&corev1.ConfigMap{}), later.handler(), afterInitialList)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = informers.Start(ctx) }()
	if !informers.WaitForCacheSync(ctx) {
		t.Fatal("the cache did not sync")
	}

	// Changes the cache sees before the watches start reach no handler.
	if err := c.Create(ctx, cm("d")); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, cm("b")); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "the cache to see d created and b deleted", func() bool {
		return informers.Get(ctx, client.ObjectKey{Namespace: "default", Name: "d"}, cm("d")) == nil &&
			informers.Get(ctx, client.ObjectKey{Namespace: "default", Name: "b"}, cm("b")) != nil
	})

	queue := func() workqueue.TypedRateLimitingInterface[reconcile.Request] {
		q := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
		t.Cleanup(q.ShutDown)
		return q
	}
	allQ, laterQ := queue(), queue()
	for src, q := range map[interface {
		Start(context.Context, workqueue.TypedRateLimitingInterface[reconcile.Request]) error
		WaitForSync(context.Context) error
	}]workqueue.TypedRateLimitingInterface[reconcile.Request]{allSrc: allQ, laterSrc: laterQ} {
		if err := src.Start(ctx, q); err != nil {
			t.Fatal(err)
		}
		if err := src.WaitForSync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := allSrc.Start(ctx, allQ); err == nil {
		t.Error("a second start of the same watch was taken")
	}
	testenv.Eventually(t, "the replay", func() bool { return len(all.sorted()) >= 3 })
	if got, want := all.sorted(), []string{"initial a", "initial c", "initial d"}; !slices.Equal(got, want) {
		t.Errorf("at its start the watch handed over %q, want the stored objects %q", got, want)
	}
	if allQ.Len() != 3 || laterQ.Len() != 0 {
		t.Errorf("queued %d and %d at the start, want 3 and none past afterInitialList", allQ.Len(), laterQ.Len())
	}

	if err := c.Create(ctx, cm("e")); err != nil {
		t.Fatal(err)
	}
	c1 := cm("c")
	c1.Data = map[string]string{"k": "v"}
	if err := c.Update(ctx, c1); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, cm("d")); err != nil {
		t.Fatal(err)
	}
	changes := []string{"create e", "delete d", "update c"}
	testenv.Eventually(t, "the changes after the start to reach both watches", func() bool {
		return len(later.sorted()) == len(changes) && len(all.sorted()) == 3+len(changes)
	})
	if got := later.sorted(); !slices.Equal(got, changes) {
		t.Errorf("after its start the watch behind afterInitialList handed over %q, want %q", got, changes)
	}
	if got, want := all.sorted(), []string{"create e", "delete d", "initial a", "initial c", "initial d", "update c"}; !slices.Equal(got, want) {
		t.Errorf("the watch handed over %q in all, want %q", got, want)
	}
}

// The replay enqueues while fewer than replayBacklog requests wait, so the queue of a start
// holds a thousand requests rather than every object; as the workers take them, the rest come.
func TestEarlyWatchReplayWaitsForTheWorkers(t *testing.T) {
	seen := &recorded{}
	w := &earlyWatch[client.Object]{kind: "ConfigMap", handler: seen.handler()}
	items := make([]any, 3*replayBacklog)
	for i := range items {
		items[i] = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: fmt.Sprint(i)}}
	}
	q := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
	defer q.ShutDown()
	done := make(chan struct{})
	go func() { defer close(done); w.replay(t.Context(), q, items) }()

	testenv.Eventually(t, "the replay to fill the queue", func() bool { return q.Len() == replayBacklog })
	time.Sleep(20 * replayPoll)
	if n := q.Len(); n != replayBacklog {
		t.Fatalf("with no worker the replay queued %d, want it to wait at %d", n, replayBacklog)
	}
	taken := 0
	for taken < len(items) {
		r, _ := q.Get()
		q.Done(r)
		taken++
		if n := q.Len(); n > replayBacklog {
			t.Fatalf("%d requests waited, more than replayBacklog", n)
		}
	}
	<-done
	if n := len(seen.sorted()); n != len(items) {
		t.Errorf("the replay handed over %d objects of %d", n, len(items))
	}
}
