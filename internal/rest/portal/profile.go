package portal

import (
	"cmp"
	"context"
	"net/http"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/tree"
)

// Profiles: one per Admin grant of the signed-in Account (`id` and `uuid` the Admin's, `user_id`
// the Account's), or one for an Account without a grant (a service user: `id` the Account's
// too). /profiles lists them all; /profile shows the one the session acts as.

// profile is the seed's profile object. Tessera has no MFA, services, storage links or
// terms to accept: those answer their empty values.
type profile struct {
	ID                    int64        `json:"id"`
	UUID                  string       `json:"uuid"`
	UserID                int64        `json:"user_id"`
	AccountGroupID        int64        `json:"account_group_id"`
	Login                 string       `json:"login"`
	FirstName             string       `json:"firstname"`
	LastName              string       `json:"lastname"`
	Email                 string       `json:"email"`
	Language              string       `json:"language"`
	AccessType            int32        `json:"access_type"`
	Roles                 int32        `json:"roles"`
	Privileged            int          `json:"privileged"`
	AllowMovingGroups     int          `json:"allow_moving_groups"`
	Brand                 *int64       `json:"brand"`
	SMTPBrand             *int64       `json:"smtp_brand"`
	IntegrationActive     int          `json:"integration_active"`
	Group                 profileGroup `json:"group"`
	Links                 profileLinks `json:"links"`
	Services              []any        `json:"services"`
	TermsAccepted         int          `json:"terms_accepted"`
	PlatformTermsAccepted int          `json:"platform_terms_accepted"`
	PrivacyPolicyAccepted int          `json:"privacy_policy_accepted"`
	MFAStatus             string       `json:"mfa_status"`
	SessionMFAStatus      string       `json:"session_mfa_status"`
	Version               int64        `json:"version"`
}

type profileGroup struct {
	CustomerType int64  `json:"customer_type"`
	ID           int64  `json:"id"`
	UUID         string `json:"uuid"`
	Kind         int32  `json:"kind"`
	Language     string `json:"language"`
	Name         string `json:"name"`
}

type profileLinks struct {
	AStorageDoc          string `json:"astorage_doc"`
	AStorageGatewayGuide string `json:"astorage_gateway_guide"`
	AStorageGuide        string `json:"astorage_guide"`
	AStorageISO          string `json:"astorage_iso"`
	VideoTutorial        string `json:"video_tutorial"`
	HCIGuide             string `json:"hci_guide"`
	HCIISO               string `json:"hci_iso"`
}

func (a *API) profileRoutes() []route {
	return []route{
		{"GET /profile", readers, a.getProfile},
		{"GET /profiles", readers, a.getProfiles},
	}
}

func (a *API) getProfile(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := a.currentProfile(r.Context(), c.Principal)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// getProfiles answers a bare array, as the seed does.
func (a *API) getProfiles(w http.ResponseWriter, r *http.Request, c *caller) error {
	ps, err := a.profilesOf(r.Context(), c.Principal)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ps)
	return nil
}

// currentProfile is the profile p acts as: its session's chosen grant, else its first.
func (a *API) currentProfile(ctx context.Context, p *principal.Principal) (profile, error) {
	ps, err := a.profilesOf(ctx, p)
	if err != nil {
		return profile{}, err
	}
	if p.Session != nil && p.Session.Portal != nil && p.Session.Portal.AdminID != 0 {
		for _, pr := range ps {
			if pr.ID == p.Session.Portal.AdminID {
				return pr, nil
			}
		}
		return profile{}, errNotFound("the administrator this session signed in as no longer exists")
	}
	return ps[0], nil
}

// profilesOf lists p's profiles, by id: one per grant, or the Account's own without one.
func (a *API) profilesOf(ctx context.Context, p *principal.Principal) ([]profile, error) {
	grants, err := p.Grants(ctx)
	if err != nil {
		return nil, err
	}
	g := &tenancyv1alpha1.Group{}
	if err := a.Client.Get(ctx, client.ObjectKey{Name: p.Group()}, g); err != nil {
		return nil, err
	}
	acct := p.Account
	base := profileOf(acct, g)
	if len(grants) == 0 {
		return []profile{base}, nil
	}
	out := make([]profile, 0, len(grants))
	for _, gr := range grants {
		pr := base
		adm := gr.Admin
		access := adm.Spec.AccessType
		if access == 0 {
			access = tenancyv1alpha1.AccessFull
		}
		pr.ID, pr.UUID, pr.Version = adm.Spec.ID, adm.Spec.UUID, adm.Generation
		pr.AccessType, pr.Roles = int32(access), adm.Spec.Roles
		pr.AllowMovingGroups = flag(access&writeBit != 0)
		out = append(out, pr)
	}
	slices.SortFunc(out, func(x, y profile) int { return cmp.Compare(x.ID, y.ID) })
	return out, nil
}

// profileOf is acct's profile in its group g, before any grant.
func profileOf(acct *tenancyv1alpha1.Account, g *tenancyv1alpha1.Group) profile {
	f := fieldsOf(g)
	pr := acct.Spec.Profile
	lang := pr.Language
	if lang == "" {
		lang = language(g)
	}
	return profile{
		ID: acct.Spec.ID, UUID: acct.Spec.AccountID, UserID: acct.Spec.ID, AccountGroupID: g.Spec.ID,
		Login: acct.Spec.Login, FirstName: pr.FirstName, LastName: pr.LastName, Email: pr.Email, Language: lang,
		Brand: f.Brand, SMTPBrand: f.Brand,
		Group: profileGroup{CustomerType: f.CustomerType, ID: g.Spec.ID, UUID: g.Spec.UUID, Kind: int32(g.Spec.Kind),
			Language: language(g), Name: tree.DisplayName(g)},
		Services: []any{}, MFAStatus: "disabled", SessionMFAStatus: "passed_or_not_required", Version: acct.Generation,
	}
}
