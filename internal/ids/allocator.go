// Package ids hands out the stable positive integer ids of Groups, Accounts and Admins (the
// portal's id, ote-stack's userid). Ids are unique per kind across the cluster and across
// replicas: each process reserves blocks of ids in a ConfigMap with optimistic concurrency and
// hands them out from memory, so a create costs an API write only once per block.
package ids

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ConfigMapName is the ConfigMap, in the operator's namespace, that records the highest id
// reserved for each kind.
const ConfigMapName = "tessera-ids"

// BlockSize is how many ids one reservation takes. Ids left in a block when a process stops are
// never used: ids are unique and increasing per process, not gapless.
const BlockSize = 32

// Allocator reserves and hands out ids. It is safe for concurrent use.
type Allocator struct {
	// Client must read from the API server, not a cache: reservations need the latest
	// resourceVersion.
	Client    client.Client
	Namespace string

	mu     sync.Mutex
	blocks map[string]*block
}

type block struct{ next, limit int64 }

// Next returns a fresh id for kind.
func (a *Allocator) Next(ctx context.Context, kind string) (int64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.blocks == nil {
		a.blocks = map[string]*block{}
	}
	b := a.blocks[kind]
	if b == nil || b.next > b.limit {
		first, err := a.reserve(ctx, kind)
		if err != nil {
			return 0, err
		}
		b = &block{next: first, limit: first + BlockSize - 1}
		a.blocks[kind] = b
	}
	id := b.next
	b.next++
	return id, nil
}

// reserve moves the kind's high-water mark up by one block and returns the block's first id.
func (a *Allocator) reserve(ctx context.Context, kind string) (int64, error) {
	var first int64
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cm := &corev1.ConfigMap{}
		key := types.NamespacedName{Namespace: a.Namespace, Name: ConfigMapName}
		err := a.Client.Get(ctx, key, cm)
		if apierrors.IsNotFound(err) {
			cm = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: a.Namespace, Name: ConfigMapName}}
			first = 1
			cm.Data = map[string]string{kind: strconv.FormatInt(BlockSize, 10)}
			err = a.Client.Create(ctx, cm)
			if apierrors.IsAlreadyExists(err) {
				return apierrors.NewConflict(corev1.Resource("configmaps"), ConfigMapName, err)
			}
			return err
		}
		if err != nil {
			return err
		}
		var high int64
		if s, ok := cm.Data[kind]; ok {
			if high, err = strconv.ParseInt(s, 10, 64); err != nil || high < 0 {
				return fmt.Errorf("ConfigMap %s/%s: key %s holds %q, not an id", a.Namespace, ConfigMapName, kind, s)
			}
		}
		if cm.Data == nil {
			cm.Data = map[string]string{}
		}
		first = high + 1
		cm.Data[kind] = strconv.FormatInt(high+BlockSize, 10)
		return a.Client.Update(ctx, cm)
	})
	if err != nil {
		return 0, fmt.Errorf("reserving %s ids: %w", kind, err)
	}
	return first, nil
}
