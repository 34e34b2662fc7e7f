package controllers

import (
	"context"
	"fmt"
	"maps"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
)

// MoveGrace is how long a move record waits for its Group to appear (the REST handler creates
// it right after the record) before the move is rolled back. A variable so that tests can
// shorten it.
var MoveGrace = time.Minute

// MoveReconciler carries out Account moves (credential.RequestMove): it saves the Account and
// its hash into the record, deletes the Account, recreates it in the business Group's namespace
// with the same login, ids, profile and hash, grants the Admin the record asks for, and deletes
// the record. Every step looks at what exists first, so a process killed at any point finishes
// the move when it starts again; if the Group never came or went away, the Account is recreated
// where it was instead (rolled back, same ids).
type MoveReconciler struct {
	// Client is the manager's cached client.
	client.Client
	// APIReader reads the Accounts concerned: a move decides on their existence, which the
	// cache may not show yet.
	APIReader client.Reader
	Recorder  events.EventRecorder
}

// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=accounts;admins,verbs=get;list;watch;create;delete
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update;delete

// moveRoot is the only namespace whose move records are honoured (see credential/move.go).
var moveRoot = tenancyv1alpha1.GroupNamespace(tenancyv1alpha1.RootGroupName)

// Reconcile takes one move record a step or more further.
func (r *MoveReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	rec := &corev1.Secret{}
	if err := r.Get(ctx, req.NamespacedName, rec); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	name := rec.Labels[tenancyv1alpha1.LabelMoveOf]
	if name == "" || rec.Name != credential.MoveRecordName(name) || rec.Namespace != moveRoot || !rec.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	m, hash, err := credential.ReadMove(rec)
	if err != nil {
		return r.finish(ctx, rec, nil, err.Error())
	}
	g := &tenancyv1alpha1.Group{}
	gerr := r.Get(ctx, client.ObjectKey{Name: m.Group}, g)
	if client.IgnoreNotFound(gerr) != nil {
		return ctrl.Result{}, gerr
	}
	// Only a business Group made for this move: another of that name must not receive it.
	usable := gerr == nil && g.DeletionTimestamp.IsZero() && g.Annotations[tenancyv1alpha1.AnnotationMoveIn] == string(m.UID) &&
		g.Spec.Parent == tenancyv1alpha1.RootGroupName && g.Spec.Kind == tenancyv1alpha1.GroupKindEndUserCompany

	src := &tenancyv1alpha1.Account{}
	if err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: rec.Namespace, Name: name}, src); client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, err
	} else if err == nil && src.UID == m.UID {
		if !src.DeletionTimestamp.IsZero() {
			return ctrl.Result{RequeueAfter: moveRequeue}, nil // its finalizer is at work
		}
		if !usable && apierrors.IsNotFound(gerr) && time.Since(rec.CreationTimestamp.Time) < MoveGrace {
			return ctrl.Result{RequeueAfter: MoveGrace - time.Since(rec.CreationTimestamp.Time)}, nil
		}
		if !usable {
			return r.finish(ctx, rec, src, fmt.Sprintf("Group %s is not a business Group made for this move: the move is rolled back", m.Group))
		}
		return r.leave(ctx, rec, m, src)
	}
	if m.Account == nil {
		// Nothing was saved, so the move deleted nothing: the Account went by other means.
		return r.finish(ctx, rec, nil, "")
	}
	if !usable {
		// The Account is gone and its Group too: put it back where it was.
		return r.arrive(ctx, rec, m, hash, rec.Namespace, false)
	}
	return r.arrive(ctx, rec, m, hash, tenancyv1alpha1.GroupNamespace(m.Group), true)
}

