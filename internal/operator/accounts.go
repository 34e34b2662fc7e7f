package operator

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/controllers"
	"github.com/tessera-dev/tessera/internal/claims"
	"github.com/tessera-dev/tessera/internal/tree"
)

// setupAccountControllers registers the Account, Account move and Admin reconcilers. The
// Account reconciler reads plaintext password Secrets with the manager's APIReader (the cache
// holds only Tessera's own Secrets) and watches them through a metadata-only cache of its own; a
// deleted Account's claims (login, accountID, id, e-mail login) are released so that they are
// free again at once.
func setupAccountControllers(mgr ctrl.Manager, forest *tree.Forest, idClaims *claims.Claims) error {
	if err := (&controllers.AccountReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Forest:    forest,
		Recorder:  mgr.GetEventRecorder("tessera-account"),
		OnDeleted: func(ctx context.Context, a *tenancyv1alpha1.Account) error {
			return idClaims.ReleaseAll(ctx, a)
		},
	}).SetupWithManager(mgr); err != nil {
		return err
	}
	if err := (&controllers.MoveReconciler{
		Client:   mgr.GetClient(),
		Recorder: mgr.GetEventRecorder("tessera-account-move"),
	}).SetupWithManager(mgr); err != nil {
		return err
	}
	return (&controllers.AdminReconciler{
		Client:   mgr.GetClient(),
		Forest:   forest,
		Recorder: mgr.GetEventRecorder("tessera-admin"),
	}).SetupWithManager(mgr)
}
