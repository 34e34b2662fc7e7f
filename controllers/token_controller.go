package controllers

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/keys"
	"github.com/tessera-dev/tessera/internal/metrics"
	"github.com/tessera-dev/tessera/internal/tree"
)

// TokenReconciler signs each Token's JWT into its Secret, re-signs it when its claims change,
// its key is revoked or a re-issue is asked for (never for a mere rotation), and marks it
// Expired at its expiration time.
type TokenReconciler struct {
	client.Client
	Keys     *keys.Store
	Forest   *tree.Forest
	Recorder events.EventRecorder
	// Issuer is the JWT iss claim.
	Issuer string
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	rotated chan event.GenericEvent
	// stored is the manager's cache, read without copies.
	stored *index.Cache
	// written maps a Token's UID to its resourceVersion before this reconciler's last status
	// patch, until the cache shows a newer one; it holds the Tokens whose patch is in flight.
	written sync.Map
}

// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=tokens,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=tokens/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=tokens/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update;patch;delete

// Reconcile brings one Token's Secret and status in line with its spec, Account and keys.
func (r *TokenReconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, err error) {
	// before is the cache's own object, read and never written: the reconcile works on one copy
	// of it, not two (an Account with many Tokens requeues them all at once).
	before := &tenancyv1alpha1.Token{}
	if err := r.Get(ctx, req.NamespacedName, before, client.UnsafeDisableDeepCopy); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	// No finalizer: the Secret is owner-referenced, so the garbage collector removes it, and the
	// verifier refuses a deleted Token's JWT at once (the Token is gone from its cache). That
	// saves a write and two admission calls per Token. Tokens from earlier versions still carry
	// the finalizer; revoke releases them.
	if before.DeletionTimestamp != nil {
		return ctrl.Result{}, r.revoke(ctx, before.DeepCopy())
	}

	// The cache may still hold the Token as it was before this reconciler's last status patch
	// (the Secret's event often arrives first): reconciling that copy would patch the same status
	// again. The patch's own event requeues the Token once the cache has caught up.
	if stale, ok := r.written.Load(before.UID); ok {
		if stale == before.ResourceVersion {
			return ctrl.Result{RequeueAfter: time.Second}, nil // should the event be lost
		}
		r.written.Delete(before.UID)
	}
	tok := before.DeepCopy()
	placed := true
	defer func() {
		if !placed && err == nil && (res.RequeueAfter == 0 || res.RequeueAfter > treeSettleDelay) {
			res.RequeueAfter = treeSettleDelay // look at the lock again once the tree has the Group
		}
		patchStatusOnReturn(ctx, r.Client, tok, before, &err)
		if err == nil && tok.ResourceVersion != before.ResourceVersion {
			r.written.Store(tok.UID, before.ResourceVersion) // a no-op patch sends no event
		}
	}()
	tok.Status.ObservedGeneration = tok.Generation
	tok.Status.SecretName = tok.JWTSecretName()
	if placed, err = r.summarizeLock(ctx, tok); err != nil {
		return ctrl.Result{}, err
	}

	now := r.now()
	if exp := tok.Spec.ExpirationTime; exp != nil && !now.Before(exp.Time) {
		setWhileTrue(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionExpired, true,
			tenancyv1alpha1.ReasonTokenExpired, "the token expired at "+exp.UTC().Format(time.RFC3339))
		setCondition(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionReady, metav1.ConditionFalse,
			tenancyv1alpha1.ReasonTokenExpired, "the token expired at "+exp.UTC().Format(time.RFC3339))
		if before.Status.Conditions != nil && !isTrue(before.Status.Conditions, tenancyv1alpha1.ConditionExpired) && r.Recorder != nil {
			r.Recorder.Eventf(tok, nil, corev1.EventTypeNormal, tenancyv1alpha1.EventReasonExpired, "Expire", "the token expired")
			metrics.TokensExpired.Inc()
		}
		return ctrl.Result{}, nil
	}
	setWhileTrue(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionExpired, false, "", "")

	stored, err := r.stored.Stored(ctx, storedAccount, client.ObjectKey{Namespace: tok.Namespace, Name: tok.Spec.AccountRef.Name})
	if err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, err
		}
		setCondition(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionReady, metav1.ConditionFalse,
			tenancyv1alpha1.ReasonAccountMissing, fmt.Sprintf("Account %s does not exist in namespace %s", tok.Spec.AccountRef.Name, tok.Namespace))
		return ctrl.Result{RequeueAfter: missingRequeue}, nil
	}
	acct := stored.(*tenancyv1alpha1.Account) // the cache's own: read only
	set := r.Keys.Load()
	if set == nil || acct.Spec.AccountID == "" || tok.Spec.TokenID == "" {
		setCondition(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionReady, metav1.ConditionFalse,
			tenancyv1alpha1.ReasonKeysUnavailable, "waiting for the signing keys and the token and account ids")
		return ctrl.Result{RequeueAfter: keysRequeue}, nil
	}

	if retry, err := r.ensureJWT(ctx, tok, acct, set, now); err != nil || retry > 0 {
		return ctrl.Result{RequeueAfter: retry}, err
	}
	setCondition(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionReady, metav1.ConditionTrue,
		tenancyv1alpha1.ReasonIssued, "the signed JWT is in Secret "+tok.Status.SecretName)
	if exp := tok.Spec.ExpirationTime; exp != nil {
		return ctrl.Result{RequeueAfter: exp.Sub(now)}, nil
	}
	return ctrl.Result{}, nil
}

