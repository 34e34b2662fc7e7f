package controllers

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
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

// Token Secret layout.
const (
	// TokenSecretKey is the data key of the signed JWT in a Token's Secret.
	TokenSecretKey = "token"
	// LabelToken names the Token a JWT Secret belongs to.
	LabelToken = "tenancy.tessera.dev/token"
	// annotationClaims fingerprints the claims the Secret's JWT was signed with, so that a spec
	// or Account change re-signs and nothing else does.
	annotationClaims = "tenancy.tessera.dev/claims"
	// annotationIssuedAt records when the Secret's JWT was signed.
	annotationIssuedAt = "tenancy.tessera.dev/issued-at"
)

// Reasons of the Token conditions.
const (
	ReasonIssued          = "Issued"
	ReasonKeysUnavailable = "KeysUnavailable"
	ReasonTokenExpired    = "Expired"
	ReasonNotExpired      = "NotExpired"
)

// TokenReconciler signs each Token's JWT into its Secret, re-signs it when its claims or its
// key change, and marks it Expired at its expiration time.
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
}

// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=tokens,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=tokens/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=tokens/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update;patch;delete

// Reconcile brings one Token's Secret and status in line with its spec, Account and keys.
func (r *TokenReconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, err error) {
	tok := &tenancyv1alpha1.Token{}
	if err := r.Get(ctx, req.NamespacedName, tok); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if tok.DeletionTimestamp != nil {
		return ctrl.Result{}, r.revoke(ctx, tok)
	}
	if !controllerutil.ContainsFinalizer(tok, CleanupFinalizer) {
		patch := client.MergeFrom(tok.DeepCopy())
		controllerutil.AddFinalizer(tok, CleanupFinalizer)
		if err := r.Patch(ctx, tok, patch); err != nil {
			return ctrl.Result{}, err
		}
	}

	before := tok.DeepCopy()
	defer func() {
		if equality.Semantic.DeepEqual(before.Status, tok.Status) {
			return
		}
		if perr := r.Status().Patch(ctx, tok, client.MergeFrom(before)); perr != nil && err == nil {
			err = perr
		}
	}()
	tok.Status.ObservedGeneration = tok.Generation
	tok.Status.SecretName = tokenSecretName(tok)
	r.summarizeLock(tok)

	now := r.now()
	if exp := tok.Spec.ExpirationTime; exp != nil && !now.Before(exp.Time) {
		setCondition(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionExpired, metav1.ConditionTrue,
			ReasonTokenExpired, "the token expired at "+exp.UTC().Format(time.RFC3339))
		setCondition(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionReady, metav1.ConditionFalse,
			ReasonTokenExpired, "the token expired at "+exp.UTC().Format(time.RFC3339))
		if before.Status.Conditions != nil && !isTrue(before.Status.Conditions, tenancyv1alpha1.ConditionExpired) && r.Recorder != nil {
			r.Recorder.Eventf(tok, nil, corev1.EventTypeNormal, "Expired", "Expire", "the token expired")
			metrics.TokensExpired.Inc()
		}
		return ctrl.Result{}, nil
	}
	setCondition(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionExpired, metav1.ConditionFalse,
		ReasonNotExpired, "the token has not expired")

	acct := &tenancyv1alpha1.Account{}
	if err := r.Get(ctx, client.ObjectKey{Namespace: tok.Namespace, Name: tok.Spec.AccountRef.Name}, acct); err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, err
		}
		setCondition(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionReady, metav1.ConditionFalse,
			ReasonAccountMissing, fmt.Sprintf("Account %s does not exist in namespace %s", tok.Spec.AccountRef.Name, tok.Namespace))
		return ctrl.Result{RequeueAfter: 10 * time.Second}, nil
	}
	set := r.Keys.Load()
	if set == nil || acct.Spec.AccountID == "" || tok.Spec.TokenID == "" {
		setCondition(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionReady, metav1.ConditionFalse,
			ReasonKeysUnavailable, "waiting for the signing keys and the token and account ids")
		return ctrl.Result{RequeueAfter: time.Second}, nil
	}

	if err := r.ensureJWT(ctx, tok, acct, set, now); err != nil {
		return ctrl.Result{}, err
	}
	setCondition(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionReady, metav1.ConditionTrue,
		ReasonIssued, "the signed JWT is in Secret "+tok.Status.SecretName)
	if exp := tok.Spec.ExpirationTime; exp != nil {
		return ctrl.Result{RequeueAfter: exp.Sub(now)}, nil
	}
	return ctrl.Result{}, nil
}

