package operator

import (
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/tessera-dev/tessera/controllers"
	"github.com/tessera-dev/tessera/internal/keys"
	"github.com/tessera-dev/tessera/internal/tree"
)

// setupTokens registers the signing-key Manager (leader) and Loader (every replica), the Token
// reconciler and the pruner of retired keys.
func setupTokens(mgr ctrl.Manager, forest *tree.Forest, store *keys.Store, o Options) error {
	km := &keys.Manager{Client: mgr.GetClient(), Namespace: o.Namespace, Store: store,
		Algorithm: o.SigningAlgorithm, RotationPeriod: o.KeyRotationPeriod}
	for _, r := range []manager.Runnable{
		km,
		&keys.Loader{Client: mgr.GetClient(), Namespace: o.Namespace, Store: store},
		&controllers.KeyPruner{Client: mgr.GetClient(), Manager: km, Keys: store},
	} {
		if err := mgr.Add(r); err != nil {
			return err
		}
	}
	return (&controllers.TokenReconciler{
		Client: mgr.GetClient(), Keys: store, Forest: forest, Issuer: o.Issuer,
		Recorder: mgr.GetEventRecorder("tessera-token"),
	}).SetupWithManager(mgr)
}
