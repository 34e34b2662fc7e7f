package index

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Cache is the manager's cache, with the fields of Setup (logins, ids, uuids, the Account a
// Token or an Admin names, the Secret an Account takes its password from, the key that signed a
// Token) looked up in maps of their own instead of controller-runtime's field indexes. Those
// keep every value twice (per namespace and across namespaces), each as a set of its own: about
// 500 bytes per object and field, for a set that mostly holds one name. Here a value costs one
// map entry naming its object (a map of them when many objects share it), which the lookup then
// reads from the informer's store. Lists by any other field, or with more than one field
// requirement, go to controller-runtime as before. The lookups are kept in step with the
// informer's store (see fieldLookup).
type Cache struct {
	cache.Cache

	mu      sync.RWMutex
	lookups map[reflect.Type]map[string]*fieldLookup // by object type, then field
	regs    []toolscache.ResourceEventHandlerRegistration
	started bool
	// stores are the informers' stores by object type (storedItem).
	stores sync.Map
}

// NewCache is a cache.NewCacheFunc building a Cache; Setup then registers its lookups, before
// the cache starts. The lookups count objects in through opts.DefaultTransform, which the
// per-kind options must not replace.
func NewCache(cfg *rest.Config, opts cache.Options) (cache.Cache, error) {
	c := &Cache{lookups: map[reflect.Type]map[string]*fieldLookup{}}
	transform := opts.DefaultTransform
	opts.DefaultTransform = func(obj any) (any, error) {
		if transform != nil {
			var err error
			if obj, err = transform(obj); err != nil {
				return obj, err
			}
		}
		c.count(obj, 1)
		return obj, nil
	}
	inner, err := cache.New(cfg, opts)
	if err != nil {
		return nil, err
	}
	c.Cache = inner
	return c, nil
}

// count adds delta versions of obj to its kind's lookups: +1 for a version the informer queues,
// -1 for one its store lets go.
func (c *Cache) count(obj any, delta int32) {
	o, ok := obj.(client.Object)
	if !ok {
		return
	}
	c.mu.RLock()
	lookups := c.lookups[reflect.TypeOf(obj).Elem()]
	c.mu.RUnlock()
	for _, l := range lookups {
		l.count(o, delta)
	}
}

// Start starts the cache; lookups registered later would miss what it has already queued.
func (c *Cache) Start(ctx context.Context) error {
	c.mu.Lock()
	c.started = true
	c.mu.Unlock()
	return c.Cache.Start(ctx)
}

// indexLookup keeps field of obj's kind in a lookup fed by the kind's informer. A namespaced
// field's values are names within the object's namespace (an Account's name in its Tokens'
// spec.accountRef), looked up per namespace. One handler per kind counts out of all its
// lookups: each handler has a listener of its own, whose notification ring grows to the backlog
// of the initial list (100,000 objects) and never shrinks.
func (c *Cache) indexLookup(ctx context.Context, obj client.Object, field string, fn client.IndexerFunc, namespaced bool) error {
	c.mu.RLock()
	started := c.started
	c.mu.RUnlock()
	if started {
		return fmt.Errorf("index: the lookup of %s must be registered before the cache starts", field)
	}
	informer, err := c.GetInformer(ctx, obj)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t := reflect.TypeOf(obj).Elem()
	if c.lookups[t] == nil {
		reg, err := informer.AddEventHandler(countOut(func(o client.Object) { c.count(o, -1) }))
		if err != nil {
			return err
		}
		c.lookups[t] = map[string]*fieldLookup{}
		c.regs = append(c.regs, reg)
	}
	c.lookups[t][field] = &fieldLookup{fn: fn, namespaced: namespaced, holders: map[valueKey]holders{}}
	return nil
}

// WaitForCacheSync waits for the informers and then for the lookups, which receive each object
// just after the informer's store does.
func (c *Cache) WaitForCacheSync(ctx context.Context) bool {
	if !c.Cache.WaitForCacheSync(ctx) {
		return false
	}
	for !c.lookupsSynced() {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
	return true
}

func (c *Cache) lookupsSynced() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, r := range c.regs {
		if !r.HasSynced() {
			return false
		}
	}
	return true
}

