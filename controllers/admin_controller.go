package controllers

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/tree"
)

// AdminReconciler reports an Admin's Group, its Account's id, the portal role that follows
// from the Group's kind and the access type, and the effective lock.
type AdminReconciler struct {
	// Client is the manager's cached client.
	client.Client
	// Forest is the tenant tree, for the effective lock.
	Forest   *tree.Forest
	Recorder events.EventRecorder

	// stored is the manager's cache, read without copies.
	stored *index.Cache
}

// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=admins,verbs=get;list;watch
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=admins/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=accounts;groups,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch

// Reconcile brings one Admin's status in line with its Account and Group.
func (r *AdminReconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, err error) {
	adm := &tenancyv1alpha1.Admin{}
	if err := r.Get(ctx, req.NamespacedName, adm); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !adm.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	g, err := resolveTenantGroup(ctx, r.stored, r.Forest, adm.Namespace)
	if err != nil {
		return ctrl.Result{}, err
	}
	if g.Pending {
		return ctrl.Result{RequeueAfter: treeSettleDelay}, nil
	}
	acct := &tenancyv1alpha1.Account{}
	err = r.Get(ctx, client.ObjectKey{Namespace: adm.Namespace, Name: adm.Spec.AccountRef.Name}, acct)
	if apierrors.IsNotFound(err) {
		acct = nil
	} else if err != nil {
		return ctrl.Result{}, err
	}

	before := adm.DeepCopy()
	defer patchStatusOnReturn(ctx, r.Client, adm, before, &err)

	summarizeAdmin(adm, g, acct)
	return reportAdminReady(adm, g, acct), nil
}

// summarizeAdmin reports the Admin's Group, effective lock, portal role and Account id.
// Derived values are reported only from what exists: a missing input clears them.
func summarizeAdmin(adm *tenancyv1alpha1.Admin, g tenantGroup, acct *tenancyv1alpha1.Account) {
	adm.Status.ObservedGeneration = adm.Generation
	adm.Status.Group = g.Name
	setLocked(&adm.Status.Conditions, adm.Generation, g)
	adm.Status.Role = ""
	if g.Group != nil {
		access := adm.Spec.AccessType
		if access == 0 {
			access = tenancyv1alpha1.AccessFull // the schema default, for objects stored before it
		}
		adm.Status.Role, _ = tenancyv1alpha1.GroupAdminRole(g.Group.Name, g.Group.Spec.Kind, access)
	}
	adm.Status.AccountID = ""
	if acct != nil {
		adm.Status.AccountID = acct.Spec.AccountID
	}
}

// reportAdminReady decides Ready from the Group, the Account (nil when missing) and the role,
// and when to look again.
func reportAdminReady(adm *tenancyv1alpha1.Admin, g tenantGroup, acct *tenancyv1alpha1.Account) ctrl.Result {
	ready := func(status metav1.ConditionStatus, reason, msg string) {
		setCondition(&adm.Status.Conditions, adm.Generation, tenancyv1alpha1.ConditionReady, status, reason, msg)
	}
	switch {
	case g.Missing != "":
		ready(metav1.ConditionFalse, tenancyv1alpha1.ReasonGroupMissing, g.Missing)
	case acct == nil:
		ready(metav1.ConditionFalse, tenancyv1alpha1.ReasonAccountMissing, "Account "+adm.Spec.AccountRef.Name+" does not exist in namespace "+adm.Namespace)
	case acct.Spec.AccountID == "":
		ready(metav1.ConditionFalse, tenancyv1alpha1.ReasonAccountIDMissing, "Account "+acct.Name+" has no accountID yet")
	case adm.Status.Role == "":
		ready(metav1.ConditionFalse, tenancyv1alpha1.ReasonUnknownGroupKind, fmt.Sprintf("Group %s has kind %d, which grants no portal role", g.Name, g.Group.Spec.Kind))
	default:
		ready(metav1.ConditionTrue, tenancyv1alpha1.ReasonGranted, "Account "+acct.Name+" is "+string(adm.Status.Role)+" of Group "+g.Name)
		return ctrl.Result{}
	}
	return ctrl.Result{RequeueAfter: missingRequeue}
}

// SetupWithManager registers the reconciler: Admins, the Accounts they name (created or
// deleted) and Groups (kind and locks).
func (r *AdminReconciler) SetupWithManager(mgr ctrl.Manager) error {
	var err error
	if r.stored, err = cacheOf(mgr); err != nil {
		return err
	}
	accountChanges := predicate.Funcs{
		CreateFunc: func(event.CreateEvent) bool { return true },
		UpdateFunc: func(e event.UpdateEvent) bool {
			o, ok1 := e.ObjectOld.(*tenancyv1alpha1.Account)
			n, ok2 := e.ObjectNew.(*tenancyv1alpha1.Account)
			return !ok1 || !ok2 || o.Spec.AccountID != n.Spec.AccountID
		},
		DeleteFunc:  func(event.DeleteEvent) bool { return true },
		GenericFunc: func(event.GenericEvent) bool { return true },
	}
	adminsIn, err := requestsInNamespace(mgr, &tenancyv1alpha1.Admin{})
	if err != nil {
		return err
	}
	accounts, err := watchEarly(mgr.GetCache(), client.Object(&tenancyv1alpha1.Account{}),
		handler.EnqueueRequestsFromMapFunc(r.adminsOfAccount), accountChanges, afterInitialList)
	if err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&tenancyv1alpha1.Admin{}).
		Named("admin").
		WatchesRawSource(accounts).
		Watches(&tenancyv1alpha1.Group{}, enqueueGroupSubtree(r.Forest, adminsIn)).
		Complete(r)
}

// adminsOfAccount maps an Account to the Admins that name it.
func (r *AdminReconciler) adminsOfAccount(ctx context.Context, o client.Object) []reconcile.Request {
	list := &tenancyv1alpha1.AdminList{}
	if err := r.List(ctx, list, client.InNamespace(o.GetNamespace()), client.MatchingFields{index.AdminAccount: o.GetName()},
		client.UnsafeDisableDeepCopy); err != nil {
		logf.FromContext(ctx).Error(err, "listing the Admins of an Account", "account", o.GetNamespace()+"/"+o.GetName())
		return nil
	}
	return requestsOf(list.Items)
}
