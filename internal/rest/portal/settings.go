package portal

import (
	"context"
	"net/http"
	"strings"
	"sync"

	k8serrors "k8s.io/apimachinery/pkg/api/errors"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/rest"
)

// settingsRoutes are the family of group settings, watchers, quotas and branding.
func (a *API) settingsRoutes() []route {
	return []route{
		{"GET /groups/{group}/settings", readers, a.getSettings},
		{"GET /groups/{group}/settings/flags", readers, a.getFlags},
		{"POST /groups/{group}/settings/flags", writers, a.postFlags},
		{"GET /groups/{group}/settings/local_backup_restriction", readers, a.getLocalBackupRestriction},
		{"POST /groups/{group}/settings/local_backup_restriction", writers, a.postLocalBackupRestriction},
		{"GET /groups/{group}/settings/agents_autoupdate", readers, a.getAutoupdate},
		{"POST /groups/{group}/settings/agents_autoupdate", partners, a.postAutoupdate},
		{"GET /groups/{group}/agents/autoupdate", readers, a.getAutoupdate},
		{"POST /groups/{group}/agents/autoupdate", partners, a.postAutoupdate},
		{"GET /groups/{group}/quota_exceedance", readers, a.getQuotaExceedance},
		{"GET /groups/{group}/watchers", readers, a.getWatchers},

		{"GET /branding/scheme/available", readers, a.getColorSchemes},
		{"GET /brands/{brand}", openPolicy, a.getPublicBrand},
		{"GET /groups/{group}/brand", readers, a.getBrand},
		{"POST /groups/{group}/brand", branders, a.enableBrand},
		{"PUT /groups/{group}/brand", branders, a.putBrand},
		{"DELETE /groups/{group}/brand", branders, a.disableBrand},
		{"GET /groups/{group}/logo", readers, a.getLogo},
		{"POST /groups/{group}/logo", branders.accepting("image/*", "multipart/form-data"), a.postLogo},
		{"GET /content/images/{image}", readers, a.getImage},
	}
}

// versionView is the seed's answer to a versioned write.
type versionView struct {
	Version int64 `json:"version"`
}

// writeSuccess answers the seed's 200 body of the settings writes: the JSON string "Success".
func writeSuccess(w http.ResponseWriter) error {
	writeJSON(w, http.StatusOK, success)
	return nil
}

// flagsView is the seed's group_flags: every flag, 1 unless the spec turns it off.
type flagsView struct {
	AllowAddDevices     int `json:"allow_add_devices"`
	AllowDownloadTools  int `json:"allow_download_tools"`
	AllowDownloadDocs   int `json:"allow_download_docs"`
	AllowDownloadAgents int `json:"allow_download_agents"`
}

func flagsOf(f tenancyv1alpha1.GroupFlags) flagsView {
	on := func(b *bool) int { return flag(b == nil || *b) }
	return flagsView{on(f.AllowAddDevices), on(f.AllowDownloadTools), on(f.AllowDownloadDocs), on(f.AllowDownloadAgents)}
}

// flagsInput is POST settings/flags' body: additionalProperties false, nothing required.
type flagsInput struct {
	AllowAddDevices     opt[int] `json:"allow_add_devices"`
	AllowDownloadTools  opt[int] `json:"allow_download_tools"`
	AllowDownloadDocs   opt[int] `json:"allow_download_docs"`
	AllowDownloadAgents opt[int] `json:"allow_download_agents"`
}

// flagField is a flag of the body and where spec.settings.flags keeps it.
type flagField struct {
	o   opt[int]
	dst **bool
}

// fields are the body's flags by name.
func (in *flagsInput) fields(f *tenancyv1alpha1.GroupFlags) map[string]flagField {
	return map[string]flagField{
		"allow_add_devices": {in.AllowAddDevices, &f.AllowAddDevices}, "allow_download_tools": {in.AllowDownloadTools, &f.AllowDownloadTools},
		"allow_download_docs": {in.AllowDownloadDocs, &f.AllowDownloadDocs}, "allow_download_agents": {in.AllowDownloadAgents, &f.AllowDownloadAgents},
	}
}