// leave saves src and its hash into the record (again, if src changed since), then deletes
// src at exactly the saved version.
func (r *MoveReconciler) leave(ctx context.Context, rec *corev1.Secret, m *credential.Move, src *tenancyv1alpha1.Account) (ctrl.Result, error) {
	// The Account is recreated as soon as it is gone, so the namespace it goes to comes first.
	ns := &corev1.Namespace{}
	if err := r.Get(ctx, client.ObjectKey{Name: tenancyv1alpha1.GroupNamespace(m.Group)}, ns); apierrors.IsNotFound(err) {
		return ctrl.Result{RequeueAfter: moveRequeue}, nil
	} else if err != nil {
		return ctrl.Result{}, err
	}
	if m.Account == nil || m.Account.ResourceVersion != src.ResourceVersion {
		if held, err := credential.Held(ctx, r.APIReader, src); err != nil {
			return ctrl.Result{}, err
		} else if held != "" {
			return r.finish(ctx, rec, src, "the Account holds "+held+", which moving it would delete: the move is rolled back")
		}
		hs := &corev1.Secret{}
		if err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: src.Namespace, Name: credential.SecretName(src.Name)}, hs); apierrors.IsNotFound(err) {
			return r.finish(ctx, rec, src, "the Account has no password hash to move: the move is rolled back")
		} else if err != nil {
			return ctrl.Result{}, err
		}
		m.Account = &credential.MovedAccount{ResourceVersion: src.ResourceVersion,
			Labels: src.Labels, Annotations: src.Annotations, Spec: src.Spec}
		if err := credential.SetMove(rec, m, string(hs.Data[credential.HashKey])); err != nil {
			return ctrl.Result{}, err
		}
		if err := r.Update(ctx, rec); apierrors.IsConflict(err) {
			return ctrl.Result{RequeueAfter: conflictRequeue}, nil
		} else if err != nil {
			return ctrl.Result{}, err
		}
	}
	rv := m.Account.ResourceVersion
	if err := r.Delete(ctx, src, client.Preconditions{UID: &src.UID, ResourceVersion: &rv}); apierrors.IsConflict(err) {
		return ctrl.Result{RequeueAfter: conflictRequeue}, nil // changed since saved: save again
	} else if client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: moveRequeue}, nil
}

// arrive recreates the saved Account in namespace, gives it the saved hash and, when it moved
// into its Group, the Admin grant the record asks for; then the record goes.
func (r *MoveReconciler) arrive(ctx context.Context, rec *corev1.Secret, m *credential.Move, hash, namespace string, moved bool) (ctrl.Result, error) {
	saved := m.Account
	name := rec.Labels[tenancyv1alpha1.LabelMoveOf]
	dst := &tenancyv1alpha1.Account{}
	err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, dst)
	switch {
	case apierrors.IsNotFound(err):
		ann := maps.Clone(saved.Annotations)
		delete(ann, tenancyv1alpha1.AnnotationInitialPasswordFingerprint)
		dst = &tenancyv1alpha1.Account{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: saved.Labels, Annotations: ann},
			Spec:       *saved.Spec.DeepCopy(),
		}
		if moved {
			dst.Spec.PasswordSecretRef = nil // it names a Secret of the old namespace; the hash moves
		}
		if err := r.Create(ctx, dst); apierrors.IsAlreadyExists(err) {
			return ctrl.Result{RequeueAfter: moveRequeue}, nil
		} else if err != nil {
			// The login or an id was taken in the instant it was free: keep the record, retry.
			return ctrl.Result{}, fmt.Errorf("recreating moved Account %s/%s: %w", namespace, name, err)
		}
	case err != nil:
		return ctrl.Result{}, err
	case dst.Spec.AccountID != saved.Spec.AccountID:
		return ctrl.Result{}, fmt.Errorf("moving Account %s: %s/%s exists and is another Account", name, namespace, name)
	}
	if hash != "" {
		if _, err := credential.StoreHash(ctx, r.Client, dst, hash); err != nil {
			return ctrl.Result{}, err
		}
	}
	if moved && m.Grant != 0 {
		adm := &tenancyv1alpha1.Admin{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
			Spec:       tenancyv1alpha1.AdminSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: name}, AccessType: m.Grant},
		}
		if err := r.Create(ctx, adm); err != nil && !apierrors.IsAlreadyExists(err) {
			return ctrl.Result{}, err
		}
	}
	why := ""
	if !moved {
		why = fmt.Sprintf("Group %s is gone: the Account is back in %s", m.Group, namespace)
	}
	return r.finish(ctx, rec, dst, why)
}

