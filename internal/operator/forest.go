package operator

import (
	"context"

	toolscache "k8s.io/client-go/tools/cache"
	ctrl "sigs.k8s.io/controller-runtime"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/tree"
)

// mirrorGroups keeps view, the tenant tree that the verifier, the admission webhooks and the
// REST APIs read, in step with the Group informer on every replica. The Group reconciler runs
// on the leader only and keeps a Forest of its own, whose changes tell it which subtree to
// requeue; a follower's tree would otherwise stay empty, and the follower would refuse every
// token and sign-in as "Group not known yet".
func mirrorGroups(mgr ctrl.Manager, view *tree.Forest) error {
	inf, err := mgr.GetCache().GetInformer(context.Background(), &tenancyv1alpha1.Group{})
	if err != nil {
		return err
	}
	set := func(obj any) {
		if g, ok := obj.(*tenancyv1alpha1.Group); ok {
			view.Set(tree.NodeOf(g))
		}
	}
	_, err = inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    set,
		UpdateFunc: func(_, obj any) { set(obj) },
		DeleteFunc: func(obj any) {
			if gone, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
				obj = gone.Obj
			}
			if g, ok := obj.(*tenancyv1alpha1.Group); ok {
				view.Remove(g.Name)
			}
		},
	})
	return err
}