// logonIPsView is the seed's logon_ips_get_response, read from spec.settings.logonIPs.
type logonIPsView struct {
	Status int      `json:"status"`
	Items  []string `json:"items"`
}

func logonIPsOf(l tenancyv1alpha1.LogonIPs) logonIPsView {
	items := l.Items
	if items == nil {
		items = []string{}
	}
	return logonIPsView{Status: flag(l.Enabled), Items: items}
}

// localBackupRestriction is {status, visible}: status 1 while local backups are not
// permitted (spec.portal.privileges.localBackup.permitted false), visible the feature's
// visibility there.
type localBackupRestriction struct {
	Status  int `json:"status"`
	Visible int `json:"visible"`
}

func localBackupRestrictionOf(g *tenancyv1alpha1.Group) localBackupRestriction {
	lb := g.Spec.Portal.Privileges.LocalBackup
	return localBackupRestriction{Status: flag(lb.Permitted != nil && !*lb.Permitted), Visible: flag(lb.Visible == nil || *lb.Visible)}
}

type statusView struct {
	Status int `json:"status"`
}

func autoupdateOf(g *tenancyv1alpha1.Group) statusView {
	return statusView{flag(g.Spec.Portal.AgentsAutoupdate == nil || *g.Spec.Portal.AgentsAutoupdate)}
}

// getSettings is GET /groups/{group}/settings: the four settings at once.
func (a *API) getSettings(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"agents_autoupdate": autoupdateOf(g), "logon_ips": logonIPsOf(g.Spec.Settings.LogonIPs),
		"local_backup_restriction": localBackupRestrictionOf(g), "flags": flagsOf(g.Spec.Settings.Flags)})
	return nil
}

func (a *API) getFlags(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, flagsOf(g.Spec.Settings.Flags))
	return nil
}

