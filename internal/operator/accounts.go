package operator

import (
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tessera-dev/tessera/internal/tree"
)

// setupAccountControllers registers the Account and Admin reconcilers.
func setupAccountControllers(mgr ctrl.Manager, forest *tree.Forest, direct client.Client) error {
	return nil
}
