package controllers

import (
	"context"
	"maps"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
)

// The REST APIs create an Account with its password as credential.Create describes: the hash
// Secret first (pending, unowned), then the Account. This file finishes what a killed process
// left: it adopts the pending Secret of an Account that exists, and deletes the one of an
// Account that was never created.

// adoptPending makes s, the pending hash Secret acct was created with, acct's own: owner
// reference, fingerprint and no pending mark, in one write at the version checked. It reports
// whether s was adopted.
func (r *AccountReconciler) adoptPending(ctx context.Context, acct *tenancyv1alpha1.Account, s *corev1.Secret) (bool, error) {
	if !credential.Adoptable(acct, s) {
		return false, nil
	}
	orig := s.DeepCopy()
	if err := controllerutil.SetControllerReference(acct, s, r.Scheme()); err != nil {
		return false, err
	}
	ann := maps.Clone(s.Annotations)
	delete(ann, tenancyv1alpha1.AnnotationPendingAccount)
	ann[tenancyv1alpha1.AnnotationPasswordFingerprint] = fingerprint(string(s.Data[credential.HashKey]))
	s.Annotations = ann
	if err := r.Patch(ctx, s, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil {
		return false, err
	}
	return true, nil
}

// dropOrphanHash deletes the pending hash Secret of the Account key when that Account was never
// created: a create killed between its two writes (see credential.Create).
func (r *AccountReconciler) dropOrphanHash(ctx context.Context, key client.ObjectKey) (ctrl.Result, error) {
	s := &corev1.Secret{}
	if err := r.Get(ctx, client.ObjectKey{Namespace: key.Namespace, Name: credential.SecretName(key.Name)}, s); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if s.Annotations[tenancyv1alpha1.AnnotationPendingAccount] != key.Name || metav1.GetControllerOf(s) != nil {
		return ctrl.Result{}, nil
	}
	if now := time.Now(); !credential.Orphaned(s, now) {
		return ctrl.Result{RequeueAfter: credential.OrphanAfter - now.Sub(s.CreationTimestamp.Time) + time.Second}, nil
	}
	// The cache may lag behind the Account's create: only the API server can tell it never came.
	if err := r.APIReader.Get(ctx, key, &tenancyv1alpha1.Account{}); !apierrors.IsNotFound(err) {
		return ctrl.Result{}, err
	}
	if err := r.Delete(ctx, s, client.Preconditions{UID: &s.UID}); client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, err
	}
	logf.FromContext(ctx).Info("deleted the hash Secret of an Account create that did not complete", "secret", s.Name)
	return ctrl.Result{}, nil
}

// accountOfHashSecret maps a hash Secret, owned or still pending, to its Account.
func accountOfHashSecret(_ context.Context, o client.Object) []reconcile.Request {
	name := credential.AccountOf(o)
	if name == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: o.GetNamespace(), Name: name}}}
}
