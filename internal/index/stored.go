package index

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Stored is the cache's own object at key, of proto's kind (proto is only looked at), to read
// and never write; a NotFound error when the cache holds none. A Get even without a deep copy
// copies the object's struct into the caller's, a kilobyte or more for a Group or an Account, on
// each of the reconciles that only read one (every Account reconcile reads its Group, every
// Token reconcile its Account). Secrets may be held slim (secrets.go): read them with Get.
func (c *Cache) Stored(ctx context.Context, proto client.Object, key client.ObjectKey) (client.Object, error) {
	item, exists, err := c.storedItem(ctx, proto, key)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, apierrors.NewNotFound(schema.GroupResource{Resource: reflect.TypeOf(proto).Elem().Name()}, key.Name)
	}
	obj, ok := item.(client.Object)
	if !ok || reflect.TypeOf(obj) != reflect.TypeOf(proto) {
		return nil, fmt.Errorf("the cache holds %s as %T, not %T", key, item, proto)
	}
	return obj, nil
}

// errNoStore says the cache's informer for a kind is not client-go's, whose store can be read.
var errNoStore = errors.New("the cache's informer has no store to read")

// storedItem is what the informer's store of proto's kind holds at key. The store is found once
// per kind: asking the cache for the informer each time costs its kind lookups in the scheme,
// on every read of a Token's Secret by the verifier.
func (c *Cache) storedItem(ctx context.Context, proto client.Object, key client.ObjectKey) (item any, exists bool, err error) {
	t := reflect.TypeOf(proto)
	store, found := c.stores.Load(t)
	if !found {
		inf, err := c.GetInformer(ctx, proto)
		if err != nil {
			return nil, false, err
		}
		withStore, ok := inf.(interface{ GetIndexer() toolscache.Indexer })
		if !ok {
			return nil, false, fmt.Errorf("%w: %T", errNoStore, proto)
		}
		store, _ = c.stores.LoadOrStore(t, withStore.GetIndexer())
	}
	return store.(toolscache.Indexer).GetByKey(toolscache.ObjectName{Namespace: key.Namespace, Name: key.Name}.String())
}