// postFlags is POST /groups/{group}/settings/flags: the flags given are set, the others kept;
// with ?apply_for_children=1 on every group below too.
func (a *API) postFlags(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	children, err := flagParam(r, "apply_for_children")
	if err != nil {
		return err
	}
	var body flagsInput
	if err := rest.DecodeJSON(r, &body); err != nil {
		return err
	}
	for name, f := range body.fields(&tenancyv1alpha1.GroupFlags{}) {
		if err := checkFlag(name, f.o); err != nil {
			return err
		}
		if _, err := given(name, f.o); err != nil {
			return err
		}
	}
	err = a.changeSubtree(r.Context(), c, g, children, func(next *tenancyv1alpha1.Group) error {
		for _, f := range body.fields(&next.Spec.Settings.Flags) {
			if f.o.Set {
				*f.dst = new(f.o.V == 1)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeSuccess(w)
}

func (a *API) getLocalBackupRestriction(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, localBackupRestrictionOf(g))
	return nil
}

// statusInput is the body of the local backup restriction (status required) and of agent
// autoupdate (both required).
type statusInput struct {
	Status           opt[int] `json:"status"`
	ApplyForChildren opt[int] `json:"apply_for_children"`
}

// statusKey is the body field both take.
const statusKey = "status"

// decodeStatus reads a statusInput whose status, and apply_for_children when children is
// asked, are required 0/1 flags.
func decodeStatus(r *http.Request, children bool) (status, apply bool, err error) {
	var body statusInput
	if err := rest.DecodeJSON(r, &body); err != nil {
		return false, false, err
	}
	fields := map[string]opt[int]{statusKey: body.Status}
	if children {
		fields["apply_for_children"] = body.ApplyForChildren
	} else if body.ApplyForChildren.Set {
		return false, false, errBadField("apply_for_children", "is not a field of this body")
	}
	for name, o := range fields {
		if !o.Set || o.Null {
			return false, false, errBadField(name, "is required (0 or 1)")
		}
		if err := checkFlag(name, o); err != nil {
			return false, false, err
		}
	}
	return body.Status.V == 1, body.ApplyForChildren.V == 1, nil
}

// postLocalBackupRestriction is POST settings/local_backup_restriction: status 1 restricts
// local backups (privileges.local_backup.permitted 0), 0 permits them.
func (a *API) postLocalBackupRestriction(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	restricted, _, err := decodeStatus(r, false)
	if err != nil {
		return err
	}
	err = a.changeSubtree(r.Context(), c, g, false, func(next *tenancyv1alpha1.Group) error {
		next.Spec.Portal.Privileges.LocalBackup.Permitted = new(!restricted)
		return nil
	})
	if err != nil {
		return err
	}
	return writeSuccess(w)
}

func (a *API) getAutoupdate(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, autoupdateOf(g))
	return nil
}

// postAutoupdate is POST settings/agents_autoupdate and its twin agents/autoupdate.
func (a *API) postAutoupdate(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	on, children, err := decodeStatus(r, true)
	if err != nil {
		return err
	}
	err = a.changeSubtree(r.Context(), c, g, children, func(next *tenancyv1alpha1.Group) error {
		next.Spec.Portal.AgentsAutoupdate = new(on)
		return nil
	})
	if err != nil {
		return err
	}
	return writeSuccess(w)
}

// exceedances are the quotas GET quota_exceedance reports, a line each: its key, the
// privileges' quota, the usage's count.
var exceedances = table(`
	virtualhosts        quota_virtualhosts_hard          virtualhost_count
	workstations        quota_workstations_hard          workstation_count
	servers             quota_servers_hard               server_count
	winserveressentials quota_win_server_essentials_hard win_server_essential_count
	vms                 quota_vms_hard                   vm_count
	mailboxes           quota_mailboxes_hard             mailbox_count
	mobiles             quota_mobiles_hard               mobile_count
	websites            quota_websites_hard              website_count
	universal_devices   quota_universal_devices_hard     universal_devices_count`)

// table splits a text table into its rows' words.
func table(text string) [][]string {
	var rows [][]string
	for line := range strings.Lines(text) {
		if words := strings.Fields(line); len(words) > 0 {
			rows = append(rows, words)
		}
	}
	return rows
}

// getQuotaExceedance is GET /groups/{group}/quota_exceedance: 1 where the usage is above a
// quota that is not unlimited (-1). Tessera counts no devices, so its usage stays 0.
func (a *API) getQuotaExceedance(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	count := a.usageCount(g)
	quotas := fieldsOf(g).Privileges.Values
	out := make(map[string]int, len(exceedances))
	for _, e := range exceedances {
		key, quotaKey, countKey := e[0], e[1], e[2]
		quota := valueOr(quotas, quotaKey, privilegeDefaults[quotaKey])
		out[key] = flag(quota >= 0 && count(countKey) > quota)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// fanOut bounds how many Groups a write below a group changes at once.
const fanOut = 8

// changeSubtree applies change to g and, with children, to every group below it: 403
// outside the caller's subtree, 423 when any of them is locked, before anything is written.
// A group deleted meanwhile is skipped.
func (a *API) changeSubtree(ctx context.Context, c *caller, g *tenancyv1alpha1.Group, children bool,
	change func(*tenancyv1alpha1.Group) error) error {
	if err := a.mayWrite(ctx, c, g); err != nil {
		return err
	}
	targets := []string{g.Name}
	if children {
		targets = append(targets, a.Forest.Descendants(g.Name)...)
	}
	for _, name := range targets[1:] {
		if err := a.unlocked(ctx, name); err != nil {
			return err
		}
	}
	errs := make([]error, len(targets))
	sem := make(chan struct{}, fanOut)
	var wg sync.WaitGroup
	for i, name := range targets {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			_, errs[i] = a.changeGroup(ctx, name, change)
			if i > 0 && k8serrors.IsNotFound(errs[i]) {
				errs[i] = nil
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// mayWriteAt refuses a write to g outside the caller's subtree (403), in a locked one (423),
// or at another version than ?version= names (426).
func (a *API) mayWriteAt(r *http.Request, c *caller, g *tenancyv1alpha1.Group) error {
	if err := a.mayWrite(r.Context(), c, g); err != nil {
		return err
	}
	return checkVersion(r, g.Generation)
}
