package luna

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/claims"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/listindex"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/rest"
)

// accountByID finds a live Account by its account_id in the cache (nil when none). The object
// is the cache's own: do not modify it.
func (a *API) accountByID(ctx context.Context, id string) (*tenancyv1alpha1.Account, error) {
	return people.ByIndex[*tenancyv1alpha1.Account](ctx, a.Client, index.AccountID, id, client.UnsafeDisableDeepCopy)
}

// accountByLogin is accountByID by login.
func (a *API) accountByLogin(ctx context.Context, login string) (*tenancyv1alpha1.Account, error) {
	return people.ByIndex[*tenancyv1alpha1.Account](ctx, a.Client, index.AccountLogin, login, client.UnsafeDisableDeepCopy)
}

// visibleAccount finds an account the caller may see, or answers 28001.
func (a *API) visibleAccount(ctx context.Context, c *principal.Principal, id string) (*tenancyv1alpha1.Account, error) {
	if !uuidPattern.MatchString(id) {
		return nil, errAccountNotFound(id)
	}
	acct, err := a.accountByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if acct == nil || !canSeeAccount(c, acct) {
		return nil, errAccountNotFound(id)
	}
	return acct, nil
}

// accountName derives a DNS-safe object name from a login, with a short hash suffix that keeps
// names unique.
func accountName(login, salt string) string {
	base := cmp.Or(people.DNSLabel(login, 48), "account")
	sum := sha256.Sum256([]byte(login + "\x00" + salt))
	return base + "-" + hex.EncodeToString(sum[:])[:6]
}

func (a *API) createAccount(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	id, e := accountIDHeader(r.Header.Get("Luna-Account-Id"), false)
	if e != nil {
		return e
	}
	var body accountBody
	if err := rest.DecodeJSON(r, &body); err != nil {
		return decodeErr(r, err)
	}
	if e := body.validate(true); e != nil {
		return e
	}
	if c.IsToken() {
		return errForbidden("a token may not create, modify or delete accounts; sign in with the account's login and password")
	}
	if !isAdmin(c) {
		return errForbidden("only an admin account may create accounts")
	}
	ctx := r.Context()
	if other, err := a.accountByLogin(ctx, *body.Login); err != nil {
		return err
	} else if other != nil {
		return errLoginExists(*body.Login)
	}
	// Without a Luna-Account-Id the defaulting webhook generates the accountID, which then
	// takes no claim; the name only needs a salt of its own.
	salt := id
	if id == "" {
		salt = uuid.NewString()
	} else if other, err := a.accountByID(ctx, id); err != nil {
		return err
	} else if other != nil {
		return errAccountIDExists(id)
	}
	acct := &tenancyv1alpha1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: c.Account.Namespace},
		Spec: tenancyv1alpha1.AccountSpec{
			Login: *body.Login, Type: tenancyv1alpha1.AccountType(*body.AccountType), AccountID: id,
			Approval: tenancyv1alpha1.ApprovalApproved,
		},
	}
	if body.Description != nil {
		acct.Spec.Description = *body.Description
	}
	// credential.Create writes the hash and the Account so that a crash leaves no Account or
	// one that can sign in, and returns once this replica's cache shows both: the client that
	// gets 201 sees the account, and signs in with it, on its next request.
	var err error
	for attempt := range 3 {
		acct.Name = accountName(*body.Login, salt+strings.Repeat("+", attempt))
		acct.ResourceVersion, acct.Spec.AccountID = "", id
		if err = credential.Create(ctx, a.Client, acct, *body.Password); !apierrors.IsAlreadyExists(err) {
			break
		}
	}
	id = acct.Spec.AccountID // as created: the generated one when the client chose none
	switch {
	case people.IsDuplicate(err, claims.AccountLogin.Path):
		return errLoginExists(*body.Login)
	case people.IsDuplicate(err, claims.AccountID.Path):
		return errAccountIDExists(id)
	case errors.Is(err, credential.ErrNotVisible):
		return errTimeout("the account was created but the cache has not caught up yet; retry GET /1/accounts/" + id)
	case err != nil:
		return err
	}
	ref := client.ObjectKeyFromObject(acct)
	if err := a.awaitLists(ctx, func(ctx context.Context, l *listindex.Lists) (bool, error) {
		got, err := a.accountByID(ctx, id)
		return got != nil && l.Accounts.Reflects(ref, got) && l.Tokens.OwnerLive(ref), err
	}); err != nil {
		return err
	}
	url := "/1/accounts/" + id
	w.Header().Set("Location", url)
	writeJSON(w, http.StatusCreated, map[string]string{fieldAccountID: id, "url": url})
	return nil
}