// ensureJWT signs a new JWT into the Secret unless the one there was signed with the current
// claims by a key that is still active.
func (r *TokenReconciler) ensureJWT(ctx context.Context, tok *tenancyv1alpha1.Token, acct *tenancyv1alpha1.Account, set *keys.Set, now time.Time) error {
	claims := jwt.Claims{TokenID: tok.Spec.TokenID, AccountID: acct.Spec.AccountID,
		VisibilityArea: string(tok.Spec.VisibilityArea), Issuer: r.Issuer}
	if tok.Spec.ExpirationTime != nil {
		exp := tok.Spec.ExpirationTime.UTC()
		claims.ExpiresAt = &exp
	}
	fingerprint := claimsFingerprint(claims)

	secret := &corev1.Secret{}
	err := r.Get(ctx, client.ObjectKey{Namespace: tok.Namespace, Name: tok.Status.SecretName}, secret)
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	exists := err == nil
	if exists && !metav1.IsControlledBy(secret, tok) {
		return fmt.Errorf("Secret %s/%s exists and does not belong to Token %s; choose another spec.secretName", tok.Namespace, secret.Name, tok.Name)
	}
	// The Secret, not status, says which key signed its JWT: status may trail in the cache right
	// after an issue, and reading it would re-sign a JWT just written.
	kid := jwtKeyID(secret.Data[TokenSecretKey])
	key, known := set.Lookup(kid)
	if exists && len(secret.Data[TokenSecretKey]) > 0 && secret.Annotations[annotationClaims] == fingerprint && known && !key.Retired() {
		if tok.Status.KeyID == "" {
			r.recordIssued(tok, claims, kid, secret)
		}
		return nil
	}

	claims.IssuedAt = now
	signed, kid, err := jwt.Sign(set, claims)
	if err != nil {
		return err
	}
	secret.Namespace, secret.Name = tok.Namespace, tok.Status.SecretName
	if _, err := controllerutil.CreateOrUpdate(ctx, r.Client, secret, func() error {
		if secret.Labels == nil {
			secret.Labels = map[string]string{}
		}
		secret.Labels[tenancyv1alpha1.LabelManagedBy] = tenancyv1alpha1.ManagedByValue
		secret.Labels[LabelToken] = tok.Name
		if secret.Annotations == nil {
			secret.Annotations = map[string]string{}
		}
		secret.Annotations[annotationClaims] = fingerprint
		secret.Annotations[annotationIssuedAt] = now.UTC().Format(time.RFC3339)
		secret.Type = corev1.SecretTypeOpaque
		secret.Data = map[string][]byte{TokenSecretKey: []byte(signed)}
		return controllerutil.SetControllerReference(tok, secret, r.Scheme())
	}); err != nil {
		return err
	}
	r.recordIssued(tok, claims, kid, secret)
	metrics.TokenSigned(exists)
	if r.Recorder != nil {
		reason, action := "Issued", "Issue"
		if exists {
			reason, action = "Renewed", "Renew"
		}
		r.Recorder.Eventf(tok, nil, corev1.EventTypeNormal, reason, action, "signed a JWT with key %s into Secret %s", kid, secret.Name)
	}
	return nil
}

