package controllers

import (
	"context"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/tree"
)

// tenantGroup is what an object in a Group's namespace learns about that Group.
type tenantGroup struct {
	// Name is the Group; empty when missing.
	Name string
	// Group is the cache's own Group, to read and never write; nil when missing.
	Group *tenancyv1alpha1.Group
	// Info is the Group's place in the Forest, with its effective lock.
	Info tree.Info
	// Missing says why the namespace belongs to no Group; empty when it does.
	Missing string
	// Pending is true when the Group exists but the Forest does not know it yet (the Group
	// reconciler has not seen it): the caller should look again shortly rather than report.
	Pending bool
}

// resolveTenantGroup finds the Group that owns namespace: the namespace must be named
// tessera-<group>, be labelled as that Group's, and the Group must exist. Everything is read
// from the cache and the Forest, once the Forest is settled after a start.
func resolveTenantGroup(ctx context.Context, c *index.Cache, forest *tree.Forest, namespace string) (tenantGroup, error) {
	name, ok := strings.CutPrefix(namespace, tenancyv1alpha1.GroupNamespacePrefix)
	if !ok || name == "" {
		return tenantGroup{Missing: "namespace " + namespace + " belongs to no Group (a Group's namespace is " +
			tenancyv1alpha1.GroupNamespacePrefix + "<group>)"}, nil
	}
	// The cache holds only Tessera's namespaces, so a foreign namespace of that name is NotFound.
	// Both reads are the cache's own objects, never written nor even copied: every Account and
	// Admin reconcile resolves its Group, and copies of a Group and a namespace were a fifth of
	// what a start's reconciles allocated (and, without a deep copy, still a tenth).
	ns, err := c.Stored(ctx, storedNamespace, client.ObjectKey{Name: namespace})
	if apierrors.IsNotFound(err) {
		return tenantGroup{Missing: "namespace " + namespace + " is not the namespace of a Group"}, nil
	} else if err != nil {
		return tenantGroup{}, err
	}
	if ns.GetLabels()[tenancyv1alpha1.LabelGroup] != name {
		return tenantGroup{Missing: "namespace " + namespace + " is not labelled as Group " + name + "'s"}, nil
	}
	stored, err := c.Stored(ctx, storedGroup, client.ObjectKey{Name: name})
	if apierrors.IsNotFound(err) {
		return tenantGroup{Missing: "Group " + name + " does not exist"}, nil
	} else if err != nil {
		return tenantGroup{}, err
	}
	g := stored.(*tenancyv1alpha1.Group)
	if err := forest.WaitSettled(ctx); err != nil {
		return tenantGroup{}, err
	}
	info, known := forest.Info(name)
	return tenantGroup{Name: name, Group: g, Info: info, Pending: !known}, nil
}

// setLocked reports the effective lock of the object's Group in the Locked condition and
// returns the locking Group ("" when none).
func setLocked(conds *[]metav1.Condition, generation int64, g tenantGroup) string {
	switch {
	case g.Missing != "":
		setCondition(conds, generation, tenancyv1alpha1.ConditionLocked, metav1.ConditionUnknown,
			tenancyv1alpha1.ReasonGroupMissing, g.Missing)
		return ""
	case g.Info.LockedBy != "":
		setCondition(conds, generation, tenancyv1alpha1.ConditionLocked, metav1.ConditionTrue,
			tenancyv1alpha1.ReasonGroupLocked, lockMessage(g.Info))
		return g.Info.LockedBy
	default:
		setCondition(conds, generation, tenancyv1alpha1.ConditionLocked, metav1.ConditionFalse,
			tenancyv1alpha1.ReasonNotLocked, "no Group at or above Group "+g.Name+" is locked")
		return ""
	}
}

// enqueueGroupSubtree returns a handler that maps a Group event to the objects, found by list,
// in the namespaces of that Group and of every Group below it. Updates that change nothing an
// object below derives from the Group are ignored, so that, say, a new child of the root does
// not requeue every object in the tree. When the Forest has not caught up with the event yet,
// the objects are enqueued once more a little later; the Group's own status update, written
// after the Forest, enqueues them too. The start's replay of every Group passes by: For enqueues
// each object anyway, and reconciles read the tree only once it is settled (tree.WaitSettled),
// so 100,000 Accounts are not mapped and queued a second time.
func enqueueGroupSubtree(forest *tree.Forest, list func(ctx context.Context, namespace string) []reconcile.Request) handler.EventHandler {
	add := func(ctx context.Context, obj client.Object, q workqueue.TypedRateLimitingInterface[reconcile.Request], deleted bool) {
		g, ok := obj.(*tenancyv1alpha1.Group)
		if !ok {
			return
		}
		again := deleted || forestBehind(forest, g)
		for _, name := range append([]string{g.Name}, forest.Descendants(g.Name)...) {
			for _, req := range list(ctx, tenancyv1alpha1.GroupNamespace(name)) {
				q.Add(req)
				if again {
					q.AddAfter(req, treeSettleDelay)
				}
			}
		}
	}
	return handler.Funcs{
		CreateFunc: func(ctx context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			if e.IsInInitialList {
				return // For enqueues every object at start, and its reconcile waits for the settled tree
			}
			add(ctx, e.Object, q, false)
		},
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			oldG, ok1 := e.ObjectOld.(*tenancyv1alpha1.Group)
			newG, ok2 := e.ObjectNew.(*tenancyv1alpha1.Group)
			if ok1 && ok2 && !groupChangeMatters(oldG, newG) {
				return
			}
			add(ctx, e.ObjectNew, q, false)
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			add(ctx, e.Object, q, true)
		},
		GenericFunc: func(ctx context.Context, e event.GenericEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			add(ctx, e.Object, q, false)
		},
	}
}

// groupChangeMatters reports whether a Group update changes what the objects in its subtree
// derive from it: its kind, parent or lock, its effective lock, or its namespace.
func groupChangeMatters(oldG, newG *tenancyv1alpha1.Group) bool {
	lockCond := func(g *tenancyv1alpha1.Group) metav1.Condition {
		if c := meta.FindStatusCondition(g.Status.Conditions, tenancyv1alpha1.ConditionLocked); c != nil {
			return metav1.Condition{Status: c.Status, Reason: c.Reason, Message: c.Message}
		}
		return metav1.Condition{}
	}
	return oldG.Spec.Kind != newG.Spec.Kind || oldG.Spec.Parent != newG.Spec.Parent ||
		oldG.Spec.Lock != newG.Spec.Lock || oldG.Status.LockedBy != newG.Status.LockedBy ||
		oldG.Status.Namespace != newG.Status.Namespace || lockCond(oldG) != lockCond(newG) ||
		!oldG.DeletionTimestamp.Equal(newG.DeletionTimestamp)
}

// forestBehind reports whether the Forest does not yet reflect what g says of itself.
func forestBehind(forest *tree.Forest, g *tenancyv1alpha1.Group) bool {
	n, ok := forest.Get(g.Name)
	if !ok {
		return true
	}
	return n.Parent != g.Spec.Parent || n.Kind != int32(g.Spec.Kind) ||
		n.Locked != g.Spec.Lock.Enabled || n.LockReason != g.Spec.Lock.Reason
}
