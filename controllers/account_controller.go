package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/tree"
)

// AccountReconciler keeps an Account's password hash, status and clean-up: it hashes the
// plaintext of spec.passwordSecretRef into the Account's hash Secret (only when it changed),
// reports the Account's Group, effective lock, hash Secret and update time, and on deletion
// deletes the Account's Tokens, Admins and hash Secret.
type AccountReconciler struct {
	// Client is the manager's cached client.
	client.Client
	// APIReader reads the plaintext password Secret, which the cache never holds (it caches
	// only Tessera's own Secrets). It is used for nothing else.
	APIReader client.Reader
	// Forest is the tenant tree, for the effective lock.
	Forest   *tree.Forest
	Recorder events.EventRecorder

	// OnDeleted, when set, is called while a deleting Account is finalized, after its Tokens,
	// Admins and hash Secret are gone and before the finalizer is removed; an error retries.
	// It is the hook for releasing what admission holds for the Account (its login claim).
	OnDeleted func(ctx context.Context, acct *tenancyv1alpha1.Account) error

	// lookups is the manager's cache, whose lookups map a password Secret to its Accounts and
	// whose stored Groups are read without a copy.
	lookups *index.Cache
	// secretMeta is a metadata-only cache of the Secrets that are not Tessera's, apart from the
	// manager's cache (which holds only Tessera's): it notices changes of password Secrets.
	secretMeta cache.Cache
}

// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=accounts,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=accounts/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=accounts/finalizers,verbs=update
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=tokens;admins,verbs=get;list;watch;delete
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=groups,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile brings one Account's hash Secret and status in line with its spec.
func (r *AccountReconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, err error) {
	// before is the cache's own object, read and never written: the reconcile works on one copy
	// of it, not two (a start reconciles every Account).
	before := &tenancyv1alpha1.Account{}
	if err := r.Get(ctx, req.NamespacedName, before, client.UnsafeDisableDeepCopy); apierrors.IsNotFound(err) {
		return r.dropOrphanHash(ctx, req.NamespacedName)
	} else if err != nil {
		return ctrl.Result{}, err
	}
	acct := before.DeepCopy()
	g, err := resolveTenantGroup(ctx, r.lookups, r.Forest, acct.Namespace)
	if err != nil {
		return ctrl.Result{}, err
	}
	if g.Pending {
		// The Group reconciler has not placed the Group yet; report nothing rather than a guess.
		return ctrl.Result{RequeueAfter: treeSettleDelay}, nil
	}
	if !acct.DeletionTimestamp.IsZero() {
		return r.finalize(ctx, acct, g)
	}
	if res, stop, err := r.ensureFinalizer(ctx, acct, g); stop {
		return res, err
	}

	if acct.ResourceVersion != before.ResourceVersion {
		before = acct.DeepCopy() // the finalizer's patch: the status patch starts from its answer
	}
	// The deferred summary writes status once, only when it changed.
	defer patchStatusOnReturn(ctx, r.Client, acct, before, &err)

	now := metav1.Now()
	summarizeAccount(acct, g, now)
	pw, err := r.syncPassword(ctx, acct)
	if err != nil {
		return ctrl.Result{}, err
	}
	acct.Status.PasswordHashSecret = pw.hashSecret
	if pw.changed {
		acct.Status.UpdateTime = &now
	}
	return reportAccountReady(acct, g, pw), nil
}

