package luna

import (
	"context"
	"net/http"
	"net/url"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/listindex"
	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/rest"
)

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
	ref, ownerRef := client.ObjectKeyFromObject(tok), client.ObjectKeyFromObject(owner)
	if err := a.awaitLists(ctx, func(ctx context.Context, l *listindex.Lists) (bool, error) {
		got, err := a.tokenByID(ctx, tok.Spec.TokenID)
		return got != nil && l.Tokens.Reflects(ref, got) && l.Tokens.OwnerLive(ownerRef), err
	}); err != nil {
		return err
	}
	a.writeTokenCreated(w, tok.Spec.TokenID, jwt)
	return nil
}

func (a *API) writeTokenCreated(w http.ResponseWriter, id, jwt string) {
	location := "/1/tokens/" + id
	w.Header().Set("Location", location)
	writeJSON(w, http.StatusCreated, map[string]string{fieldToken: jwt, fieldTokenID: id, "url": location})
}

// tokenReadQuery reads what the token reads share — the permissions targets and account_id —
// and refuses a caller whose credential may not view tokens.
func tokenReadQuery(q url.Values, c *principal.Principal) (targets, accountID string, e *apiError) {
	if targets, e = parsePermissionsTargets(q); e != nil {
		return "", "", e
	}
	if accountID, e = parseUUIDQuery(q, fieldAccountID); e != nil {
		return "", "", e
	}
	return targets, accountID, tokenVerb(c, "view")
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	q := r.URL.Query()
	targets, accountID, e := tokenReadQuery(q, c)
	if e != nil {
		return e
	}
	pq, e := parsePageQuery(q)
	if e != nil {
		return e
	}
	ctx := r.Context()
	// owner narrows the list to one account's tokens; nil is every account's.
	var owner *client.ObjectKey
	if accountID != "" {
		acct, err := a.accountByID(ctx, accountID)
		if err != nil {
			return err
		}
		if acct == nil || !canSeeTokenOf(c, acct) {
			writeJSON(w, http.StatusOK, map[string]any{"tokens": []any{}})
			return nil
		}
		owner = new(client.ObjectKeyFromObject(acct))
	} else if !canSeeTokenOf(c, others) {
		owner = new(client.ObjectKeyFromObject(c.Account))
	}
	lists, err := a.lists(ctx)
	if err != nil {
		return err
	}
	refs, _ := lists.Tokens.Page(owner, pq.created(), pq.offset(), pq.PageSize)
	out := make([]map[string]any, 0, len(refs))
	owners := map[client.ObjectKey]*tenancyv1alpha1.Account{}
	for _, ref := range refs {
		// Read from the cache on the way out; one deleted since the index was read is left out.
		t := &tenancyv1alpha1.Token{}
		if err := a.Client.Get(ctx, ref, t, client.UnsafeDisableDeepCopy); client.IgnoreNotFound(err) != nil {
			return err
		} else if err != nil || t.DeletionTimestamp != nil || t.Spec.TokenID == "" {
			continue
		}
		key := client.ObjectKey{Namespace: t.Namespace, Name: t.Spec.AccountRef.Name}
		acct, seen := owners[key]
		if !seen {
			if acct, err = a.ownerOf(ctx, t); err != nil {
				return err
			}
			owners[key] = acct
		}
		if acct == nil || !canSeeTokenOf(c, acct) {
			continue
		}
		jwt, err := a.jwtOf(ctx, t)
		if err != nil {
			return err
		}
		out = append(out, tokenJSON(t, acct.Spec.AccountID, jwt, targets))
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
	return nil
}

func (a *API) getToken(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	targets, accountID, e := tokenReadQuery(r.URL.Query(), c)
	if e != nil {
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
	ref := client.ObjectKeyFromObject(t)
	if _, err := a.waitUntil(ctx, func(ctx context.Context) (bool, error) {
		got, err := a.tokenByID(ctx, id)
		return got == nil && (a.Lists == nil || a.Lists.Tokens.Reflects(ref, nil)), err
	}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
