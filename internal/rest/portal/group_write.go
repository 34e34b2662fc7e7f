package portal

import (
	"context"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
)

// writeRetry is how often a write retries a conflict: the controller writes status, which
// moves the resourceVersion the cache's copy was read at, until the cache catches up.
var writeRetry = wait.Backoff{Steps: 12, Duration: 10 * time.Millisecond, Factor: 1.5, Jitter: 0.1}

// updateGroup changes the Group of r's {group} path, g as the handler read it: change turns
// next, a copy of g, into what the request wants, or refuses. On a conflict both are read
// anew (by the path) and change is asked again, so its checks (rights, locks, versions) see
// what is written. See writeGroup.
func (a *API) updateGroup(r *http.Request, g *tenancyv1alpha1.Group, change func(g, next *tenancyv1alpha1.Group) error) (*tenancyv1alpha1.Group, error) {
	read := func() (*tenancyv1alpha1.Group, error) {
		if first := g; first != nil {
			g = nil
			return first, nil
		}
		return a.groupByRef(r.Context(), r.PathValue("group"))
	}
	return a.writeGroup(r.Context(), read, change)
}

// changeGroup applies change to a copy of the Group named name as the cache has it (read anew
// on each conflict). See writeGroup.
func (a *API) changeGroup(ctx context.Context, name string, change func(*tenancyv1alpha1.Group) error) (*tenancyv1alpha1.Group, error) {
	read := func() (*tenancyv1alpha1.Group, error) {
		g := &tenancyv1alpha1.Group{}
		return g, a.Client.Get(ctx, client.ObjectKey{Name: name}, g)
	}
	return a.writeGroup(ctx, read, func(_, next *tenancyv1alpha1.Group) error { return change(next) })
}

// writeGroup is the one way a Group is written: read it, let change turn a copy into what is
// wanted (or refuse), write it when its spec changed, and on a conflict do it all again. The
// answer waits until this replica's cache shows the result, which it returns.
func (a *API) writeGroup(ctx context.Context, read func() (*tenancyv1alpha1.Group, error),
	change func(g, next *tenancyv1alpha1.Group) error) (*tenancyv1alpha1.Group, error) {
	var next *tenancyv1alpha1.Group
	err := retry.RetryOnConflict(writeRetry, func() error {
		g, err := read()
		if err != nil {
			return err
		}
		next = g.DeepCopy()
		if err := change(g, next); err != nil {
			return err
		}
		if equality.Semantic.DeepEqual(g.Spec, next.Spec) {
			return nil
		}
		return a.Client.Update(ctx, next)
	})
	if err != nil {
		return nil, err
	}
	return next, credential.WaitVisible(ctx, a.Client, next)
}