func (a *API) getAccount(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	targets, e := parseTargets(r.URL.Query())
	if e != nil {
		return e
	}
	acct, err := a.visibleAccount(r.Context(), c, r.PathValue(fieldAccountID))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, accountJSON(acct, targets))
	return nil
}

func (a *API) patchAccount(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	id := r.PathValue(fieldAccountID)
	var body accountBody
	if err := rest.DecodeJSON(r, &body); err != nil {
		return decodeErr(r, err)
	}
	if e := body.validate(false); e != nil {
		return e
	}
	ctx := r.Context()
	cached, err := a.visibleAccount(ctx, c, id)
	if err != nil {
		return err
	}
	if e := mayWriteAccount(c, cached); e != nil {
		return e
	}
	if err := a.checkAccountPatch(ctx, c, id, cached, &body); err != nil {
		return err
	}
	acct := cached.DeepCopy()
	specChanged := body.applyTo(acct)
	if specChanged {
		// A merge patch of the changed spec fields: the controller's own writes (finalizer,
		// status) right after a create must not make the caller's PATCH a conflict.
		if err := a.Client.Patch(ctx, acct, client.MergeFrom(cached)); err != nil {
			switch {
			case people.IsDuplicate(err, claims.AccountLogin.Path):
				return errLoginExists(acct.Spec.Login)
			case apierrors.IsNotFound(err):
				return errAccountNotFound(id)
			}
			return err
		}
	}
	if body.Password != nil {
		// One write, then wait until this replica's cache (the verifier's) shows it: the next
		// sign-in with the new password must not count as a failure.
		if err := credential.Set(ctx, a.Client, acct, *body.Password); errors.Is(err, credential.ErrNotVisible) {
			return errTimeout("the password was changed but the cache has not caught up yet; retry shortly")
		} else if err != nil {
			return err
		}
	}
	if specChanged {
		if _, err := a.waitUntil(ctx, func(ctx context.Context) (bool, error) {
			got, err := a.accountByID(ctx, id)
			return got != nil && got.Spec.Login == acct.Spec.Login &&
				got.Spec.Type == acct.Spec.Type && got.Spec.Description == acct.Spec.Description &&
				(a.Lists == nil || a.Lists.Accounts.Reflects(client.ObjectKeyFromObject(got), got)), err
		}); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkAccountPatch refuses a PATCH of cached (account id, as the path names it) that changes what the caller may not: an admin's
// account_type, or, for a non-admin, any account_type; or a login another account has.
func (a *API) checkAccountPatch(ctx context.Context, c *principal.Principal, id string,
	cached *tenancyv1alpha1.Account, body *accountBody) error {
	if body.AccountType != nil && *body.AccountType != accountType(cached) {
		if cached.Spec.Type == tenancyv1alpha1.AccountTypeAdmin {
			return errAdminTypeFixed(id)
		}
		if !isAdmin(c) {
			return errForbidden("an account may not change its own account_type")
		}
	}
	if body.Login != nil && *body.Login != cached.Spec.Login {
		if other, err := a.accountByLogin(ctx, *body.Login); err != nil {
			return err
		} else if other != nil {
			return errLoginExists(*body.Login)
		}
	}
	return nil
}

// applyTo sets the fields of a PATCH body on acct's spec and reports whether any changed.
func (b *accountBody) applyTo(acct *tenancyv1alpha1.Account) (changed bool) {
	if b.Login != nil && *b.Login != acct.Spec.Login {
		acct.Spec.Login, changed = *b.Login, true
	}
	if b.AccountType != nil && *b.AccountType != accountType(acct) {
		acct.Spec.Type, changed = tenancyv1alpha1.AccountType(*b.AccountType), true
	}
	if b.Description != nil && *b.Description != acct.Spec.Description {
		acct.Spec.Description, changed = *b.Description, true
	}
	return changed
}

func (a *API) deleteAccount(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	id := r.PathValue(fieldAccountID)
	ctx := r.Context()
	acct, err := a.visibleAccount(ctx, c, id)
	if err != nil {
		return err
	}
	if e := mayWriteAccount(c, acct); e != nil {
		return e
	}
	// The Account's finalizer deletes its Tokens, Admins and password hash.
	if err := a.Client.Delete(ctx, acct.DeepCopy()); err != nil {
		if apierrors.IsNotFound(err) {
			return errAccountNotFound(id)
		}
		return err
	}
	if _, err := a.waitUntil(ctx, func(ctx context.Context) (bool, error) {
		got, err := a.accountByID(ctx, id)
		return got == nil, err
	}); err != nil {
		return err
	}
	ref := client.ObjectKeyFromObject(acct)
	if err := a.awaitLists(ctx, func(_ context.Context, l *listindex.Lists) (bool, error) {
		return l.Accounts.Reflects(ref, nil) && !l.Tokens.OwnerLive(ref), nil
	}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
