package controllers

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
)

// The kinds read with index.Cache.Stored; only their types are looked at.
var (
	storedAccount   = &tenancyv1alpha1.Account{}
	storedGroup     = &tenancyv1alpha1.Group{}
	storedNamespace = &corev1.Namespace{}
)

// cacheOf is the manager's cache as the index.Cache it must be (operator.NewManager builds it
// with index.NewCache): its lookups and its stored objects.
func cacheOf(mgr ctrl.Manager) (*index.Cache, error) {
	c, ok := mgr.GetCache().(*index.Cache)
	if !ok {
		return nil, fmt.Errorf("the controllers need the manager's cache to be an index.Cache (index.NewCache), not %T", mgr.GetCache())
	}
	return c, nil
}
