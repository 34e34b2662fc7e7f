package index

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"time"

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

// Cache is the manager's cache, with the unique-valued fields of Setup (logins, ids, uuids)
// looked up in maps of their own instead of controller-runtime's field indexes. Those keep every
// value twice (per namespace and across namespaces), each as a set of its own: about 500 bytes
// per object and field, for a set that holds one name. Here a value costs one map entry naming
// its object, which the lookup then reads from the informer's store. Lists by any other field,
// or by a unique field with more than one field requirement, go to controller-runtime as before.
// A lookup learns of a change from the informer's event, just after the store has it (as the
// list indexes of internal/listindex do): for that instant a list misses a new object, and one
// that finds a newer version than it indexed checks the field again.
type Cache struct {
	cache.Cache

	mu     sync.RWMutex
	unique map[reflect.Type]map[string]*uniqueLookup // by object type, then field
	regs   []toolscache.ResourceEventHandlerRegistration
}

// NewCache is a cache.NewCacheFunc building a Cache; Setup then registers its lookups.
func NewCache(cfg *rest.Config, opts cache.Options) (cache.Cache, error) {
	c, err := cache.New(cfg, opts)
	if err != nil {
		return nil, err
	}
	return &Cache{Cache: c, unique: map[reflect.Type]map[string]*uniqueLookup{}}, nil
}

// indexUnique keeps field of obj's kind in a lookup fed by the kind's informer (before or
// after the cache starts: a handler first receives every object the informer has).
func (c *Cache) indexUnique(ctx context.Context, obj client.Object, field string, fn client.IndexerFunc) error {
	informer, err := c.GetInformer(ctx, obj)
	if err != nil {
		return err
	}
	l := &uniqueLookup{fn: fn, holders: map[string]holders{}}
	reg, err := informer.AddEventHandler(l.handler())
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t := reflect.TypeOf(obj).Elem()
	if c.unique[t] == nil {
		c.unique[t] = map[string]*uniqueLookup{}
	}
	c.unique[t][field] = l
	c.regs = append(c.regs, reg)
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

// List answers a list by one unique field from its lookup, and any other list as the cache does.
func (c *Cache) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	lo := (&client.ListOptions{}).ApplyOptions(opts)
	items := reflect.ValueOf(list).Elem().FieldByName("Items")
	if lo.FieldSelector == nil || !items.IsValid() || items.Kind() != reflect.Slice {
		return c.Cache.List(ctx, list, opts...)
	}
	l, value := c.lookupFor(items.Type().Elem(), lo.FieldSelector)
	if l == nil {
		return c.Cache.List(ctx, list, opts...)
	}
	get := &client.GetOptions{UnsafeDisableDeepCopy: lo.UnsafeDisableDeepCopy}
	h := l.lookup(value)
	found, n := reflect.MakeSlice(items.Type(), h.count(), h.count()), 0
	for i := range h.count() {
		key := h.at(i)
		if lo.Namespace != "" && key.Namespace != lo.Namespace {
			continue
		}
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

// lookupFor is the lookup answering sel for objects of type t, and the value sought: sel must be
// a single equality on a unique field.
func (c *Cache) lookupFor(t reflect.Type, sel fields.Selector) (*uniqueLookup, string) {
	reqs := sel.Requirements()
	if len(reqs) != 1 || reqs[0].Operator != selection.Equals && reqs[0].Operator != selection.DoubleEquals {
		return nil, ""
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.unique[t][reqs[0].Field], reqs[0].Value
}

// uniqueLookup maps the values of one field to the objects holding them.
type uniqueLookup struct {
	fn      client.IndexerFunc
	mu      sync.RWMutex
	holders map[string]holders
}

// holders are the objects holding a value: almost always one, so the first is kept inline.
type holders struct {
	first types.NamespacedName
	more  []types.NamespacedName
}

func (h holders) count() int {
	if h.first == (types.NamespacedName{}) {
		return 0
	}
	return 1 + len(h.more)
}

func (h holders) at(i int) types.NamespacedName {
	if i == 0 {
		return h.first
	}
	return h.more[i-1]
}

// lookup returns the holders of value; their more is never changed in place (add and remove
// replace it), so it may be read after the lock is released.
func (l *uniqueLookup) lookup(value string) holders {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.holders[value]
}

// apply moves key from the values of old (nil when added) to those of cur (nil when deleted).
func (l *uniqueLookup) apply(key types.NamespacedName, old, cur client.Object) {
	var before, after []string
	if old != nil {
		before = l.fn(old)
	}
	if cur != nil {
		after = l.fn(cur)
	}
	if slices.Equal(before, after) && old != nil && cur != nil {
		return // a resync, or a change elsewhere
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range before {
		l.remove(v, key)
	}
	for _, v := range after {
		l.add(v, key)
	}
}

func (l *uniqueLookup) add(value string, key types.NamespacedName) {
	h, ok := l.holders[value]
	switch {
	case !ok:
		l.holders[value] = holders{first: key}
	case h.first != key && !slices.Contains(h.more, key):
		h.more = append(slices.Clip(h.more), key) // a copy: lookup's callers may be reading more
		l.holders[value] = h
	}
}

func (l *uniqueLookup) remove(value string, key types.NamespacedName) {
	h, ok := l.holders[value]
	if !ok {
		return
	}
	if h.first == key {
		if len(h.more) == 0 {
			delete(l.holders, value)
			return
		}
		h.first, h.more = h.more[0], h.more[1:]
	} else {
		// A copy: lookup's callers may be reading more.
		h.more = slices.DeleteFunc(slices.Clone(h.more), func(k types.NamespacedName) bool { return k == key })
	}
	if len(h.more) == 0 {
		h.more = nil
	}
	l.holders[value] = h
}

// handler feeds the lookup from an informer.
func (l *uniqueLookup) handler() toolscache.ResourceEventHandler {
	return toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(o any) {
			if obj, ok := o.(client.Object); ok {
				l.apply(client.ObjectKeyFromObject(obj), nil, obj)
			}
		},
		UpdateFunc: func(o, n any) {
			old, okOld := o.(client.Object)
			cur, okCur := n.(client.Object)
			if okOld && okCur {
				l.apply(client.ObjectKeyFromObject(cur), old, cur)
			}
		},
		DeleteFunc: func(o any) {
			if gone, ok := o.(toolscache.DeletedFinalStateUnknown); ok {
				o = gone.Obj
			}
			if obj, ok := o.(client.Object); ok {
				l.apply(client.ObjectKeyFromObject(obj), obj, nil)
			}
		},
	}
}
