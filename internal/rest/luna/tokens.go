package luna

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/notify"
	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/rest"
)

// tokenSecretKey is the data key of the JWT in a Token's Secret.
const tokenSecretKey = tenancyv1alpha1.TokenSecretKey

func tokenSecretName(t *tenancyv1alpha1.Token) string {
	if t.Status.SecretName != "" {
		return t.Status.SecretName
	}
	if t.Spec.SecretName != "" {
		return t.Spec.SecretName
	}
	return t.Name + "-jwt"
}

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
	s, err := a.secret(ctx, t.Namespace, tokenSecretName(t))
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

// decodeToken reads and validates a token body.
func (a *API) decodeToken(r *http.Request) (*tokenSpec, error) {
	grantAll := false
	if q := r.URL.Query(); q.Has("grant_all_permissions") {
		switch q.Get("grant_all_permissions") {
		case "0":
		case "1":
			grantAll = true
		default:
			return nil, errBadQuery("grant_all_permissions")
		}
	}
	var body tokenBody
	if err := rest.DecodeJSON(r, &body); err != nil {
		return nil, decodeErr(r, err)
	}
	spec, e := body.validate(grantAll, a.now())
	if e != nil {
		return nil, e
	}
	return spec, nil
}

// settle fills the visibility default and refuses what a user account may not hold (41009).
func settle(spec *tokenSpec, owner *tenancyv1alpha1.Account) *apiError {
	isUser := accountType(owner) == string(tenancyv1alpha1.AccountTypeUser)
	switch {
	case spec.VisibilityArea == "" && isUser:
		spec.VisibilityArea = tenancyv1alpha1.VisibilityAccount
	case spec.VisibilityArea == "":
		spec.VisibilityArea = tenancyv1alpha1.VisibilityAll
	case spec.VisibilityArea == tenancyv1alpha1.VisibilityAll && isUser:
		return errPermissionsRefused(fieldVisibilityArea, accountType(owner))
	}
	return nil
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	accountID, e := accountIDHeader(r.Header.Get("Luna-Account-Id"), true)
	if e != nil {
		return e
	}
	if e := tokenVerb(c, verbCreation); e != nil {
		return e
	}
	ctx := r.Context()
	owner, err := a.accountByID(ctx, accountID)
	if err != nil {
		return err
	}
	spec, err := a.decodeToken(r)
	if err != nil {
		return err
	}
	if owner == nil || !canSeeAccount(c, owner) && !mayManageTokenOf(c, owner) {
		return errAccountNotFound(accountID)
	}
	if !mayManageTokenOf(c, owner) {
		return errForbidden("only an admin account may create tokens for other accounts")
	}
	if e := settle(spec, owner); e != nil {
		return e
	}
	// The defaulter generates the tokenID: a generated one needs no claim at admission (a
	// chosen one costs a Lease and a List), so the name cannot carry it and is generated too.
	tok := &tenancyv1alpha1.Token{
		ObjectMeta: metav1.ObjectMeta{Namespace: owner.Namespace, GenerateName: "token-"},
		Spec: tenancyv1alpha1.TokenSpec{
			AccountRef:  tenancyv1alpha1.LocalObjectReference{Name: owner.Name},
			Permissions: spec.Permissions, VisibilityArea: spec.VisibilityArea,
			ExpirationTime: spec.ExpirationTime, Description: spec.Description,
		},
	}
	if err := a.Client.Create(ctx, tok); err != nil {
		return err
	}
	jwt, err := a.awaitJWT(ctx, tok)
	if err != nil {
		return err
	}
	a.writeTokenCreated(w, tok.Spec.TokenID, jwt)
	return nil
}

func (a *API) writeTokenCreated(w http.ResponseWriter, id, jwt string) {
	url := "/1/tokens/" + id
	w.Header().Set("Location", url)
	writeJSON(w, http.StatusCreated, map[string]string{fieldToken: jwt, fieldTokenID: id, "url": url})
}

