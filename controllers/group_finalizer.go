package controllers

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// finalize deletes, in order, the Group's child Groups and the Accounts, Tokens and Admins in its
// namespace, waits for them to go, then deletes the namespace and releases the Group. Admission
// lets a deletion through only when nothing is below the Group or cascade was asked for.
func (r *GroupReconciler) finalize(ctx context.Context, group *tenancyv1alpha1.Group) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(group, tenancyv1alpha1.CleanupFinalizer) {
		return ctrl.Result{}, nil
	}
	ns := tenancyv1alpha1.GroupNamespace(group.Name)
	remaining := 0
	for _, child := range r.Forest.Children(group.Name) {
		remaining++
		g := &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: child}}
		if err := r.Delete(ctx, g); client.IgnoreNotFound(err) != nil {
			return ctrl.Result{}, err
		}
	}
	for _, list := range []client.ObjectList{&tenancyv1alpha1.AccountList{}, &tenancyv1alpha1.TokenList{}, &tenancyv1alpha1.AdminList{}} {
		if err := r.List(ctx, list, client.InNamespace(ns)); err != nil {
			return ctrl.Result{}, err
		}
		items, err := meta.ExtractList(list)
		if err != nil {
			return ctrl.Result{}, err
		}
		for _, item := range items {
			obj := item.(client.Object)
			remaining++
			if obj.GetDeletionTimestamp() == nil {
				if err := r.Delete(ctx, obj); client.IgnoreNotFound(err) != nil {
					return ctrl.Result{}, err
				}
			}
		}
	}
	if remaining > 0 {
		return ctrl.Result{RequeueAfter: childrenRequeue}, nil
	}
	nsObj := &corev1.Namespace{}
	if err := r.Get(ctx, client.ObjectKey{Name: ns}, nsObj); err == nil && metav1.IsControlledBy(nsObj, group) && nsObj.DeletionTimestamp == nil {
		if err := r.Delete(ctx, nsObj); client.IgnoreNotFound(err) != nil {
			return ctrl.Result{}, err
		}
	} else if err != nil && !apierrors.IsNotFound(err) {
		return ctrl.Result{}, err
	}
	if r.Recorder != nil {
		r.Recorder.Eventf(group, nil, corev1.EventTypeNormal, tenancyv1alpha1.EventReasonDeleted, "Delete", "namespace %s and everything in it were deleted", ns)
	}
	patch := client.MergeFrom(group.DeepCopy())
	controllerutil.RemoveFinalizer(group, tenancyv1alpha1.CleanupFinalizer)
	return ctrl.Result{}, r.Patch(ctx, group, patch)
}
