package controllers

import (
	"context"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/tree"
)

// settlePoll is how often settleForest looks whether the Group reconciler has placed the Groups
// it waits for; a start with a handful of Groups settles within one or two looks.
const settlePoll = 50 * time.Millisecond

// settleForest settles forest once each Group the cache held when it began is placed in it
// (the Group reconciler's first step) or gone from the cache. Until then the Account, Admin and
// Token reconcilers wait in their lock lookups, so a restart never reports a Group under a
// locked ancestor as unlocked, and the Groups' start events need not enqueue their subtrees.
func settleForest(ctx context.Context, c client.Reader, forest *tree.Forest) error {
	log := ctrl.Log.WithName("tenant-tree")
	began := time.Now()
	groups := &tenancyv1alpha1.GroupList{}
	if err := c.List(ctx, groups, client.UnsafeDisableDeepCopy); err != nil {
		return ctxErrOrNil(ctx, err)
	}
	waiting := make([]string, 0, len(groups.Items))
	for i := range groups.Items {
		waiting = append(waiting, groups.Items[i].Name)
	}
	err := wait.PollUntilContextCancel(ctx, settlePoll, true, func(ctx context.Context) (bool, error) {
		waiting = slices.DeleteFunc(waiting, func(name string) bool {
			if _, placed := forest.Get(name); placed {
				return true
			}
			return apierrors.IsNotFound(c.Get(ctx, client.ObjectKey{Name: name}, &tenancyv1alpha1.Group{}))
		})
		return len(waiting) == 0, nil
	})
	if err != nil {
		return ctxErrOrNil(ctx, err)
	}
	forest.Settle()
	log.Info("the tenant tree holds every Group", "groups", len(groups.Items), "after", time.Since(began).String())
	return nil
}

// ctxErrOrNil returns nil when ctx has ended (the manager stops: not a failure), err otherwise.
func ctxErrOrNil(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