// ensureJWT keeps the JWT in the Secret while it asserts the Token's current claims, its key is
// still in the set and no re-issue is asked for; otherwise it signs a new one with the active
// key. A rotation alone never re-signs: applications keep the JWT they were given, and the
// retired key verifies it until the key pruner finds no Token depending on it. It returns a
// delay after which to try again, when a new JWT could not yet differ from the stored one.
func (r *TokenReconciler) ensureJWT(ctx context.Context, tok *tenancyv1alpha1.Token, acct *tenancyv1alpha1.Account, set *keys.Set, now time.Time) (time.Duration, error) {
	claims := jwt.Claims{TokenID: tok.Spec.TokenID, AccountID: acct.Spec.AccountID,
		VisibilityArea: string(tok.Spec.VisibilityArea), Issuer: r.Issuer}
	if tok.Spec.ExpirationTime != nil {
		exp := tok.Spec.ExpirationTime.UTC()
		claims.ExpiresAt = &exp
	}

	secret := &corev1.Secret{} // the cache's own: read only, a write below starts afresh
	err := r.Get(ctx, client.ObjectKey{Namespace: tok.Namespace, Name: tok.Status.SecretName}, secret, client.UnsafeDisableDeepCopy)
	if err != nil && !apierrors.IsNotFound(err) {
		return 0, err
	}
	exists := err == nil
	if exists && !metav1.IsControlledBy(secret, tok) {
		return 0, fmt.Errorf("Secret %s/%s exists and does not belong to Token %s; choose another spec.secretName", tok.Namespace, secret.Name, tok.Name)
	}
	// The Secret, not status, says which key signed the JWT and what it asserts: status may
	// trail in the cache right after an issue, and reading it would re-sign a JWT just written.
	stored := string(secret.Data[tenancyv1alpha1.TokenSecretKey])
	kid, have, readErr := jwt.Inspect(stored)
	reason, why := resignReason(tok, secret, set, claims, kid, have, readErr)
	if reason == "" {
		if tok.Status.KeyID != kid || tok.Status.IssuedAt == nil || tok.Status.IssuedAt.Unix() != have.IssuedAt.Unix() {
			recordIssued(tok, have, kid)
		}
		return 0, nil
	}

	claims.IssuedAt = now.UTC().Truncate(time.Second)
	signed, kid, err := jwt.Sign(set, claims)
	if err != nil {
		return 0, err
	}
	if signed == stored {
		// EdDSA and HS256 are deterministic: the same claims signed in the same second give the
		// same JWT, which a re-issue must not.
		return time.Second, nil
	}
	secret = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: tok.Namespace, Name: tok.Status.SecretName}}
	if _, err := controllerutil.CreateOrUpdate(ctx, r.Client, secret, func() error {
		if secret.Labels == nil {
			secret.Labels = map[string]string{}
		}
		secret.Labels[tenancyv1alpha1.LabelManagedBy] = tenancyv1alpha1.ManagedByValue
		secret.Labels[tenancyv1alpha1.LabelToken] = tok.Name
		if secret.Annotations == nil {
			secret.Annotations = map[string]string{}
		}
		delete(secret.Annotations, tenancyv1alpha1.AnnotationLegacyClaims)
		secret.Annotations[tenancyv1alpha1.AnnotationIssuedAt] = claims.IssuedAt.Format(time.RFC3339)
		secret.Annotations[tenancyv1alpha1.AnnotationReissued] = tok.Annotations[tenancyv1alpha1.AnnotationReissue]
		secret.Type = corev1.SecretTypeOpaque
		secret.Data = map[string][]byte{tenancyv1alpha1.TokenSecretKey: []byte(signed)}
		return controllerutil.SetControllerReference(tok, secret, r.Scheme())
	}); err != nil {
		return 0, err
	}
	recordIssued(tok, claims, kid)
	metrics.TokenSigned(exists)
	// A first issue is routine and status says it (Ready, keyID, issuedAt); an Event for each of
	// a burst of Tokens would be one more write per Token. Renewals and re-issues replace a JWT
	// someone holds, so they are recorded.
	if r.Recorder != nil && reason != tenancyv1alpha1.EventReasonIssued {
		r.Recorder.Eventf(tok, nil, corev1.EventTypeNormal, reason, actions[reason], "signed a JWT with key %s into Secret %s%s", kid, secret.Name, why)
	}
	return 0, nil
}

