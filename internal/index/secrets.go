package index

import (
	"context"
	"errors"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tessera-dev/tessera/internal/slimsecret"
)

// The cache may hold a Secret slim (slimsecret.Secret, from the manager's cache transform): the
// cache reader's copy of it is the whole Secret, but a read without a copy would find a type the
// reader did not ask for. Such reads get a view of the stored Secret instead, as uncopied as
// before; lists always copy.

// Get reads obj from the cache; a Secret without a copy is read as a view (see above).
func (c *Cache) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	s, secret := obj.(*corev1.Secret)
	if !secret {
		return c.Cache.Get(ctx, key, obj, opts...)
	}
	o := (&client.GetOptions{}).ApplyOptions(opts)
	if o.UnsafeDisableDeepCopy == nil || !*o.UnsafeDisableDeepCopy {
		return c.Cache.Get(ctx, key, obj, opts...)
	}
	item, exists, err := c.storedItem(ctx, obj, key)
	if errors.Is(err, errNoStore) { // not client-go's informer: read a copy
		o.UnsafeDisableDeepCopy = nil
		return c.Cache.Get(ctx, key, obj, o)
	} else if err != nil {
		return err
	}
	if !exists {
		return apierrors.NewNotFound(corev1.Resource("secrets"), key.Name)
	}
	switch stored := item.(type) {
	case *slimsecret.Secret:
		stored.ViewInto(s)
	case *corev1.Secret:
		*s = *stored
	default:
		o.UnsafeDisableDeepCopy = nil
		return c.Cache.Get(ctx, key, obj, o)
	}
	return nil
}

// listSecrets lists Secrets as copies.
func (c *Cache) listSecrets(ctx context.Context, list *corev1.SecretList, lo *client.ListOptions) error {
	lo.UnsafeDisableDeepCopy = nil
	return c.Cache.List(ctx, list, lo)
}
