// Package verify decides whether a credential — a Tessera JWT, or a login and password — is
// good right now, answering from memory: the key set from keys.Store, Tokens and Accounts from
// the informer cache through field indexes, locks from the tenant tree. The REST APIs share it.
package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/singleflight"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/keys"
	"github.com/tessera-dev/tessera/internal/password"
	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/tree"
)

// Refusals. Every error Verify* returns wraps exactly one, so each API can map it to its own
// dialect; the wrapped message says what a user may know.
var (
	// ErrInvalid: malformed, wrongly signed, or from an unknown key.
	ErrInvalid = errors.New("invalid credentials")
	// ErrWrongPassword: no such login, or the password does not match (indistinguishable).
	ErrWrongPassword = errors.New("wrong login or password")
	// ErrTokenGone: the token was revoked: its Token no longer exists, or holds another JWT now
	// (re-issued, or re-signed after a claims change or a key revocation).
	ErrTokenGone = errors.New("token not found")
	// ErrExpired: the token has expired.
	ErrExpired = errors.New("token expired")
	// ErrAccountGone: the token's Account no longer exists.
	ErrAccountGone = errors.New("account not found")
	// ErrDisabled: the Account is disabled.
	ErrDisabled = errors.New("account disabled")
	// ErrNotApproved: the Account is pending, refused or forbidden.
	ErrNotApproved = errors.New("account not approved")
	// ErrLocked: the Account's Group or an ancestor is locked.
	ErrLocked = errors.New("locked")
	// ErrUnavailable: the signing keys are not loaded yet.
	ErrUnavailable = errors.New("verification unavailable")
)

// Verifier checks credentials. Its fields are shared, read-only, with the controllers.
type Verifier struct {
	Keys   *keys.Store
	Cache  client.Reader
	Forest *tree.Forest
	Issuer string
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// verified remembers signatures already checked: ES256 verification costs ~70 µs, a hit
	// ~0.1 µs. Revocation, expiry and account state are still checked on every call.
	verified jwt.Cache
	// passwords remembers login and password pairs that matched (passwords.go).
	passwords passwordMemory
	// hashing shares one hash among concurrent checks of one login, password and hash (see
	// checkShared).
	hashing singleflight.Group
}

// Principal is the shared principal.Principal, named here too so that callers written against
// package verify keep compiling. Verification fills in the Account and the credential; the
// Admin grants are read only when an API asks (principal.Directory), never on this path.
type Principal = principal.Principal

// tokenSecretKey is the data key of the JWT in a Token's Secret.
const tokenSecretKey = tenancyv1alpha1.TokenSecretKey

// byField selects the objects whose field is value: one selector term, where MatchingFields
// builds a map and then a selector from it on every call.
func byField(field, value string) client.ListOption {
	return client.MatchingFieldsSelector{Selector: fields.OneTermEqualSelector(field, value)}
}

// noCopy reads straight from the cache: the hot path must not deep-copy objects it only reads.
// Callers must not modify what they get.
var noCopy = client.UnsafeDisableDeepCopy

// VerifyToken checks a JWT: signature and expiry, that it is the current JWT of a Token that
// still exists (the one in the Token's Secret: a re-issued, re-signed or revoked JWT is not),
// that the Account the Token names is the one the JWT names, and that this Account may act.
// The Token and Account are found through each other, never by an id alone: ids are claimed
// uniquely at admission, but a copy that slipped through must not stand in for another object.
func (v *Verifier) VerifyToken(ctx context.Context, raw string) (*Principal, error) {
	set := v.Keys.Load()
	if set == nil {
		return nil, ErrUnavailable
	}
	claims, err := v.verified.Verify(raw, set, v.Issuer, v.now())
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return nil, fmt.Errorf("%w: %v", ErrExpired, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	tok, err := v.tokenOf(ctx, claims.TokenID, raw)
	if err != nil {
		return nil, err
	}
	if exp := tok.Spec.ExpirationTime; exp != nil && !v.now().Before(exp.Time) {
		return nil, fmt.Errorf("%w at %s", ErrExpired, exp.UTC().Format(time.RFC3339))
	}
	acct := &tenancyv1alpha1.Account{}
	err = v.Cache.Get(ctx, client.ObjectKey{Namespace: tok.Namespace, Name: tok.Spec.AccountRef.Name}, acct, noCopy)
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, err
	}
	if err != nil || acct.DeletionTimestamp != nil {
		return nil, fmt.Errorf("%w: %s", ErrAccountGone, claims.AccountID)
	}
	if acct.Spec.AccountID != claims.AccountID {
		return nil, fmt.Errorf("%w: the token does not belong to account %s", ErrInvalid, claims.AccountID)
	}
	if err := v.mayAct(acct); err != nil {
		return nil, err
	}
	return &Principal{Account: acct, Credential: principal.LunaToken, Token: tok, Claims: claims}, nil
}