// actions are the Event actions of the Event reasons of signing a JWT.
var actions = map[string]string{tenancyv1alpha1.EventReasonIssued: "Issue", tenancyv1alpha1.EventReasonRenewed: "Renew",
	tenancyv1alpha1.EventReasonReissued: "Reissue"}

// resignReason tells whether the stored JWT must be replaced: "" keeps it, otherwise the Event
// reason and a note on why.
func resignReason(tok *tenancyv1alpha1.Token, secret *corev1.Secret, set *keys.Set, want jwt.Claims, kid string, have jwt.Claims, readErr error) (string, string) {
	if len(secret.Data[tenancyv1alpha1.TokenSecretKey]) == 0 {
		return tenancyv1alpha1.EventReasonIssued, ""
	}
	// Removing the annotation asks for nothing, as with the key Secret's rotate annotation.
	if asked := tok.Annotations[tenancyv1alpha1.AnnotationReissue]; asked != "" && asked != secret.Annotations[tenancyv1alpha1.AnnotationReissued] {
		return tenancyv1alpha1.EventReasonReissued, " (re-issue " + asked + " requested)"
	}
	if readErr != nil {
		return tenancyv1alpha1.EventReasonRenewed, " (the stored JWT could not be read)"
	}
	if _, known := set.Lookup(kid); !known {
		return tenancyv1alpha1.EventReasonRenewed, " (key " + kid + ", which signed the previous JWT, left the key set)"
	}
	if !jwt.SameAssertions(have, want) {
		return tenancyv1alpha1.EventReasonRenewed, " (the claims changed)"
	}
	return "", ""
}

// recordIssued copies the facts of the Secret's JWT into status.
func recordIssued(tok *tenancyv1alpha1.Token, c jwt.Claims, kid string) {
	tok.Status.TokenID, tok.Status.AccountID, tok.Status.KeyID = c.TokenID, c.AccountID, kid
	issued := metav1.NewTime(c.IssuedAt)
	tok.Status.IssuedAt = &issued
	tok.Status.ExpiresAt = nil
	if c.ExpiresAt != nil {
		exp := metav1.NewTime(*c.ExpiresAt)
		tok.Status.ExpiresAt = &exp
	}
}

// revoke releases a Token that still carries the finalizer of earlier versions: it deletes the
// JWT Secret (as the garbage collector would) and removes the finalizer.
func (r *TokenReconciler) revoke(ctx context.Context, tok *tenancyv1alpha1.Token) error {
	if !controllerutil.ContainsFinalizer(tok, tenancyv1alpha1.CleanupFinalizer) {
		return nil
	}
	secret := &corev1.Secret{}
	err := r.Get(ctx, client.ObjectKey{Namespace: tok.Namespace, Name: tok.JWTSecretName()}, secret)
	if err == nil && metav1.IsControlledBy(secret, tok) {
		if err := r.Delete(ctx, secret); client.IgnoreNotFound(err) != nil {
			return err
		}
	} else if client.IgnoreNotFound(err) != nil {
		return err
	}
	patch := client.MergeFrom(tok.DeepCopy())
	controllerutil.RemoveFinalizer(tok, tenancyv1alpha1.CleanupFinalizer)
	return r.Patch(ctx, tok, patch)
}

// summarizeLock reports the Token's effective hierarchy lock in a Locked condition, present
// only while True: unlike an Account or a Group, a Token has no Locked column, and it is the kind
// that comes by the thousand, each with a status write on issue, so it carries no Locked=False.
// It waits until the tree is settled after a start (tree.WaitSettled). While the Token's Group
// exists but the tree has not placed it (a Group created since), it leaves the condition as it
// was and reports false, as Accounts wait for a pending Group: a guess would drop a lock from
// status until the next event.
func (r *TokenReconciler) summarizeLock(ctx context.Context, tok *tenancyv1alpha1.Token) (placed bool, err error) {
	if err := r.Forest.WaitSettled(ctx); err != nil {
		return false, err
	}
	group := tenancyv1alpha1.GroupOfNamespace(tok.Namespace)
	info, known := r.Forest.Info(group)
	if !known && group != "" {
		err := r.Get(ctx, client.ObjectKey{Name: group}, &tenancyv1alpha1.Group{})
		if err == nil {
			return false, nil
		}
		if !apierrors.IsNotFound(err) {
			return false, err
		}
	}
	setWhileTrue(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionLocked, info.LockedBy != "",
		tenancyv1alpha1.ReasonGroupLocked, lockMessage(info))
	return true, nil
}

