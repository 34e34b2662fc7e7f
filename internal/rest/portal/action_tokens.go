package portal

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/verify"
)

// An action token is the credential of one account flow: a session JWT signed with Tessera's
// keys, whose audience is its purpose (jwt.AudienceAction*), so that a token of one flow is
// refused by the others; it expires (activation after 7 days, the others after an hour) and
// serves once: its jti goes on the shared revocation list as it is used, which every replica
// sees at once. It names the Account by its UUID (sub) and its login at issue (uid): a login
// changed since voids it.

// action is one token-based account flow.
type action struct {
	// name is the flow's path segment and the seed's "action" ("activate", "reset",
	// "emailupdate").
	name     string
	audience string
	ttl      time.Duration
	// noun names its tokens in messages.
	noun string
}

var (
	actionActivate    = action{"activate", jwt.AudienceActionActivate, 7 * 24 * time.Hour, "activation"}
	actionReset       = action{"reset", jwt.AudienceActionReset, time.Hour, "password reset"}
	actionEmailUpdate = action{"emailupdate", jwt.AudienceActionEmailUpdate, time.Hour, "e-mail update"}
)

// sessions are the issuer and verifier of session JWTs, action tokens among them.
func (a *API) sessions() (*verify.Sessions, error) {
	if a.Auth == nil || a.Auth.Sessions == nil || a.Auth.Sessions.Verifier == nil {
		return nil, newErr(http.StatusServiceUnavailable, "the signing of tokens is not configured")
	}
	return a.Auth.Sessions, nil
}

// issueAction signs a token of act for acct, a member of g; email is the address the token
// is for (the new one for an e-mail update).
func (a *API) issueAction(act action, acct *tenancyv1alpha1.Account, g *tenancyv1alpha1.Group, email string) (string, error) {
	s, err := a.sessions()
	if err != nil {
		return "", err
	}
	tok, _, err := s.IssuePortal(acct, act.audience, act.ttl, &jwt.PortalClaims{Login: acct.Spec.Login, Email: email,
		Name: fullName(acct), TenantID: strconv.FormatInt(g.Spec.ID, 10)})
	return tok, err
}

// actionToken is a verified action token: its claims, its Account and the Account's Group
// (the cache's objects: copy before changing them).
type actionToken struct {
	act    action
	claims *jwt.SessionClaims
	acct   *tenancyv1alpha1.Account
	group  *tenancyv1alpha1.Group
}

// verifyAction checks the request's ?token= as a token of act: signature, purpose, expiry,
// not used yet, an Account that still exists under the login it was issued for, outside a
// locked subtree (423). Whether the Account may sign in is the flow's business: activation is
// for Accounts that cannot yet.
func (a *API) verifyAction(r *http.Request, act action) (*actionToken, error) {
	ctx := r.Context()
	values, ok := r.URL.Query()["token"]
	switch {
	case !ok || values[0] == "":
		return nil, newErr(http.StatusUnauthorized, "the token query parameter is required: the link of the e-mail carries it")
	case len(values) > 1:
		return nil, errBadParam("token", "must be given once")
	}
	s, err := a.sessions()
	if err != nil {
		return nil, err
	}
	set := s.Verifier.Keys.Load()
	if set == nil {
		return nil, verify.ErrUnavailable
	}
	now := time.Now()
	if s.Verifier.Now != nil {
		now = s.Verifier.Now()
	}
	claims, err := jwt.VerifySession(values[0], set, s.Verifier.Issuer, act.audience, now)
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return nil, newErr(http.StatusUnauthorized, "the %s token has expired: ask for a new one", act.noun)
	case err != nil || claims.Portal == nil:
		return nil, newErr(http.StatusUnauthorized, "the token is not a valid %s token", act.noun)
	}
	if s.Revocations == nil {
		return nil, verify.ErrUnavailable
	}
	if used, err := s.Revocations.Revoked(ctx, claims.ID); err != nil {
		return nil, err
	} else if used {
		return nil, newErr(http.StatusUnauthorized, "the %s token was used already: ask for a new one", act.noun)
	}
	acct, err := people.ByIndex[*tenancyv1alpha1.Account](ctx, a.Client, index.AccountID, claims.Subject)
	if err != nil {
		return nil, err
	}
	if acct == nil || acct.Spec.Login != claims.Portal.Login {
		return nil, errNotFound("the account of the %s token no longer exists under the login it was issued for", act.noun)
	}
	g, err := a.groupOfAccount(ctx, acct)
	if err != nil {
		return nil, err
	}
	if err := a.unlocked(ctx, g.Name); err != nil {
		return nil, err
	}
	return &actionToken{act: act, claims: claims, acct: acct, group: g}, nil
}

// consume uses the token up, on every replica, before its change is made: a token whose
// change then fails is spent too (ask for a new one), but none serves twice, not even to two
// uses at one moment (Spend fails all but one).
func (a *API) consume(ctx context.Context, t *actionToken) error {
	s, err := a.sessions()
	if err != nil {
		return err
	}
	return s.Spend(ctx, t.claims)
}

// activated reports whether acct can sign in: approved, enabled, and with a password.
func (a *API) activated(ctx context.Context, acct *tenancyv1alpha1.Account) (bool, error) {
	if acct.Spec.Disabled || acct.Spec.Approval != "" && acct.Spec.Approval != tenancyv1alpha1.ApprovalApproved {
		return false, nil
	}
	if acct.Spec.PasswordSecretRef != nil {
		return true, nil
	}
	s := &corev1.Secret{}
	err := a.Client.Get(ctx, client.ObjectKey{Namespace: acct.Namespace, Name: credential.SecretName(acct.Name)}, s)
	if err != nil {
		return false, client.IgnoreNotFound(err)
	}
	return credential.HashFor(acct, s) != "", nil
}

// fullName is the Account's first and last name, or its login when it has neither.
func fullName(acct *tenancyv1alpha1.Account) string {
	if n := strings.TrimSpace(acct.Spec.Profile.FirstName + " " + acct.Spec.Profile.LastName); n != "" {
		return n
	}
	return acct.Spec.Login
}
