package operator

import (
	"context"
	"errors"
	"net/http"

	"k8s.io/client-go/discovery"
	ctrl "sigs.k8s.io/controller-runtime"

	restserver "github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/rest/luna"
)

// newRESTHandler mounts every documented API on one mux behind the shared middleware.
func newRESTHandler(mgr ctrl.Manager) (http.Handler, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(mgr.GetConfig())
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	(&luna.API{Health: []luna.HealthCheck{
		{Component: "kubernetes_api_server", Check: func(ctx context.Context) error {
			return dc.RESTClient().Get().AbsPath("/readyz").Do(ctx).Error()
		}},
		{Component: "informer_cache", Check: func(ctx context.Context) error {
			if !mgr.GetCache().WaitForCacheSync(ctx) {
				return errors.New("the informer caches have not synced")
			}
			return nil
		}},
	}}).Register(mux)
	return restserver.WithRequestID(mux), nil
}
