package portal

import (
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
)

// writeRetry is how often a write retries a conflict: the controller writes status, which
// moves the resourceVersion the cache's copy was read at, until the cache catches up.
var writeRetry = wait.Backoff{Steps: 12, Duration: 10 * time.Millisecond, Factor: 1.5, Jitter: 0.1}

// updateGroup changes the Group of r's {group} path, g as the handler read it: change turns
// next, a copy of g, into what the request wants, or refuses. On a conflict both are read
// anew and change is asked again, so its checks (rights, locks, versions) see what is
// written. A spec left as it was writes nothing. The answer waits until this replica's cache
// shows the result, which it returns.
func (a *API) updateGroup(r *http.Request, g *tenancyv1alpha1.Group, change func(g, next *tenancyv1alpha1.Group) error) (*tenancyv1alpha1.Group, error) {
	ctx := r.Context()
	var next *tenancyv1alpha1.Group
	err := retry.RetryOnConflict(writeRetry, func() error {
		if next != nil { // a retry: read again
			var err error
			if g, err = a.groupByRef(ctx, r.PathValue("group")); err != nil {
				return err
			}
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