// tokenOf finds the undeleted Token with tokenID whose Secret holds raw as its JWT.
func (v *Verifier) tokenOf(ctx context.Context, tokenID, raw string) (*tenancyv1alpha1.Token, error) {
	toks := &tenancyv1alpha1.TokenList{}
	if err := v.Cache.List(ctx, toks, byField(index.TokenID, tokenID), noCopy); err != nil {
		return nil, err
	}
	superseded := false
	for i := range toks.Items {
		tok := &toks.Items[i]
		if tok.DeletionTimestamp != nil || tok.Spec.TokenID != tokenID {
			continue
		}
		current, err := v.currentJWT(ctx, tok)
		if err != nil {
			return nil, err
		}
		// The conversion inside the comparison does not allocate.
		if string(current) == raw {
			return tok, nil
		}
		superseded = superseded || len(current) > 0
	}
	if superseded {
		return nil, fmt.Errorf("%w: token %s holds another JWT now (re-issued or re-signed)", ErrTokenGone, tokenID)
	}
	return nil, fmt.Errorf("%w: token %s was revoked", ErrTokenGone, tokenID)
}

// currentJWT is the JWT in tok's Secret, or nil when there is none. The Secret must be the
// Token's own: the controller writes only those.
func (v *Verifier) currentJWT(ctx context.Context, tok *tenancyv1alpha1.Token) ([]byte, error) {
	s := &corev1.Secret{}
	if err := v.Cache.Get(ctx, client.ObjectKey{Namespace: tok.Namespace, Name: tok.CurrentSecretName()}, s, noCopy); err != nil {
		return nil, client.IgnoreNotFound(err)
	}
	if !metav1.IsControlledBy(s, tok) {
		return nil, nil
	}
	return s.Data[tokenSecretKey], nil
}

// HashGate is taken before a password hash is computed and released after it; its error
// refuses the check instead. The REST layer bounds the hashes in flight with it.
type HashGate func() (release func(), err error)

// VerifyPassword checks a login and password. A missing login still costs one hash, so that
// timing tells nothing about which logins exist. A pair that matched lately costs no hash
// (passwords.go).
func (v *Verifier) VerifyPassword(ctx context.Context, login, plaintext string) (*Principal, error) {
	return v.VerifyPasswordGated(ctx, login, plaintext, nil)
}

// VerifyPasswordGated is VerifyPassword that takes gate (when not nil) around any hash it
// computes; a remembered pair does not take it.
func (v *Verifier) VerifyPasswordGated(ctx context.Context, login, plaintext string, gate HashGate) (*Principal, error) {
	acct, hash, err := v.passwordOf(ctx, login)
	if err != nil {
		return nil, err
	}
	var key passwordKey
	if hash != "" {
		key = v.passwords.key(login, plaintext)
	}
	hit := hash != "" && v.passwords.matches(key, acct.UID, hash, v.now())
	if !hit {
		if err := v.checkShared(key, acct, plaintext, hash, gate); err != nil {
			return nil, err
		}
	}
	if err := v.mayAct(acct); err != nil {
		if hit {
			v.passwords.forget(key)
		}
		return nil, err
	}
	if !hit {
		v.passwords.remember(key, acct.UID, hash, v.now())
	}
	return &Principal{Account: acct, Credential: principal.Password}, nil
}

