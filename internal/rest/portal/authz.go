package portal

import (
	"mime"
	"net/http"
	"slices"
	"strings"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/tree"
)

// Who may do what (the OpenAPI document says the same):
//
//   - Open without credentials: the families Tessera does not implement (501), GET /docs/spec.
//     Everything else needs credentials (credentials below): the SESSION cookie, HTTP Basic
//     login:password. Without any: 401. An account whose group or an ancestor has an enabled
//     IP allow-list is refused from elsewhere (403 {client_ip, message}; logon_ips.go).
//   - A caller's role follows from its Admin grant: tenancyv1alpha1.GroupAdminRole of its Group's
//     kind and its access type: root_admin on the root Group only, partner_admin on kinds 10–31,
//     company_admin on 40, unit_admin on 50, readonly_admin with access type exactly 1. An
//     Account without a grant (a service user) has no role; tenant_viewer is never granted.
//   - Each route carries the seed's AllowedTo list: a role outside it answers 403. Routes the
//     seed annotates with none take any authenticated caller.
//   - Then the access bits of the grant: writes to groups, admins, users and settings need
//     write (4); brand and logo writes need branding (2).
//   - Everyone acts only inside its own Group's subtree: a target outside answers 403 (inScope),
//     and search shows nothing outside it.
//   - A write inside a locked subtree answers 423 naming the locking group (mayWrite; admission
//     refuses it too). Accounts inside a locked subtree are refused at authentication (423).

// writeBit is the access bit writes need: ReadWrite (5) less Read (1).
const writeBit = tenancyv1alpha1.AccessReadWrite &^ tenancyv1alpha1.AccessRead

// The seed's AllowedTo lists.
var (
	allFive = []tenancyv1alpha1.PortalRole{tenancyv1alpha1.RoleRootAdmin, tenancyv1alpha1.RolePartnerAdmin,
		tenancyv1alpha1.RoleCompanyAdmin, tenancyv1alpha1.RoleUnitAdmin, tenancyv1alpha1.RoleReadonlyAdmin}
	readWriteFour      = allFive[:4]
	rootPartnerCompany = allFive[:3]
	rootPartner        = allFive[:2]
	rootOnly           = allFive[:1]
)

// policy is who may call a route.
type policy struct {
	// open routes take no credentials; their handler gets a nil caller.
	open bool
	// roles is the seed's AllowedTo; nil when it annotates none.
	roles []tenancyv1alpha1.PortalRole
	// bits are the access bits the caller's grant must hold.
	bits tenancyv1alpha1.AccessType
	// media are the media types a request body may have ("image/*" takes any image); nil
	// means application/json only.
	media []string
}

// accepting is p for a route whose body is one of media rather than JSON.
func (p policy) accepting(media ...string) policy {
	p.media = media
	return p
}

// The policies of the route table.
var (
	openPolicy = policy{open: true}
	// anyCaller: a route the seed annotates with no AllowedTo.
	anyCaller = policy{}
	readers   = policy{roles: allFive}
	writers   = policy{roles: readWriteFour, bits: writeBit}
	deleters  = policy{roles: rootPartnerCompany, bits: writeBit}
	partners  = policy{roles: rootPartner, bits: writeBit}
	branders  = policy{roles: rootPartner, bits: tenancyv1alpha1.AccessBranding}
	roots     = policy{roles: rootOnly, bits: writeBit}
)

// admits checks the caller's role and access bits.
func (p policy) admits(c *caller) error {
	if p.roles != nil && !slices.Contains(p.roles, c.role) {
		if c.role == "" {
			return errForbidden("only administrators may do this; the account holds no Admin grant")
		}
		return errForbidden("a %s may not do this; allowed: %s", c.role, joinRoles(p.roles))
	}
	if c.access&p.bits != p.bits {
		return errForbidden("the administrator's access type %d lacks the access bit %d", c.access, p.bits)
	}
	return nil
}

func joinRoles(roles []tenancyv1alpha1.PortalRole) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// caller is who a request acts for: the shared principal, and its place in the portal.
type caller struct {
	*principal.Principal
	// home is the caller's Group: where its Account, and so its grant, lives.
	home string
	// role is "" for an Account without an Admin grant.
	role tenancyv1alpha1.PortalRole
	// access is the union of the access types of the Account's grants.
	access tenancyv1alpha1.AccessType
	forest *tree.Forest
}

