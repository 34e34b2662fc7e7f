package controllers

import (
	"context"
	"fmt"
	"slices"
	"strings"
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

// of is what was seen of one kind ("initial", "create", "update", "delete"), sorted.
func (e *recorded) of(kind string) []string {
	var out []string
	for _, s := range e.sorted() {
		if strings.HasPrefix(s, kind+" ") {
			out = append(out, s)
		}
	}
	return out
}

func (e *recorded) sorted() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Sorted(slices.Values(e.seen))
}

// An early watch, its handler on the informer before the cache starts, hands the controller
// what a watch added at its start would: the objects stored then, as the initial list, and
// every change after it, through its predicates; no event delivered before its start. (An
// informer delivers to each handler on a goroutine of its own, so a change made just before the
// start may still arrive after it, and pass: it only enqueues a request again.)
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

	// An event delivered before the start reaches no handler.
	early := allSrc.(*earlyWatch[client.Object])
	early.OnAdd(cm("x"), false)
	early.OnUpdate(cm("x"), cm("x"))
	early.OnDelete(cm("x"))
	if got := all.sorted(); len(got) != 0 {
		t.Fatalf("before its start the watch handed over %q", got)
	}
	// Changes before the start: the replay hands over the store as it is at the start.
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
	testenv.Eventually(t, "the replay", func() bool { return len(all.of("initial")) >= 3 })
	if got, want := all.of("initial"), []string{"initial a", "initial c", "initial d"}; !slices.Equal(got, want) {
		t.Errorf("at its start the watch handed over %q, want the stored objects %q", got, want)
	}
	if got := later.of("initial"); len(got) != 0 {
		t.Errorf("the watch behind afterInitialList handed over %q", got)
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
	for name, w := range map[string]*recorded{"every event": all, "afterInitialList": later} {
		testenv.Eventually(t, "the changes after the start to reach the watch of "+name, func() bool {
			seen := w.sorted()
			return !slices.ContainsFunc(changes, func(c string) bool { return !slices.Contains(seen, c) })
		})
		// Besides those, only the initial list and the late deliveries of the changes made
		// just before the start.
		for _, e := range w.sorted() {
			if !slices.Contains(changes, e) && !strings.HasPrefix(e, "initial ") && e != "create d" && e != "delete b" {
				t.Errorf("the watch of %s handed over %q", name, e)
			}
		}
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