// awaitJWT waits until the cache has the Token and its Secret a JWT signed for want's current
// spec (visibility area and expiration), and returns the JWT.
func (a *API) awaitJWT(ctx context.Context, want *tenancyv1alpha1.Token) (string, error) {
	var jwt string
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
		jwt = raw
		return true, nil
	})
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errTimeout("the token was stored but its JWT was not issued in time; retry GET /1/tokens/" + want.Spec.TokenID)
	}
	return jwt, nil
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
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var claims struct {
		TokenID        string  `json:"tokenId"`
		ExpirationTime *string `json:"expirationTime"`
		VisibilityArea string  `json:"visibilityArea"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.TokenID != t.Spec.TokenID || claims.VisibilityArea != string(t.Spec.VisibilityArea) {
		return false
	}
	if t.Spec.ExpirationTime == nil || claims.ExpirationTime == nil {
		return t.Spec.ExpirationTime == nil && claims.ExpirationTime == nil
	}
	exp, ok := parseTime(*claims.ExpirationTime)
	return ok && exp.Unix() == t.Spec.ExpirationTime.Unix()
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	q := r.URL.Query()
	targets, e := parsePermissionsTargets(q)
	if e != nil {
		return e
	}
	pq, e := parsePageQuery(q)
	if e != nil {
		return e
	}
	accountID, e := parseUUIDQuery(q, fieldAccountID)
	if e != nil {
		return e
	}
	if e := tokenVerb(c, "view"); e != nil {
		return e
	}
	ctx := r.Context()
	l := &tenancyv1alpha1.TokenList{}
	opts := []client.ListOption{client.UnsafeDisableDeepCopy}
	if accountID != "" {
		owner, err := a.accountByID(ctx, accountID)
		if err != nil {
			return err
		}
		if owner == nil || !canSeeTokenOf(c, owner) {
			writeJSON(w, http.StatusOK, map[string]any{"tokens": []any{}})
			return nil
		}
		opts = append(opts, client.InNamespace(owner.Namespace), client.MatchingFields{index.TokenAccount: owner.Name})
	} else if !isAdmin(c) || (c.IsToken() && !visibilityAll(c)) {
		me := c.Account
		opts = append(opts, client.InNamespace(me.Namespace), client.MatchingFields{index.TokenAccount: me.Name})
	}
	if err := a.Client.List(ctx, l, opts...); err != nil {
		return err
	}
	toks := make([]*tenancyv1alpha1.Token, 0, len(l.Items))
	for i := range l.Items {
		t := &l.Items[i]
		if t.DeletionTimestamp == nil && t.Spec.TokenID != "" && pq.inRange(t.CreationTimestamp.Time) {
			toks = append(toks, t)
		}
	}
	slices.SortFunc(toks, func(x, y *tenancyv1alpha1.Token) int {
		if c := x.CreationTimestamp.Compare(y.CreationTimestamp.Time); c != 0 {
			return c
		}
		return strings.Compare(x.Spec.TokenID, y.Spec.TokenID)
	})
	out := []map[string]any{}
	owners := map[client.ObjectKey]*tenancyv1alpha1.Account{}
	skip := (pq.Page - 1) * pq.PageSize
	for _, t := range toks {
		if len(out) == pq.PageSize {
			break
		}
		key := client.ObjectKey{Namespace: t.Namespace, Name: t.Spec.AccountRef.Name}
		owner, seen := owners[key]
		if !seen {
			var err error
			if owner, err = a.ownerOf(ctx, t); err != nil {
				return err
			}
			owners[key] = owner
		}
		if owner == nil || !canSeeTokenOf(c, owner) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		jwt, err := a.jwtOf(ctx, t)
		if err != nil {
			return err
		}
		out = append(out, tokenJSON(t, owner.Spec.AccountID, jwt, targets))
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
	return nil
}

func (a *API) getToken(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	q := r.URL.Query()
	targets, e := parsePermissionsTargets(q)
	if e != nil {
		return e
	}
	accountID, e := parseUUIDQuery(q, fieldAccountID)
	if e != nil {
		return e
	}
	if e := tokenVerb(c, "view"); e != nil {
		return e
	}
	ctx := r.Context()
	t, owner, err := a.visibleToken(ctx, c, r.PathValue(fieldTokenID), accountID)
	if err != nil {
		return err
	}
	jwt, err := a.jwtOf(ctx, t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tokenJSON(t, owner.Spec.AccountID, jwt, targets))
	return nil
}

func (a *API) replaceToken(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	accountID, e := accountIDHeader(r.Header.Get("Luna-Account-Id"), false)
	if e != nil {
		return e
	}
	if e := tokenVerb(c, "modification"); e != nil {
		return e
	}
	ctx := r.Context()
	id := r.PathValue(fieldTokenID)
	spec, err := a.decodeToken(r)
	if err != nil {
		return err
	}
	cached, owner, err := a.visibleToken(ctx, c, id, accountID)
	if err != nil {
		return err
	}
	if !mayManageTokenOf(c, owner) {
		return errForbidden("only an admin account may replace other accounts' tokens")
	}
	if e := settle(spec, owner); e != nil {
		return e
	}
	tok := cached.DeepCopy()
	tok.Spec.Permissions, tok.Spec.VisibilityArea = spec.Permissions, spec.VisibilityArea
	tok.Spec.ExpirationTime, tok.Spec.Description = spec.ExpirationTime, spec.Description
	if err := a.Client.Update(ctx, tok); err != nil {
		if apierrors.IsNotFound(err) {
			return errTokenNotFound(id)
		}
		return err
	}
	jwt, err := a.awaitJWT(ctx, tok)
	if err != nil {
		return err
	}
	a.writeTokenCreated(w, id, jwt)
	return nil
}

func (a *API) deleteToken(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	accountID, e := parseUUIDQuery(r.URL.Query(), fieldAccountID)
	if e != nil {
		return e
	}
	if e := tokenVerb(c, "deletion"); e != nil {
		return e
	}
	ctx := r.Context()
	id := r.PathValue(fieldTokenID)
	t, owner, err := a.visibleToken(ctx, c, id, accountID)
	if err != nil {
		return err
	}
	if !mayManageTokenOf(c, owner) {
		return errForbidden("only an admin account may delete other accounts' tokens")
	}
	if err := a.Client.Delete(ctx, t.DeepCopy()); err != nil {
		if apierrors.IsNotFound(err) {
			return errTokenNotFound(id)
		}
		return err
	}
	if _, err := a.waitUntil(ctx, func(ctx context.Context) (bool, error) {
		got, err := a.tokenByID(ctx, id)
		return got == nil, err
	}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