// inScope reports whether group lies in the caller's subtree (its own Group or below).
func (c *caller) inScope(group string) bool {
	return c.forest != nil && c.forest.IsAncestor(c.home, group)
}

// scoped refuses a group outside the caller's subtree.
func (c *caller) scoped(g *tenancyv1alpha1.Group) error {
	if !c.inScope(g.Name) {
		return errForbidden("group %d is outside the caller's subtree", g.Spec.ID)
	}
	return nil
}

// handler serves one route for a caller (nil on open routes).
type handler func(w http.ResponseWriter, r *http.Request, c *caller) error

// serve authenticates the request once, checks the route's policy and runs its handler; every
// error goes out through writeErr.
func (a *API) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c *caller
		if !rt.who.open {
			var err error
			if c, err = a.authenticate(r); err == nil {
				err = rt.who.admits(c)
			}
			if err == nil {
				err = rt.who.bodyAccepted(r)
			}
			if err != nil {
				writeErr(w, r, err)
				return
			}
		}
		if err := rt.h(w, r, c); err != nil {
			writeErr(w, r, err)
		}
	})
}

// bodyAccepted refuses a request body not declared as one of the route's media types
// (application/json unless the route says otherwise), whatever the method: the seed answers
// 415 for one even on GETs (settings, settings/flags).
func (p policy) bodyAccepted(r *http.Request) error {
	if r.ContentLength == 0 {
		return nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if p.media == nil {
		if err != nil || mt != "application/json" {
			return rest.ErrNotJSON
		}
		return nil
	}
	for _, m := range p.media {
		if err == nil && (mt == m || strings.HasSuffix(m, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(m, "*"))) {
			return nil
		}
	}
	return newErr(http.StatusUnsupportedMediaType, "the request body must be %s", strings.Join(p.media, " or "))
}

// credentialSource looks for one kind of credential in a request: (nil, nil) when the request
// carries none of its kind. Its errors are package verify's (wrong password, expired, locked),
// which writeErr classifies.
type credentialSource func(r *http.Request) (*principal.Principal, error)

// credentials are the kinds of credential a request may carry, in the order they are looked
// for; the first one found decides (a wrong one is not retried with the next). The portal's
// own (the SESSION cookie, a portal JWT as Bearer or ?jwt=, ?access_token= on GET
// /groups/{group}) go here, ahead of Basic, from a file of their own.
func (a *API) credentials() []credentialSource {
	return []credentialSource{a.portalJWT, a.basic, a.sessionCookie}
}

// basic is HTTP Basic with an Account's login and password, under the shared login
// protections (lockout, hashes in flight).
func (a *API) basic(r *http.Request) (*principal.Principal, error) {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Basic") {
		return nil, nil
	}
	return a.Auth.Authenticate(r)
}

// authenticate finds the request's credential and places its principal in the portal.
func (a *API) authenticate(r *http.Request) (*caller, error) {
	if a.Auth == nil {
		return nil, newErr(http.StatusServiceUnavailable, "authentication is not configured")
	}
	for _, source := range a.credentials() {
		p, err := source(r)
		if err != nil {
			return nil, lockedOut(err)
		}
		if p != nil {
			if err := a.admitAddress(r, p); err != nil {
				return nil, err
			}
			return a.callerOf(r, p)
		}
	}
	return nil, errUnauthenticated()
}

// callerOf derives the portal role of p from its Admin grants and its Group's kind.
func (a *API) callerOf(r *http.Request, p *principal.Principal) (*caller, error) {
	c := &caller{Principal: p, home: p.Group(), forest: a.Forest}
	grants, err := actingGrants(r.Context(), p)
	if err != nil {
		return nil, err
	}
	grants = chosenGrants(p, grants)
	for _, g := range grants {
		access := g.Admin.Spec.AccessType
		if access == 0 {
			access = tenancyv1alpha1.AccessFull // the CRD's default
		}
		c.access |= access
	}
	if len(grants) == 0 {
		return c, nil
	}
	node, ok := a.Forest.Get(c.home)
	if !ok {
		return c, nil
	}
	c.role, _ = tenancyv1alpha1.GroupAdminRole(c.home, tenancyv1alpha1.GroupKind(node.Kind), c.access)
	return c, nil
}