// List answers a list by one field of Setup from its lookup, Secrets as copies (see Get), and
// any other list as the cache does.
func (c *Cache) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	lo := (&client.ListOptions{}).ApplyOptions(opts)
	if secrets, ok := list.(*corev1.SecretList); ok {
		return c.listSecrets(ctx, secrets, lo)
	}
	items := reflect.ValueOf(list).Elem().FieldByName("Items")
	if lo.FieldSelector == nil || !items.IsValid() || items.Kind() != reflect.Slice {
		return c.Cache.List(ctx, list, opts...)
	}
	l, value := c.lookupFor(items.Type().Elem(), lo.FieldSelector)
	if l == nil {
		return c.Cache.List(ctx, list, opts...)
	}
	get := &client.GetOptions{UnsafeDisableDeepCopy: lo.UnsafeDisableDeepCopy}
	h := l.lookup(lo.Namespace, value)
	found, n := reflect.MakeSlice(items.Type(), h.count(), h.count()), 0
	for key := range h.in(lo.Namespace) {
		// Read straight into the list's next item: a rejected one is overwritten by the next.
		obj := found.Index(n).Addr().Interface().(client.Object)
		if err := c.Get(ctx, key, obj, get); err != nil {
			if apierrors.IsNotFound(err) {
				continue // deleted since
			}
			return err
		}
		// The store may hold a newer version than the lookup has seen yet.
		if !slices.Contains(l.fn(obj), value) ||
			lo.LabelSelector != nil && !lo.LabelSelector.Matches(labels.Set(obj.GetLabels())) {
			continue
		}
		n++
	}
	if lo.Limit > 0 && int64(n) > lo.Limit {
		n = int(lo.Limit)
	}
	found = found.Slice(0, n)
	items.Set(found)
	return nil
}

// Keys returns the keys of the objects of obj's kind, in namespace ("" for all), that may hold
// value in field, without reading the objects: a mapping from one object to the many that
// name it (100,000 Accounts taking one password Secret) needs their keys only, and a List would
// copy each. It may name an object whose stored version no longer holds value (see
// fieldLookup), never miss one that does; ok is false when field has no lookup.
func (c *Cache) Keys(obj client.Object, namespace, field, value string) (keys []types.NamespacedName, ok bool) {
	l := c.lookupOf(reflect.TypeOf(obj).Elem(), field)
	if l == nil {
		return nil, false
	}
	h := l.lookup(namespace, value)
	return slices.AppendSeq(make([]types.NamespacedName, 0, h.count()), h.in(namespace)), true
}

// lookupFor is the lookup answering sel for objects of type t, and the value sought: sel must be
// a single equality on a field that has a lookup.
func (c *Cache) lookupFor(t reflect.Type, sel fields.Selector) (*fieldLookup, string) {
	reqs := sel.Requirements()
	if len(reqs) != 1 || reqs[0].Operator != selection.Equals && reqs[0].Operator != selection.DoubleEquals {
		return nil, ""
	}
	return c.lookupOf(t, reqs[0].Field), reqs[0].Value
}

// lookupOf is the lookup of field for objects of type t; nil when there is none.
func (c *Cache) lookupOf(t reflect.Type, field string) *fieldLookup {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.lookups[t][field]
}

// fieldLookup maps the values of one field to the objects holding them. It is kept exactly in
// step with the informer's store, as controller-runtime's indexes are (a list never misses an
// object the store holds): each version of an object is counted in when the informer queues it
// (the cache's transform, which runs before the store sees it) and counted out when the store
// lets it go (the update that replaces it, or the delete). A value is looked up while some
// version holding it is queued or stored, and List checks the field on the stored one.
type fieldLookup struct {
	fn         client.IndexerFunc
	namespaced bool
	mu         sync.RWMutex
	holders    map[valueKey]holders
}

// valueKey is a value, and its object's namespace when the lookup is namespaced ("" when not).
type valueKey struct{ namespace, value string }

func (l *fieldLookup) keyOf(namespace, value string) valueKey {
	if !l.namespaced {
		namespace = ""
	}
	return valueKey{namespace, value}
}

// lookup returns the holders of value in namespace ("" for all), as a snapshot that may be read
// after the lock is released. A namespaced lookup asked across namespaces walks every value (no
// reader does that today).
func (l *fieldLookup) lookup(namespace, value string) holders {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if !l.namespaced || namespace != "" {
		return l.holders[l.keyOf(namespace, value)].snapshot()
	}
	var all []holder
	for k, h := range l.holders {
		if k.value != value {
			continue
		}
		h = h.snapshot()
		for i := range h.count() {
			all = append(all, holder{key: h.at(i), versions: 1})
		}
	}
	if len(all) == 0 {
		return holders{}
	}
	return holders{first: all[0]}.withMore(all[1:])
}

// count adds delta versions of obj to the values it holds.
func (l *fieldLookup) count(obj client.Object, delta int32) {
	values := l.fn(obj)
	if len(values) == 0 {
		return
	}
	key := client.ObjectKeyFromObject(obj)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range values {
		vk := l.keyOf(key.Namespace, v)
		if h := l.holders[vk].counted(key, delta); h.count() == 0 {
			delete(l.holders, vk)
		} else {
			l.holders[vk] = h
		}
	}
}

// countOut is the handler that counts out, with out, the versions the store lets go. A resync
// hands the stored object as both old and new: nothing leaves.
func countOut(out func(client.Object)) toolscache.ResourceEventHandler {
	return toolscache.ResourceEventHandlerFuncs{
		UpdateFunc: func(o, n any) {
			if old, ok := o.(client.Object); ok && o != n {
				out(old)
			}
		},
		DeleteFunc: func(o any) {
			if gone, ok := o.(toolscache.DeletedFinalStateUnknown); ok {
				o = gone.Obj
			}
			if obj, ok := o.(client.Object); ok {
				out(obj)
			}
		},
	}
}