// finish deletes the record and reports on about (when known): the move done when why is
// empty, else why it was rolled back.
func (r *MoveReconciler) finish(ctx context.Context, rec *corev1.Secret, about *tenancyv1alpha1.Account, why string) (ctrl.Result, error) {
	if err := r.Delete(ctx, rec, client.Preconditions{UID: &rec.UID}); client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, err
	}
	logf.FromContext(ctx).Info("account move finished", "account", rec.Labels[tenancyv1alpha1.LabelMoveOf], "rolledBack", why)
	if r.Recorder != nil && about != nil {
		if why == "" {
			r.Recorder.Eventf(about, nil, corev1.EventTypeNormal, tenancyv1alpha1.EventReasonMoved, "Move", "moved into namespace %s", about.Namespace)
		} else {
			r.Recorder.Eventf(about, nil, corev1.EventTypeWarning, tenancyv1alpha1.EventReasonMoveRolledBack, "Move", "%s", why)
		}
	}
	return ctrl.Result{}, nil
}

// SetupWithManager registers the reconciler: move records, and the deletion of Accounts in the
// root namespace (a moving Account's finalizer done, it is recreated at once).
func (r *MoveReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.APIReader == nil {
		r.APIReader = mgr.GetAPIReader()
	}
	records := predicate.NewPredicateFuncs(func(o client.Object) bool { return o.GetLabels()[tenancyv1alpha1.LabelMoveOf] != "" })
	rootDeletions := predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		UpdateFunc:  func(event.UpdateEvent) bool { return false },
		DeleteFunc:  func(e event.DeleteEvent) bool { return e.Object.GetNamespace() == moveRoot },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
	// Both watches look through kinds of 100,000 objects for a handful of records: early
	// watches (a For would replay every Secret at each start).
	c := mgr.GetCache()
	recordSecrets, err := watchEarly(c, client.Object(&corev1.Secret{}), &handler.EnqueueRequestForObject{}, records)
	if err != nil {
		return err
	}
	rootAccountsGone, err := watchEarly(c, client.Object(&tenancyv1alpha1.Account{}),
		handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
			return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: o.GetNamespace(), Name: credential.MoveRecordName(o.GetName())}}}
		}), rootDeletions)
	if err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("account-move").
		WatchesRawSource(recordSecrets).
		WatchesRawSource(rootAccountsGone).
		// The record is written before its Group: the Group's arrival (or departure) moves it on.
		Watches(&tenancyv1alpha1.Group{}, handler.EnqueueRequestsFromMapFunc(r.recordsOfGroup), builder.WithPredicates(groupComings)).
		Complete(r)
}

// groupComings passes the creation and deletion of Groups.
var groupComings = predicate.Funcs{
	CreateFunc:  func(event.CreateEvent) bool { return true },
	UpdateFunc:  func(event.UpdateEvent) bool { return false },
	DeleteFunc:  func(event.DeleteEvent) bool { return true },
	GenericFunc: func(event.GenericEvent) bool { return false },
}

// recordsOfGroup maps a Group to the move records that name it (there are few records: one per
// move under way).
func (r *MoveReconciler) recordsOfGroup(ctx context.Context, g client.Object) []reconcile.Request {
	list := &corev1.SecretList{}
	if err := r.List(ctx, list, client.InNamespace(moveRoot), client.HasLabels{tenancyv1alpha1.LabelMoveOf}); err != nil {
		logf.FromContext(ctx).Error(err, "listing move records")
		return nil
	}
	var out []reconcile.Request
	for i := range list.Items {
		if m, _, err := credential.ReadMove(&list.Items[i]); err == nil && m.Group == g.GetName() {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
		}
	}
	return out
}
