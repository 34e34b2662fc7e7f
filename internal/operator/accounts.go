package operator

import (
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tessera-dev/tessera/controllers"
	"github.com/tessera-dev/tessera/internal/tree"
)

// setupAccountControllers registers the Account and Admin reconcilers. The Account reconciler
// reads plaintext password Secrets with the manager's APIReader (the cache holds only Tessera's
// own Secrets) and watches them through a metadata-only cache of its own.
func setupAccountControllers(mgr ctrl.Manager, forest *tree.Forest, direct client.Client) error {
	_ = direct // reserved for releasing login claims from AccountReconciler.OnDeleted
	if err := (&controllers.AccountReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Forest:    forest,
		Recorder:  mgr.GetEventRecorder("tessera-account"),
	}).SetupWithManager(mgr); err != nil {
		return err
	}
	return (&controllers.AdminReconciler{
		Client:   mgr.GetClient(),
		Forest:   forest,
		Recorder: mgr.GetEventRecorder("tessera-admin"),
	}).SetupWithManager(mgr)
}