func (r *TokenReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func isTrue(conds []metav1.Condition, typ string) bool {
	for _, c := range conds {
		if c.Type == typ {
			return c.Status == metav1.ConditionTrue
		}
	}
	return false
}

// TokenWorkers is the Token reconciler's workers. Signing is cheap; the two API writes in series
// are the latency (≈0.1-0.25 s on a loaded API server), so 8 workers capped a burst near 30
// Tokens/s. Enough workers overlap them that the API server's write rate is the limit; an idle
// worker costs a goroutine. hack/bench's controller-less baseline uses as many.
const TokenWorkers = 64

// SetupWithManager registers the reconciler: Tokens, their Secrets, their Accounts, Group locks
// and key rotations.
func (r *TokenReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.rotated = make(chan event.GenericEvent, 1024)
	var err error
	if r.stored, err = cacheOf(mgr); err != nil {
		return err
	}
	if err := mgr.Add(leaderRunnable(func(ctx context.Context) error { return r.followKeys(ctx) })); err != nil {
		return err
	}
	tokensIn, err := requestsInNamespace(mgr, &tenancyv1alpha1.Token{})
	if err != nil {
		return err
	}
	c := mgr.GetCache()
	ownSecrets, err := watchEarly(c, client.Object(&corev1.Secret{}),
		handler.EnqueueRequestForOwner(mgr.GetScheme(), mgr.GetRESTMapper(), &tenancyv1alpha1.Token{}, handler.OnlyControllerOwner()),
		afterInitialList)
	if err != nil {
		return err
	}
	accounts, err := watchEarly(c, client.Object(&tenancyv1alpha1.Account{}), handler.EnqueueRequestsFromMapFunc(r.tokensOfAccount), afterInitialList)
	if err != nil {
		return err
	}
	revoked, err := watchEarly(c, client.Object(&tenancyv1alpha1.Token{}), handler.Funcs{DeleteFunc: r.recordRevoked}, onlyDeletions)
	if err != nil {
		return err
	}
	tokens, logs, err := ownKindEarly(mgr, "token", &tenancyv1alpha1.Token{})
	if err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("token").
		WithOptions(controller.Options{MaxConcurrentReconciles: TokenWorkers, LogConstructor: logs}).
		WatchesRawSource(tokens).
		WatchesRawSource(ownSecrets).
		WatchesRawSource(accounts).
		Watches(&tenancyv1alpha1.Group{}, enqueueGroupSubtree(r.Forest, tokensIn)).
		WatchesRawSource(source.Channel(r.rotated, &handler.EnqueueRequestForObject{})).
		WatchesRawSource(revoked).
		Complete(r)
}

// recordRevoked records a Revoked Event when the cache sees a Token go: without a finalizer no
// reconcile sees the deleted object, and deletes are rare enough for an Event each.
func (r *TokenReconciler) recordRevoked(_ context.Context, e event.TypedDeleteEvent[client.Object], _ workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	if e.Object != nil {
		r.written.Delete(e.Object.GetUID())
		metrics.TokensRevoked.Inc()
	}
	if r.Recorder != nil && e.Object != nil {
		r.Recorder.Eventf(e.Object, nil, corev1.EventTypeNormal, tenancyv1alpha1.EventReasonRevoked, "Revoke",
			"the token was deleted; its JWT no longer verifies and its Secret goes with it")
	}
}

func (r *TokenReconciler) tokensOfAccount(ctx context.Context, obj client.Object) []reconcile.Request {
	list := &tenancyv1alpha1.TokenList{}
	if err := r.List(ctx, list, client.InNamespace(obj.GetNamespace()), client.MatchingFields{index.TokenAccount: obj.GetName()},
		client.UnsafeDisableDeepCopy); err != nil {
		return nil
	}
	return requestsOf(list.Items)
}

// leaderRunnable adapts a function to a Runnable that runs on the leader only.
type leaderRunnable func(ctx context.Context) error

func (f leaderRunnable) Start(ctx context.Context) error { return f(ctx) }
func (f leaderRunnable) NeedLeaderElection() bool        { return true }
