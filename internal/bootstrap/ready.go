package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/tree"
)

// Readiness reports whether this process can serve what the bootstrap promises: the caches have
// synced, the tenant tree (which the verifier reads) knows the root Group, and — when a bootstrap
// administrator is configured — its Account, password hash Secret and Admin grant are in the
// cache, so that a sign-in with it succeeds at once. It reads what the cache holds rather than
// whether this replica ran the bootstrap, so replicas that are not the leader turn ready too.
// Once ready it stays ready: a later deletion of the administrator is not a startup problem.
type Readiness struct {
	// Cache is the manager's cached reader; Synced reports whether its informers have synced
	// (the manager cache's WaitForCacheSync).
	Cache  client.Reader
	Synced func(ctx context.Context) bool
	// Forest is the tree the Group reconciler fills from the cache.
	Forest *tree.Forest
	// Admin is whether a bootstrap administrator is configured.
	Admin bool

	ready atomic.Bool
}

// Check returns nil once ready, else what is still missing.
func (r *Readiness) Check(ctx context.Context) error {
	if r.ready.Load() {
		return nil
	}
	// Reads of an unsynced cache block until it syncs: ask for the sync first, briefly.
	syncCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	synced := r.Synced(syncCtx)
	cancel()
	if !synced {
		return errors.New("the informer caches have not synced yet")
	}
	if _, ok := r.Forest.Get(tenancyv1alpha1.RootGroupName); !ok {
		return fmt.Errorf("the root Group %s is not in the tenant tree yet", tenancyv1alpha1.RootGroupName)
	}
	if r.Admin {
		ns := tenancyv1alpha1.GroupNamespace(tenancyv1alpha1.RootGroupName)
		for _, o := range []struct {
			what string
			obj  client.Object
			key  string
		}{
			{"Account", &tenancyv1alpha1.Account{}, AdminName},
			{"password hash Secret", &corev1.Secret{}, credential.SecretName(AdminName)},
			{"Admin grant", &tenancyv1alpha1.Admin{}, AdminName},
		} {
			err := r.Cache.Get(ctx, client.ObjectKey{Namespace: ns, Name: o.key}, o.obj)
			if apierrors.IsNotFound(err) {
				return fmt.Errorf("the bootstrap administrator's %s %s/%s is not in the cache yet", o.what, ns, o.key)
			}
			if err != nil {
				return err
			}
		}
	}
	r.ready.Store(true)
	return nil
}

// Checker adapts Check to a healthz check for the manager's /readyz.
func (r *Readiness) Checker(req *http.Request) error {
	ctx := context.Background()
	if req != nil {
		ctx = req.Context()
	}
	return r.Check(ctx)
}
