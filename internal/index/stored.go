package index

import (
	"context"
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
	store, err := c.storeOf(ctx, proto)
	if err != nil {
		return nil, err
	}
	item, exists, err := store.GetByKey(toolscache.ObjectName{Namespace: key.Namespace, Name: key.Name}.String())
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

// storeOf is the informer's store for proto's kind, found once per kind: asking the cache for
// the informer each time costs its kind lookups in the scheme.
func (c *Cache) storeOf(ctx context.Context, proto client.Object) (toolscache.Indexer, error) {
	t := reflect.TypeOf(proto)
	if s, ok := c.stores.Load(t); ok {
		return s.(toolscache.Indexer), nil
	}
	inf, err := c.GetInformer(ctx, proto)
	if err != nil {
		return nil, err
	}
	withStore, ok := inf.(interface{ GetIndexer() toolscache.Indexer })
	if !ok {
		return nil, fmt.Errorf("the cache's informer for %T has no store to read", proto)
	}
	c.stores.Store(t, withStore.GetIndexer())
	return withStore.GetIndexer(), nil
}
