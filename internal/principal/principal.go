// Package principal is the one model of who a request acts for, shared by the verifier, the
// authentication layer and every REST API: the Account, how it authenticated (password, Luna
// token, sign-in session) with what that credential carries, and the Account's Admin grants.
// APIs ask a Principal questions and keep their policies in their own packages.
package principal

import (
	"slices"
	"sync"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/jwt"
)

// Credential is what a request authenticated with.
type Credential uint8

const (
	// NoCredential: the principal was looked up, not authenticated (POST /1/verifier by
	// account_id).
	NoCredential Credential = iota
	// Password: a login and password (HTTP Basic, or a sign-in endpoint's body).
	Password
	// LunaToken: the JWT of a Token (Bearer); Token and Claims are set.
	LunaToken
	// Session: a sign-in session JWT of ote-stack or the identity API; Session is set.
	Session
)

// Principal is who a credential stands for. The objects are the cache's: never modify them.
// A Principal serves one request; its Admin grants are read on first use and remembered.
type Principal struct {
	Account    *tenancyv1alpha1.Account
	Credential Credential
	// Token and Claims are set for LunaToken.
	Token  *tenancyv1alpha1.Token
	Claims *jwt.Claims
	// Session is set for Session.
	Session *jwt.SessionClaims

	dir    *Directory
	once   sync.Once
	grants []Grant
	err    error
}

// Group is the name of the Group the Account belongs to.
func (p *Principal) Group() string {
	return tenancyv1alpha1.GroupOfNamespace(p.Account.Namespace)
}

// IsSelf reports whether a is the principal's own Account.
func (p *Principal) IsSelf(a *tenancyv1alpha1.Account) bool {
	return a.Namespace == p.Account.Namespace && a.Name == p.Account.Name
}

// IsAccountType reports the Account's Luna account type (an unset type is a user).
func (p *Principal) IsAccountType(t tenancyv1alpha1.AccountType) bool {
	have := p.Account.Spec.Type
	if have == "" {
		have = tenancyv1alpha1.AccountTypeUser
	}
	return have == t
}

// IsToken reports a Luna token credential.
func (p *Principal) IsToken() bool { return p.Credential == LunaToken }

// TokenVerb reports whether the credential permits verb on /1/tokens: a Luna token by its own
// "token" permission; every other credential acts with its Account's full rights.
func (p *Principal) TokenVerb(verb tenancyv1alpha1.CRUDVerb) bool {
	if !p.IsToken() {
		return true
	}
	return slices.Contains(p.Token.Spec.Permissions.Token, verb)
}

// VisibilityAll reports a Luna token whose visibility_area is "all" (the default); false for
// every other credential.
func (p *Principal) VisibilityAll() bool {
	if !p.IsToken() {
		return false
	}
	v := p.Token.Spec.VisibilityArea
	return v == "" || v == tenancyv1alpha1.VisibilityAll
}

// Audience is the audience of a session credential (jwt.AudienceOTE, jwt.AudienceIdentity);
// "" for every other credential.
func (p *Principal) Audience() string {
	if p.Session == nil {
		return ""
	}
	return p.Session.Audience
}