// jwtKeyID reads the kid from a JWT's header without verifying anything: it only tells which
// key signed the JWT already stored, so that a JWT signed by the active key is not signed again.
func jwtKeyID(token []byte) string {
	head, _, ok := bytes.Cut(token, []byte("."))
	if !ok {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(string(head))
	if err != nil {
		return ""
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if json.Unmarshal(raw, &h) != nil {
		return ""
	}
	return h.Kid
}

// recordIssued copies the facts of the JWT in secret into status.
func (r *TokenReconciler) recordIssued(tok *tenancyv1alpha1.Token, claims jwt.Claims, kid string, secret *corev1.Secret) {
	tok.Status.TokenID, tok.Status.AccountID, tok.Status.KeyID = claims.TokenID, claims.AccountID, kid
	if at, err := time.Parse(time.RFC3339, secret.Annotations[annotationIssuedAt]); err == nil {
		issued := metav1.NewTime(at)
		tok.Status.IssuedAt = &issued
	}
	tok.Status.ExpiresAt = nil
	if claims.ExpiresAt != nil {
		exp := metav1.NewTime(*claims.ExpiresAt)
		tok.Status.ExpiresAt = &exp
	}
}

// revoke deletes the JWT Secret before letting the Token go, so the token stops verifying at
// once and nothing is left where no garbage collector runs.
func (r *TokenReconciler) revoke(ctx context.Context, tok *tenancyv1alpha1.Token) error {
	if !controllerutil.ContainsFinalizer(tok, CleanupFinalizer) {
		return nil
	}
	secret := &corev1.Secret{}
	err := r.Get(ctx, client.ObjectKey{Namespace: tok.Namespace, Name: tokenSecretName(tok)}, secret)
	if err == nil && metav1.IsControlledBy(secret, tok) {
		if err := r.Delete(ctx, secret); client.IgnoreNotFound(err) != nil {
			return err
		}
	} else if client.IgnoreNotFound(err) != nil {
		return err
	}
	metrics.TokensRevoked.Inc()
	if r.Recorder != nil {
		r.Recorder.Eventf(tok, nil, corev1.EventTypeNormal, "Revoked", "Revoke", "the token was deleted and its Secret removed")
	}
	patch := client.MergeFrom(tok.DeepCopy())
	controllerutil.RemoveFinalizer(tok, CleanupFinalizer)
	return r.Patch(ctx, tok, patch)
}

// summarizeLock reports the Token's effective hierarchy lock in a Locked condition.
func (r *TokenReconciler) summarizeLock(tok *tenancyv1alpha1.Token) {
	info, _ := r.Forest.Info(tenancyv1alpha1.GroupOfNamespace(tok.Namespace))
	if info.LockedBy != "" {
		setCondition(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionLocked, metav1.ConditionTrue, ReasonLocked, lockMessage(info))
		return
	}
	setCondition(&tok.Status.Conditions, tok.Generation, tenancyv1alpha1.ConditionLocked, metav1.ConditionFalse, ReasonNotLocked,
		"no Group at or above this one is locked")
}

func (r *TokenReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// tokenSecretName is spec.secretName, or "<token>-jwt".
func tokenSecretName(tok *tenancyv1alpha1.Token) string {
	if tok.Spec.SecretName != "" {
		return tok.Spec.SecretName
	}
	return tok.Name + "-jwt"
}

func claimsFingerprint(c jwt.Claims) string {
	exp := "eternal"
	if c.ExpiresAt != nil {
		exp = c.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return c.TokenID + "|" + c.AccountID + "|" + c.VisibilityArea + "|" + exp + "|" + c.Issuer
}

func isTrue(conds []metav1.Condition, typ string) bool {
	for _, c := range conds {
		if c.Type == typ {
			return c.Status == metav1.ConditionTrue
		}
	}
	return false
}

// SetupWithManager registers the reconciler: Tokens, their Secrets, their Accounts, Group locks
// and key rotations.
func (r *TokenReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.rotated = make(chan event.GenericEvent, 1024)
	if err := mgr.Add(leaderRunnable(func(ctx context.Context) error { return r.followKeys(ctx) })); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&tenancyv1alpha1.Token{}).
		// Signing is cheap; the API writes are the latency. Several workers overlap them.
		WithOptions(controller.Options{MaxConcurrentReconciles: 8}).
		Owns(&corev1.Secret{}).
		Watches(&tenancyv1alpha1.Account{}, handler.EnqueueRequestsFromMapFunc(r.tokensOfAccount)).
		Watches(&tenancyv1alpha1.Group{}, handler.EnqueueRequestsFromMapFunc(r.tokensBelowGroup)).
		WatchesRawSource(source.Channel(r.rotated, &handler.EnqueueRequestForObject{})).
		Complete(r)
}

func (r *TokenReconciler) tokensOfAccount(ctx context.Context, obj client.Object) []reconcile.Request {
	list := &tenancyv1alpha1.TokenList{}
	if err := r.List(ctx, list, client.InNamespace(obj.GetNamespace()), client.MatchingFields{index.TokenAccount: obj.GetName()}); err != nil {
		return nil
	}
	return requestsOf(list.Items)
}

// tokensBelowGroup requeues the Tokens of a Group and its subtree, for their Locked condition.
func (r *TokenReconciler) tokensBelowGroup(ctx context.Context, obj client.Object) []reconcile.Request {
	var out []reconcile.Request
	for _, g := range append([]string{obj.GetName()}, r.Forest.Descendants(obj.GetName())...) {
		list := &tenancyv1alpha1.TokenList{}
		if err := r.List(ctx, list, client.InNamespace(tenancyv1alpha1.GroupNamespace(g))); err != nil {
			continue
		}
		out = append(out, requestsOf(list.Items)...)
	}
	return out
}

// followKeys requeues, after each key set change, every Token whose JWT was not signed by the
// active key, so that a rotation re-signs them all.
func (r *TokenReconciler) followKeys(ctx context.Context) error {
	for {
		changed := r.Keys.Changed()
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
		set := r.Keys.Load()
		list := &tenancyv1alpha1.TokenList{}
		if err := r.List(ctx, list); err != nil {
			continue
		}
		for i := range list.Items {
			if list.Items[i].Status.KeyID != set.Active().ID {
				select {
				case r.rotated <- event.GenericEvent{Object: &list.Items[i]}:
				case <-ctx.Done():
					return nil
				}
			}
		}
	}
}

// leaderRunnable adapts a function to a Runnable that runs on the leader only.
type leaderRunnable func(ctx context.Context) error

func (f leaderRunnable) Start(ctx context.Context) error { return f(ctx) }
func (f leaderRunnable) NeedLeaderElection() bool        { return true }
