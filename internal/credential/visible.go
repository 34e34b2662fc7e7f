package credential

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ErrNotVisible reports a write that the replica's cache did not show in time. The write
// happened; what a client reads next on this replica may not show it yet.
var ErrNotVisible = errors.New("written, but not yet visible on this replica")

// ErrReplaced reports that an object just written was deleted and recreated by someone else
// before the cache showed it.
var ErrReplaced = errors.New("replaced by another write")

// VisibleWithin bounds WaitVisible. The informer delivers a write in milliseconds; this is for
// an API server or a replica under heavy load. A variable so that tests can shorten it.
var VisibleWithin = 10 * time.Second

// WaitVisible waits until r (the manager's cache, which the verifier also reads) holds each of
// objs at the resourceVersion it was written at, or a later one. It is how a replica reads its
// own writes: a password answered 204 is the password the next sign-in here is checked
// against. After VisibleWithin it fails with ErrNotVisible rather than pretend.
func WaitVisible(ctx context.Context, r client.Reader, objs ...client.Object) error {
	for _, obj := range objs {
		key, uid, want := client.ObjectKeyFromObject(obj), obj.GetUID(), obj.GetResourceVersion()
		got := obj.DeepCopyObject().(client.Object)
		err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, VisibleWithin, true, func(ctx context.Context) (bool, error) {
			if err := r.Get(ctx, key, got); err != nil {
				return false, client.IgnoreNotFound(err)
			}
			if uid != "" && got.GetUID() != uid {
				return false, fmt.Errorf("%T %s: %w", obj, key, ErrReplaced)
			}
			return atLeast(got.GetResourceVersion(), want), nil
		})
		if wait.Interrupted(err) && ctx.Err() == nil {
			return fmt.Errorf("%T %s: %w", obj, key, ErrNotVisible)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// atLeast reports whether resourceVersion have is want or later. Resource versions are etcd
// revisions in every API server Tessera runs against; were they not numbers, only equality
// would count.
func atLeast(have, want string) bool {
	if have == want {
		return true
	}
	h, err1 := strconv.ParseUint(have, 10, 64)
	w, err2 := strconv.ParseUint(want, 10, 64)
	return err1 == nil && err2 == nil && h >= w
}