// passwordOf finds the undeleted Account with login and its password hash; the hash is "" when
// there is no such Account or it has no hash of its own.
func (v *Verifier) passwordOf(ctx context.Context, login string) (*tenancyv1alpha1.Account, string, error) {
	accts := &tenancyv1alpha1.AccountList{}
	if err := v.Cache.List(ctx, accts, byField(index.AccountLogin, login), noCopy); err != nil {
		return nil, "", err
	}
	if len(accts.Items) != 1 || accts.Items[0].DeletionTimestamp != nil {
		return nil, "", nil
	}
	a := &accts.Items[0]
	s := &corev1.Secret{}
	err := v.Cache.Get(ctx, client.ObjectKey{Namespace: a.Namespace, Name: credential.SecretName(a.Name)}, s, noCopy)
	if client.IgnoreNotFound(err) != nil {
		return nil, "", err
	}
	// Only the Account's own (or its pending) hash counts: anyone with Secret rights in the
	// namespace could plant a Secret of that name.
	return a, credential.HashFor(a, s), nil
}

// checkShared is checkHash, shared by the checks of one login and password against one hash of
// one Account that arrive while it runs: they wait for its outcome instead of each taking a
// hashing slot, or being refused one. A client sending the same Basic credentials many at a
// time (when their remembered match expires, or on its first burst) then costs one hash, not a
// burst of 429s. The key is the keyed HMAC of login and password, so a check shares only with
// checks of exactly the same credentials.
func (v *Verifier) checkShared(key passwordKey, acct *tenancyv1alpha1.Account, plaintext, hash string, gate HashGate) error {
	if hash == "" { // no Account, or none with a password: a dummy hash, never shared
		return checkHash(plaintext, hash, gate)
	}
	_, err, _ := v.hashing.Do(string(key[:])+"\x00"+string(acct.UID)+"\x00"+hash, func() (any, error) {
		return nil, checkHash(plaintext, hash, gate)
	})
	return err
}

// checkHash verifies plaintext against hash inside gate; an empty hash costs a dummy hash and
// never matches.
func checkHash(plaintext, hash string, gate HashGate) error {
	if gate != nil {
		release, err := gate()
		if err != nil {
			return err
		}
		defer release()
	}
	if hash == "" {
		password.VerifyDummy(plaintext)
		return ErrWrongPassword
	}
	if ok, err := password.Verify(plaintext, hash); err != nil || !ok {
		return ErrWrongPassword
	}
	return nil
}

// VerifyAccountID reports whether an account id names an Account that may act.
func (v *Verifier) VerifyAccountID(ctx context.Context, accountID string) (*Principal, error) {
	acct, err := v.accountByID(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if err := v.mayAct(acct); err != nil {
		return nil, err
	}
	return &Principal{Account: acct}, nil
}

func (v *Verifier) accountByID(ctx context.Context, id string) (*tenancyv1alpha1.Account, error) {
	accts := &tenancyv1alpha1.AccountList{}
	if err := v.Cache.List(ctx, accts, byField(index.AccountID, id), noCopy); err != nil {
		return nil, err
	}
	if len(accts.Items) == 0 || accts.Items[0].DeletionTimestamp != nil {
		return nil, fmt.Errorf("%w: %s", ErrAccountGone, id)
	}
	return &accts.Items[0], nil
}

// mayAct refuses disabled, unapproved and locked Accounts.
func (v *Verifier) mayAct(acct *tenancyv1alpha1.Account) error {
	if acct.Spec.Disabled {
		return fmt.Errorf("%w: account %s is disabled", ErrDisabled, acct.Spec.Login)
	}
	if acct.Spec.Approval != "" && acct.Spec.Approval != tenancyv1alpha1.ApprovalApproved {
		return fmt.Errorf("%w: account %s is %s", ErrNotApproved, acct.Spec.Login, acct.Spec.Approval)
	}
	lockedBy, reason, ok := v.Forest.Lock(tenancyv1alpha1.GroupOfNamespace(acct.Namespace))
	if !ok {
		// The tree is filled from the cache; a Group it lacks is one not reconciled yet.
		return fmt.Errorf("%w: the Group of account %s is not known yet", ErrUnavailable, acct.Spec.Login)
	}
	if lockedBy != "" {
		if reason != "" {
			reason = " (" + reason + ")"
		}
		return fmt.Errorf("%w: Group %s is locked%s", ErrLocked, lockedBy, reason)
	}
	return nil
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}
