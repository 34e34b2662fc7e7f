// Package notify wakes request handlers that wait for the cache to show something, instead of
// having them poll: the informer's event handlers signal a key ("namespace/name") whenever an
// object it names is added or changes, and waiters on that key wake and look again.
package notify

import (
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// Broadcaster signals waiters by key. Memory is bounded by the waiters: a key without any costs
// nothing, and a signal to it is dropped.
type Broadcaster struct {
	mu      sync.Mutex
	waiters map[string]map[chan struct{}]struct{}
}

// Wait returns a channel that receives after the next Signal of key, and a function that stops
// waiting (call it when done). Subscribe before looking, so that no change is missed between the
// look and the wait.
func (b *Broadcaster) Wait(key string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	if b.waiters == nil {
		b.waiters = map[string]map[chan struct{}]struct{}{}
	}
	if b.waiters[key] == nil {
		b.waiters[key] = map[chan struct{}]struct{}{}
	}
	b.waiters[key][ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.waiters[key], ch)
		if len(b.waiters[key]) == 0 {
			delete(b.waiters, key)
		}
		b.mu.Unlock()
	}
}

// Signal wakes every waiter on key; one pending wake-up per waiter is enough.
func (b *Broadcaster) Signal(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.waiters[key] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Waiters returns how many waiters there are, for tests.
func (b *Broadcaster) Waiters() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, w := range b.waiters {
		n += len(w)
	}
	return n
}

// Key is the key of a Token: its namespace and name.
func Key(namespace, name string) string { return namespace + "/" + name }

// TokenChanges signals a Token's key when the cache sees the Token or its JWT Secret (by its
// controller reference: the cache keeps none of that Secret's labels) added or changed. The
// informer updates its store before it calls handlers, so a woken waiter reads the new state.
func TokenChanges(ctx context.Context, c cache.Cache) (*Broadcaster, error) {
	b := &Broadcaster{}
	for _, obj := range []client.Object{&tenancyv1alpha1.Token{}, &corev1.Secret{}} {
		inf, err := c.GetInformer(ctx, obj)
		if err != nil {
			return nil, err
		}
		// The Secret informer's store may hold a Secret slim (slimsecret): go by the informer.
		_, secret := obj.(*corev1.Secret)
		signal := func(o any) {
			m, ok := o.(client.Object)
			if !ok {
				return
			}
			name := m.GetName()
			if secret {
				if name = tenancyv1alpha1.TokenOfSecret(m); name == "" {
					return
				}
			}
			b.Signal(Key(m.GetNamespace(), name))
		}
		if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
			AddFunc:    signal,
			UpdateFunc: func(_, o any) { signal(o) },
		}); err != nil {
			return nil, err
		}
	}
	return b, nil
}
