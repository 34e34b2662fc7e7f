package luna

// Finding Tokens, their Accounts and their JWTs in the cache, and waiting for a JWT to be signed.

import (
	"cmp"
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/notify"
	"github.com/tessera-dev/tessera/internal/principal"
)

// tokenSecretKey is the data key of the JWT in a Token's Secret.
const tokenSecretKey = tenancyv1alpha1.TokenSecretKey

// secret reads a (Tessera-labelled, hence cached) Secret from the cache; nil when absent.
func (a *API) secret(ctx context.Context, ns, name string) (*corev1.Secret, error) {
	s := &corev1.Secret{}
	if err := a.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, s, client.UnsafeDisableDeepCopy); err != nil {
		return nil, client.IgnoreNotFound(err)
	}
	return s, nil
}

// jwtOf returns the JWT the controller wrote for t ("" while there is none).
func (a *API) jwtOf(ctx context.Context, t *tenancyv1alpha1.Token) (string, error) {
	s, err := a.secret(ctx, t.Namespace, t.CurrentSecretName())
	if err != nil || s == nil || !metav1.IsControlledBy(s, t) {
		return "", err
	}
	return string(s.Data[tokenSecretKey]), nil
}

func (a *API) tokenByID(ctx context.Context, id string) (*tenancyv1alpha1.Token, error) {
	l := &tenancyv1alpha1.TokenList{}
	if err := a.Client.List(ctx, l, client.MatchingFields{index.TokenID: id}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, err
	}
	for i := range l.Items {
		if l.Items[i].DeletionTimestamp == nil {
			return &l.Items[i], nil
		}
	}
	return nil, nil
}

// ownerOf returns a Token's Account (nil when gone).
func (a *API) ownerOf(ctx context.Context, t *tenancyv1alpha1.Token) (*tenancyv1alpha1.Account, error) {
	acct := &tenancyv1alpha1.Account{}
	err := a.Client.Get(ctx, client.ObjectKey{Namespace: t.Namespace, Name: t.Spec.AccountRef.Name}, acct, client.UnsafeDisableDeepCopy)
	if apierrors.IsNotFound(err) || (err == nil && acct.DeletionTimestamp != nil) {
		return nil, nil
	}
	return acct, err
}

// visibleToken finds a token the caller may see (and, when accountID is set, that belongs to
// that account), or answers 41003.
func (a *API) visibleToken(ctx context.Context, c *principal.Principal, id, accountID string) (*tenancyv1alpha1.Token, *tenancyv1alpha1.Account, error) {
	if !uuidPattern.MatchString(id) {
		return nil, nil, errTokenNotFound(id)
	}
	t, err := a.tokenByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if t == nil {
		return nil, nil, errTokenNotFound(id)
	}
	owner, err := a.ownerOf(ctx, t)
	if err != nil {
		return nil, nil, err
	}
	if owner == nil || !canSeeTokenOf(c, owner) || (accountID != "" && owner.Spec.AccountID != accountID) {
		return nil, nil, errTokenNotFound(id)
	}
	return t, owner, nil
}

// awaitJWT waits until the cache has the Token and its Secret a JWT signed for want's current
// spec (visibility area and expiration), and returns the JWT.
func (a *API) awaitJWT(ctx context.Context, want *tenancyv1alpha1.Token) (string, error) {
	var signed string
	ok, err := a.waitChange(ctx, notify.Key(want.Namespace, want.Name), func(ctx context.Context) (bool, error) {
		t, err := a.tokenByID(ctx, want.Spec.TokenID)
		if err != nil || t == nil || t.Generation < want.Generation || t.Status.ObservedGeneration < want.Generation || t.Status.KeyID == "" {
			return false, err
		}
		raw, err := a.jwtOf(ctx, t)
		if err != nil || raw == "" {
			return false, err
		}
		if !jwtMatches(raw, want) {
			return false, nil
		}
		signed = raw
		return true, nil
	})
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errTimeout("the token was stored but its JWT was not issued in time; retry GET /1/tokens/" + want.Spec.TokenID)
	}
	return signed, nil
}

// waitChange is waitUntil woken by a.Changes, when set, whenever the cache sees key's Token or
// its Secret change, instead of polling. A slow tick covers a signal lost to a relist.
func (a *API) waitChange(ctx context.Context, key string, cond func(ctx context.Context) (bool, error)) (bool, error) {
	if a.Changes == nil {
		return a.waitUntil(ctx, cond)
	}
	changed, stop := a.Changes.Wait(key)
	defer stop()
	timeout := cmp.Or(a.WaitTimeout, 5*time.Second)
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		if ok, err := cond(ctx); ok || err != nil {
			return ok, err
		}
		select {
		case <-changed:
		case <-tick.C:
		case <-deadline.C:
			return false, nil
		case <-ctx.Done():
			return false, nil
		}
	}
}

// jwtMatches reads (without verifying: it comes from our own Secret) the claims of a JWT and
// reports whether they are those of t's spec.
func jwtMatches(raw string, t *tenancyv1alpha1.Token) bool {
	_, claims, err := jwt.Inspect(raw)
	if err != nil || claims.TokenID != t.Spec.TokenID || claims.VisibilityArea != string(t.Spec.VisibilityArea) {
		return false
	}
	if t.Spec.ExpirationTime == nil || claims.ExpiresAt == nil {
		return t.Spec.ExpirationTime == nil && claims.ExpiresAt == nil
	}
	return claims.ExpiresAt.Unix() == t.Spec.ExpirationTime.Unix()
}
