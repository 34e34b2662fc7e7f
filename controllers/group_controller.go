// Package controllers holds one reconciler per Tessera kind.
package controllers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/metrics"
	"github.com/tessera-dev/tessera/internal/tree"
)

// GroupReconciler keeps each Group's namespace and its place in the tenant tree: it writes the
// shared Forest from the cache, owns and labels the namespace, and reports path, depth, child
// count and the effective lock in status.
type GroupReconciler struct {
	client.Client
	Forest   *tree.Forest
	Recorder events.EventRecorder

	// requeue carries Groups whose derived state changed because another Group changed (a lock,
	// a move, a deletion), so that a whole subtree follows one edit.
	requeue chan event.GenericEvent
}

// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=groups,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=groups/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=groups/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile brings one Group's namespace and status in line with the tree.
func (r *GroupReconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, err error) {
	group := &tenancyv1alpha1.Group{}
	if err := r.Get(ctx, req.NamespacedName, group); err != nil {
		if apierrors.IsNotFound(err) {
			r.enqueue(r.Forest.Remove(req.Name))
			metrics.ForgetGroup(req.Name)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	r.enqueue(without(r.Forest.Set(tree.NodeOf(group)), group.Name))
	if group.DeletionTimestamp != nil {
		return r.finalize(ctx, group)
	}
	if err := addFinalizer(ctx, r.Client, group); err != nil {
		return ctrl.Result{}, err
	}

	// The deferred summary writes status once, only when it changed.
	before := group.DeepCopy()
	defer patchStatusOnReturn(ctx, r.Client, group, before, &err)

	info, _ := r.Forest.Info(group.Name)
	r.summarizeTree(group, info)
	return ctrl.Result{}, r.reportNamespace(ctx, group, info)
}

// reportNamespace ensures the Group's namespace and decides Ready from it and the tree. Ready
// and observedGeneration are written together, whatever the outcome, so that GitOps tools
// never read a Ready decided for an older spec as this one's.
func (r *GroupReconciler) reportNamespace(ctx context.Context, group *tenancyv1alpha1.Group, info tree.Info) error {
	ready, reason, msg := metav1.ConditionTrue, tenancyv1alpha1.ReasonReconciled, ""
	if cerr := r.ensureNamespace(ctx, group, info); cerr != nil {
		var conflict namespaceConflict
		if !errors.As(cerr, &conflict) {
			return cerr
		}
		ready, reason, msg = metav1.ConditionFalse, tenancyv1alpha1.ReasonNamespaceConflict, conflict.Error()
	} else {
		group.Status.Namespace = tenancyv1alpha1.GroupNamespace(group.Name)
		msg = "namespace " + group.Status.Namespace + " is ready"
		if info.Problem != "" {
			ready, reason, msg = metav1.ConditionFalse, tenancyv1alpha1.ReasonTreeProblem, "the Group is halted: "+info.Problem
		}
	}
	setCondition(&group.Status.Conditions, group.Generation, tenancyv1alpha1.ConditionReady, ready, reason, msg)
	group.Status.ObservedGeneration = group.Generation
	return nil
}

// summarizeTree copies the Group's derived tree position and lock into status.
func (r *GroupReconciler) summarizeTree(group *tenancyv1alpha1.Group, info tree.Info) {
	group.Status.Path = info.Path
	group.Status.Depth = int32(info.Depth)
	group.Status.ChildCount = int32(info.Children)
	wasLocked := group.Status.LockedBy != ""
	group.Status.LockedBy = info.LockedBy
	switch {
	case info.LockedBy == group.Name:
		metrics.SetGroupLock(group.Name, metrics.LockOwn)
		setCondition(&group.Status.Conditions, group.Generation, tenancyv1alpha1.ConditionLocked, metav1.ConditionTrue,
			tenancyv1alpha1.ReasonLockEnabled, lockMessage(info))
	case info.LockedBy != "":
		metrics.SetGroupLock(group.Name, metrics.LockInherited)
		setCondition(&group.Status.Conditions, group.Generation, tenancyv1alpha1.ConditionLocked, metav1.ConditionTrue,
			tenancyv1alpha1.ReasonLockedByAncestor, lockMessage(info))
	default:
		metrics.SetGroupLock(group.Name, metrics.LockNone)
		setCondition(&group.Status.Conditions, group.Generation, tenancyv1alpha1.ConditionLocked, metav1.ConditionFalse,
			tenancyv1alpha1.ReasonNotLocked, "no Group at or above this one is locked")
	}
	if r.Recorder != nil && wasLocked != (info.LockedBy != "") {
		if info.LockedBy != "" {
			r.Recorder.Eventf(group, nil, corev1.EventTypeNormal, tenancyv1alpha1.EventReasonLocked, "Lock", "%s", lockMessage(info))
		} else {
			r.Recorder.Eventf(group, nil, corev1.EventTypeNormal, tenancyv1alpha1.EventReasonUnlocked, "Unlock", "the Group is no longer locked")
		}
	}
}

func lockMessage(info tree.Info) string {
	msg := "locked by Group " + info.LockedBy
	if info.LockReason != "" {
		msg += ": " + info.LockReason
	}
	return msg
}

// ensureNamespace creates the Group's namespace or brings its labels up to date. A namespace
// of that name that another owner holds is a conflict, never taken over.
func (r *GroupReconciler) ensureNamespace(ctx context.Context, group *tenancyv1alpha1.Group, info tree.Info) error {
	ns := &corev1.Namespace{}
	ns.Name = tenancyv1alpha1.GroupNamespace(group.Name)
	// The cache holds only namespaces labelled as Tessera's, so NotFound may hide a foreign one:
	// Create then reports AlreadyExists, which is a conflict.
	err := r.Get(ctx, client.ObjectKeyFromObject(ns), ns)
	switch {
	case apierrors.IsNotFound(err):
		ns.Labels = namespaceLabels(group.Name, info, nil)
		if err := controllerutil.SetControllerReference(group, ns, r.Scheme()); err != nil {
			return err
		}
		if err := r.Create(ctx, ns); apierrors.IsAlreadyExists(err) {
			return namespaceConflict{ns.Name}
		} else if err != nil {
			return err
		}
		return nil
	case err != nil:
		return err
	}
	orig := ns.DeepCopy()
	if !metav1.IsControlledBy(ns, group) {
		// A namespace prepared for this Group (GitOps creates namespaces before namespaced
		// objects) is adopted; any other is left alone.
		if ns.Labels[tenancyv1alpha1.LabelGroup] != group.Name || metav1.GetControllerOf(ns) != nil {
			return namespaceConflict{ns.Name}
		}
		if err := controllerutil.SetControllerReference(group, ns, r.Scheme()); err != nil {
			return err
		}
	}
	ns.Labels = namespaceLabels(group.Name, info, ns.Labels)
	if equality.Semantic.DeepEqual(orig, ns) {
		return nil
	}
	return r.Patch(ctx, ns, client.MergeFrom(orig))
}

// namespaceLabels returns the labels a Group's namespace carries: Tessera's own, and one tree
// depth label per ancestor and for the Group itself. Foreign labels in current are kept.
func namespaceLabels(group string, info tree.Info, current map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range current {
		if !strings.HasSuffix(k, tenancyv1alpha1.TreeDepthLabelSuffix) {
			out[k] = v
		}
	}
	out[tenancyv1alpha1.LabelManagedBy] = tenancyv1alpha1.ManagedByValue
	out[tenancyv1alpha1.LabelGroup] = group
	out[tenancyv1alpha1.TreeDepthLabel(group)] = "0"
	for i, ancestor := range info.Path {
		out[tenancyv1alpha1.TreeDepthLabel(ancestor)] = strconv.Itoa(len(info.Path) - i)
	}
	return out
}

type namespaceConflict struct{ name string }

func (c namespaceConflict) Error() string {
	return fmt.Sprintf("namespace %s already exists and does not belong to this Group; to let the Group adopt it, "+
		"label it %s=%s and %s=<group name> and give it no controller", c.name,
		tenancyv1alpha1.LabelManagedBy, tenancyv1alpha1.ManagedByValue, tenancyv1alpha1.LabelGroup)
}

func (r *GroupReconciler) enqueue(names []string) {
	for _, n := range names {
		g := &tenancyv1alpha1.Group{}
		g.Name = n
		r.requeue <- event.GenericEvent{Object: g}
	}
}

func without(names []string, drop string) []string {
	out := names[:0]
	for _, n := range names {
		if n != drop {
			out = append(out, n)
		}
	}
	return out
}

// SetupWithManager registers the reconciler: Groups, their namespaces, and the requeue channel;
// and the start's settling of the Forest (settleForest), which readers of locks wait for.
func (r *GroupReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.requeue = make(chan event.GenericEvent, 1024)
	r.Forest.BeginSettling()
	if err := mgr.Add(leaderRunnable(func(ctx context.Context) error { return settleForest(ctx, r.Client, r.Forest) })); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&tenancyv1alpha1.Group{}).
		Owns(&corev1.Namespace{}).
		WatchesRawSource(source.Channel(r.requeue, &handler.EnqueueRequestForObject{})).
		Complete(r)
}
