package portal

import (
	"net/http"
	"net/netip"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/allowlist"
	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/rest"
)

// The IP allow-lists: GET, POST and DELETE /groups/{group}/settings/logon_ips and their twins
// under /limits/, over the Group's spec.settings.logonIPs.
//
// An enabled list applies to every authentication of an account of its group or below, with
// any credential, at sign-in and on every request after. Every enabled list from the root down
// to the account's group must admit the client: a group cannot widen what an ancestor allows.
// Refused: the seed's 403 {client_ip, message}, not the envelope.

func (a *API) logonIPRoutes() []route {
	rs := make([]route, 0, 6)
	for _, base := range []string{"/groups/{group}/settings/logon_ips", "/groups/{group}/limits/logon_ips"} {
		rs = append(rs,
			route{"GET " + base, readers, a.getLogonIPs},
			route{"POST " + base, writers, a.setLogonIPs},
			route{"DELETE " + base, writers, a.disableLogonIPs})
	}
	return rs
}

// logonIPs is the seed's logon_ips object.
type logonIPs struct {
	Status int      `json:"status"`
	Items  []string `json:"items"`
}

func (a *API) getLogonIPs(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	l := g.Spec.Settings.LogonIPs
	writeJSON(w, http.StatusOK, logonIPs{Status: flag(l.Enabled), Items: append([]string{}, l.Items...)})
	return nil
}

// setLogonIPs stores the list and enables it. An empty list is refused: it would shut every
// account of the subtree out; DELETE disables the list instead.
func (a *API) setLogonIPs(w http.ResponseWriter, r *http.Request, c *caller) error {
	var body struct {
		Items *[]string `json:"items"`
	}
	if err := rest.DecodeJSON(r, &body); err != nil {
		return err
	}
	if body.Items == nil {
		return errBadField("items", "is required")
	}
	if len(*body.Items) == 0 {
		return errBadField("items", "must list at least one address; DELETE disables the list")
	}
	if err := checkAllowList(*body.Items); err != nil {
		return err
	}
	return a.writeLogonIPs(w, r, c, tenancyv1alpha1.LogonIPs{Enabled: true, Items: *body.Items})
}

// disableLogonIPs turns the list off; its items are kept (GET shows them with status 0).
func (a *API) disableLogonIPs(w http.ResponseWriter, r *http.Request, c *caller) error {
	return a.writeLogonIPs(w, r, c, tenancyv1alpha1.LogonIPs{})
}

// writeLogonIPs sets the group's list to want (nil items: keep the stored ones) and answers
// the seed's "Success".
func (a *API) writeLogonIPs(w http.ResponseWriter, r *http.Request, c *caller, want tenancyv1alpha1.LogonIPs) error {
	ctx := r.Context()
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	_, err = a.updateGroup(r, g, func(g, next *tenancyv1alpha1.Group) error {
		if err := a.mayWrite(ctx, c, g); err != nil {
			return err
		}
		l := &next.Spec.Settings.LogonIPs
		l.Enabled = want.Enabled
		if want.Items != nil {
			l.Items = want.Items
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeSuccess(w)
}

// admitAddress refuses p when the client's address is outside an enabled allow-list of p's
// group or of an ancestor.
func (a *API) admitAddress(r *http.Request, p *principal.Principal) error {
	if a.Forest == nil || a.Client == nil {
		return nil
	}
	group := p.Group()
	info, ok := a.Forest.Info(group)
	if !ok {
		return nil // verification refuses an account whose group the tree lacks
	}
	var addr netip.Addr
	for _, name := range slices.Concat(info.Path, []string{group}) {
		g := &tenancyv1alpha1.Group{}
		if err := a.Client.Get(r.Context(), client.ObjectKey{Name: name}, g, client.UnsafeDisableDeepCopy); err != nil {
			if client.IgnoreNotFound(err) != nil {
				return err
			}
			continue
		}
		l := g.Spec.Settings.LogonIPs
		if !l.Enabled {
			continue
		}
		if !addr.IsValid() {
			addr = clientAddr(r, a.TrustedProxies)
		}
		if !allowlist.Admits(l.Items, addr) {
			return errAddressRefused(addr)
		}
	}
	return nil
}

// errAddressRefused is the seed's non-envelope 403 of a client outside an allow-list.
func errAddressRefused(addr netip.Addr) *apiError {
	ip := "unknown"
	if addr.IsValid() {
		ip = addr.String()
	}
	msg := "access from your IP '" + ip + "' address is not allowed"
	return &apiError{Status: http.StatusForbidden, Info: msg, Body: map[string]string{"client_ip": ip, "message": msg}}
}