// ensureFinalizer adds tenancyv1alpha1.CleanupFinalizer to acct unless its Group is locked:
// locked objects cannot be changed (admission refuses), so the finalizer waits for unlock.
// Accounts get it with their create (webhook.AccountDefaulter); this covers Accounts created before
// that, or while the webhook was not Tessera's. stop is true when the reconcile ends here,
// with res and err.
func (r *AccountReconciler) ensureFinalizer(ctx context.Context, acct *tenancyv1alpha1.Account, g tenantGroup) (res ctrl.Result, stop bool, err error) {
	if g.Info.LockedBy != "" || controllerutil.ContainsFinalizer(acct, tenancyv1alpha1.CleanupFinalizer) {
		return ctrl.Result{}, false, nil
	}
	orig := acct.DeepCopy()
	controllerutil.AddFinalizer(acct, tenancyv1alpha1.CleanupFinalizer)
	if err := r.Patch(ctx, acct, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil {
		if apierrors.IsConflict(err) {
			return ctrl.Result{RequeueAfter: conflictRequeue}, true, nil
		}
		return ctrl.Result{}, true, client.IgnoreNotFound(err)
	}
	return ctrl.Result{}, false, nil
}

// summarizeAccount reports the generation, the Group and its effective lock in status.
func summarizeAccount(acct *tenancyv1alpha1.Account, g tenantGroup, now metav1.Time) {
	if acct.Status.ObservedGeneration != acct.Generation {
		acct.Status.UpdateTime = &now
		acct.Status.ObservedGeneration = acct.Generation
	}
	acct.Status.Group = g.Name
	acct.Status.LockedBy = setLocked(&acct.Status.Conditions, acct.Generation, g)
}

// reportAccountReady decides Ready from the Group and the password, and when to look again.
func reportAccountReady(acct *tenancyv1alpha1.Account, g tenantGroup, pw passwordState) ctrl.Result {
	ready := func(status metav1.ConditionStatus, reason, msg string) {
		setCondition(&acct.Status.Conditions, acct.Generation, tenancyv1alpha1.ConditionReady, status, reason, msg)
	}
	switch {
	case g.Missing != "":
		ready(metav1.ConditionFalse, tenancyv1alpha1.ReasonGroupMissing, g.Missing)
		return ctrl.Result{RequeueAfter: missingRequeue}
	case pw.reason != "":
		ready(metav1.ConditionFalse, pw.reason, pw.message)
		if pw.reason == tenancyv1alpha1.ReasonPasswordSecretMissing {
			return ctrl.Result{RequeueAfter: missingRequeue}
		}
		return ctrl.Result{}
	default:
		ready(metav1.ConditionTrue, tenancyv1alpha1.ReasonPasswordHashStored, "the password hash is stored in Secret "+pw.hashSecret)
		return ctrl.Result{}
	}
}

// finalize deletes what belongs to a deleting Account — its Tokens, its Admins (same namespace)
// and its hash Secret — waits until the Tokens and Admins are gone (Tokens have finalizers of
// their own), calls OnDeleted and removes the finalizer.
func (r *AccountReconciler) finalize(ctx context.Context, acct *tenancyv1alpha1.Account, g tenantGroup) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(acct, tenancyv1alpha1.CleanupFinalizer) {
		return ctrl.Result{}, nil
	}
	log := logf.FromContext(ctx)
	if g.Info.LockedBy != "" {
		// Admission refuses deletions inside a locked subtree; unlocking enqueues the Account.
		log.Info("clean-up waits for the lock to be lifted", "lockedBy", g.Info.LockedBy)
		return ctrl.Result{}, nil
	}
	tokens := &tenancyv1alpha1.TokenList{}
	if err := r.List(ctx, tokens, client.InNamespace(acct.Namespace), client.MatchingFields{index.TokenAccount: acct.Name}); err != nil {
		return ctrl.Result{}, err
	}
	admins := &tenancyv1alpha1.AdminList{}
	if err := r.List(ctx, admins, client.InNamespace(acct.Namespace), client.MatchingFields{index.AdminAccount: acct.Name}); err != nil {
		return ctrl.Result{}, err
	}
	var going []client.Object
	for i := range tokens.Items {
		going = append(going, &tokens.Items[i])
	}
	for i := range admins.Items {
		going = append(going, &admins.Items[i])
	}
	issued := 0
	for _, obj := range going {
		if !obj.GetDeletionTimestamp().IsZero() {
			continue
		}
		if err := r.Delete(ctx, obj, client.Preconditions{UID: new(obj.GetUID())}); client.IgnoreNotFound(err) != nil {
			if apierrors.IsConflict(err) { // replaced by a new object of that name: look again
				return ctrl.Result{RequeueAfter: conflictRequeue}, nil
			}
			return ctrl.Result{}, fmt.Errorf("deleting %T %s of Account %s: %w", obj, obj.GetName(), acct.Name, err)
		}
		issued++
	}
	hash := &corev1.Secret{}
	if err := r.Get(ctx, client.ObjectKey{Namespace: acct.Namespace, Name: credential.SecretName(acct.Name)}, hash); err == nil {
		if err := r.Delete(ctx, hash); client.IgnoreNotFound(err) != nil {
			return ctrl.Result{}, fmt.Errorf("deleting the password hash Secret of Account %s: %w", acct.Name, err)
		}
	} else if !apierrors.IsNotFound(err) {
		return ctrl.Result{}, err
	}
	if issued > 0 && r.Recorder != nil {
		r.Recorder.Eventf(acct, nil, corev1.EventTypeNormal, tenancyv1alpha1.EventReasonCleaningUp, "Delete",
			"deleting the Account's %d Tokens and %d Admins", len(tokens.Items), len(admins.Items))
	}
	if len(going) > 0 {
		return ctrl.Result{RequeueAfter: cleanupRequeue}, nil
	}
	if r.OnDeleted != nil {
		if err := r.OnDeleted(ctx, acct); err != nil {
			return ctrl.Result{}, err
		}
	}
	orig := acct.DeepCopy()
	controllerutil.RemoveFinalizer(acct, tenancyv1alpha1.CleanupFinalizer)
	if err := r.Patch(ctx, acct, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil {
		if apierrors.IsConflict(err) {
			return ctrl.Result{RequeueAfter: conflictRequeue}, nil
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if r.Recorder != nil {
		r.Recorder.Eventf(acct, nil, corev1.EventTypeNormal, tenancyv1alpha1.EventReasonCleanedUp, "Delete",
			"deleted the Account's Tokens, Admins and password hash")
	}
	return ctrl.Result{}, nil
}

// SetupWithManager registers the reconciler: Accounts, their hash Secrets, the plaintext
// password Secrets (metadata only, through a cache of its own), Groups (locks) and the deletion
// of Tokens and Admins (clean-up).
func (r *AccountReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.APIReader == nil {
		r.APIReader = mgr.GetAPIReader()
	}
	// The manager's cache keeps only Tessera's Secrets, and its per-kind rules cannot add a
	// metadata-only view of the other Secrets beside that; a second cache can.
	secretMeta, err := cache.New(mgr.GetConfig(), PasswordSecretCacheOptions(mgr.GetScheme(), mgr.GetRESTMapper()))
	if err != nil {
		return err
	}
	if err := mgr.Add(secretMeta); err != nil {
		return err
	}
	r.secretMeta = secretMeta

	if r.lookups, err = cacheOf(mgr); err != nil {
		return err
	}
	accountsIn, err := requestsInNamespace(mgr, &tenancyv1alpha1.Account{})
	if err != nil {
		return err
	}
	secretMetaType := &metav1.PartialObjectMetadata{}
	secretMetaType.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	c := mgr.GetCache()
	tesseraSecrets, err := watchEarly(c, client.Object(&corev1.Secret{}), handler.EnqueueRequestsFromMapFunc(r.accountsOfTesseraSecret), unownedInInitialList)
	if err != nil {
		return err
	}
	passwordSecrets, err := watchEarly(secretMeta, secretMetaType,
		handler.TypedEnqueueRequestsFromMapFunc(r.accountsOfPasswordSecret), afterInitialListOf[*metav1.PartialObjectMetadata]())
	if err != nil {
		return err
	}
	tokensGone, err := watchEarly(c, client.Object(&tenancyv1alpha1.Token{}), handler.EnqueueRequestsFromMapFunc(accountOfToken), onlyDeletions)
	if err != nil {
		return err
	}
	adminsGone, err := watchEarly(c, client.Object(&tenancyv1alpha1.Admin{}), handler.EnqueueRequestsFromMapFunc(accountOfAdmin), onlyDeletions)
	if err != nil {
		return err
	}
	accounts, logs, err := ownKindEarly(mgr, "account", &tenancyv1alpha1.Account{})
	if err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("account").
		WatchesRawSource(accounts).
		// One handler for Tessera's Secrets: a hash Secret maps to its Account by its controller
		// reference, or by the pending annotation of one written ahead of its Account
		// (credential.Create), so no Owns beside it (which would map the same Secrets through a
		// REST mapping per event). A password Secret may carry Tessera's label too (the metadata
		// cache then leaves it out).
		WatchesRawSource(tesseraSecrets).
		WatchesRawSource(passwordSecrets).
		Watches(&tenancyv1alpha1.Group{}, enqueueGroupSubtree(r.Forest, accountsIn)).
		WatchesRawSource(tokensGone).
		WatchesRawSource(adminsGone).
		// Most reconciles wait on the API server (a status patch, a hash copied); hashing,
		// which is expensive, takes one of maxAccountHashes slots (whileHashing).
		WithOptions(controller.Options{MaxConcurrentReconciles: accountWorkers, LogConstructor: logs}).
		Complete(r)
}

// accountWorkers is the Account reconciler's workers: a Group's lock re-reconciles every
// Account below it, one status patch each, and with 2 workers 10,000 Accounts took minutes.
const accountWorkers = 16

// accountsOfPasswordSecret maps a Secret to the Accounts in its namespace that take their
// password from it.
func (r *AccountReconciler) accountsOfPasswordSecret(ctx context.Context, s *metav1.PartialObjectMetadata) []reconcile.Request {
	return r.accountsTakingPasswordFrom(ctx, s)
}

// accountsOfTesseraSecret maps one of Tessera's Secrets (the manager's cache) to the Account
// whose hash it holds and to the Accounts that take their password from it.
func (r *AccountReconciler) accountsOfTesseraSecret(ctx context.Context, s client.Object) []reconcile.Request {
	return append(accountOfHashSecret(ctx, s), r.accountsTakingPasswordFrom(ctx, s)...)
}

// accountsTakingPasswordFrom maps a Secret to the Accounts of its namespace whose
// spec.passwordSecretRef names it, by their keys alone (index.Cache.Keys): a GitOps repository
// may give one Secret to all of them.
func (r *AccountReconciler) accountsTakingPasswordFrom(_ context.Context, s client.Object) []reconcile.Request {
	keys, _ := r.lookups.Keys(&tenancyv1alpha1.Account{}, s.GetNamespace(), index.AccountPasswordSecret, s.GetName())
	out := make([]reconcile.Request, 0, len(keys))
	for _, key := range keys {
		out = append(out, reconcile.Request{NamespacedName: key})
	}
	return out
}

func accountOfToken(_ context.Context, o client.Object) []reconcile.Request {
	t, ok := o.(*tenancyv1alpha1.Token)
	if !ok || t.Spec.AccountRef.Name == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: t.Namespace, Name: t.Spec.AccountRef.Name}}}
}

func accountOfAdmin(_ context.Context, o client.Object) []reconcile.Request {
	a, ok := o.(*tenancyv1alpha1.Admin)
	if !ok || a.Spec.AccountRef.Name == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: a.Namespace, Name: a.Spec.AccountRef.Name}}}
}
