package portal

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// The service kinds of GET /groups/{group}/watchers (Constants.AdminNotification).
const (
	serviceManagement = 1
	serviceBackup     = 2
)

// maxEventMask is every event bit of Constants.Notification.Backup (error 1 … critical 16).
const maxEventMask = 31

// watcher is an item of GET /groups/{group}/watchers: an administrator to notify (the
// subject), where to (recipient), and the brand and sender of the mail.
type watcher struct {
	Language             string  `json:"language"`
	SubjectFirstname     string  `json:"subject_firstname"`
	SubjectEmail         string  `json:"subject_email"`
	SubjectLastname      string  `json:"subject_lastname"`
	BrandID              *int64  `json:"brand_id"`
	SubjectLogin         *string `json:"subject_login"`
	Recipient            string  `json:"recipient"`
	SubjectHierarchyName string  `json:"subject_hierarchy_name"`
	Sender               *string `json:"sender"`
}

// watchQuery is what GET watchers asks: the events, the service, and how many levels above
// the group count (-1: all).
type watchQuery struct {
	events, service int64
	levelsUp        int
}

func parseWatchQuery(r *http.Request) (watchQuery, error) {
	q := watchQuery{levelsUp: -1}
	num := func(name string, required bool, lo, hi int64) (int64, error) {
		v := r.URL.Query()[name]
		if len(v) == 0 && !required {
			return -1, nil
		}
		n, err := strconv.ParseInt(strings.Join(v, ","), 10, 64)
		if err != nil || n < lo || n > hi {
			return 0, errBadParam(name, "must be one integer from %d to %d, not %q", lo, hi, v)
		}
		return n, nil
	}
	var err error
	if q.events, err = num("event_mask", true, 1, maxEventMask); err != nil {
		return q, err
	}
	if q.service, err = num("service_kind", true, serviceManagement, serviceBackup); err != nil {
		return q, err
	}
	up, err := num("levels_up", false, 0, 1<<16)
	q.levelsUp = int(up)
	return q, err
}

// watches reports whether an administrator's notification settings ask for q: management
// notifications are one switch; backup ones a mask of events, any of which counts.
func (q watchQuery) watches(n tenancyv1alpha1.AdminNotifications) bool {
	if q.service == serviceManagement {
		return n.Management
	}
	return int64(n.Backup)&q.events != 0
}

// getWatchers is GET /groups/{group}/watchers?event_mask=&service_kind=&levels_up=: the
// administrators of the group and of the groups above it (levels_up of them, all when absent)
// whose notification settings match, nearest group first; a bare array. Disabled accounts and
// accounts without an e-mail address are not notified.
func (a *API) getWatchers(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	q, err := parseWatchQuery(r)
	if err != nil {
		return err
	}
	info, _ := a.Forest.Info(g.Name)
	line := append(slices.Clone(info.Path), g.Name) // root … g
	out := []watcher{}
	for i := range slices.Backward(line) {
		if q.levelsUp >= 0 && len(line)-1-i > q.levelsUp {
			break
		}
		found, err := a.watchersIn(r.Context(), line[:i+1], q)
		if err != nil {
			return err
		}
		out = append(out, found...)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// watchersIn are the matching administrators of the last group of line (root … group), by
// admin id.
func (a *API) watchersIn(ctx context.Context, line []string, q watchQuery) ([]watcher, error) {
	name := line[len(line)-1]
	g := &tenancyv1alpha1.Group{}
	if err := a.Client.Get(ctx, client.ObjectKey{Name: name}, g); err != nil {
		return nil, client.IgnoreNotFound(err)
	}
	accts, admins, err := a.members(ctx, tenancyv1alpha1.GroupNamespace(name))
	if err != nil {
		return nil, err
	}
	slices.SortFunc(admins, func(x, y *tenancyv1alpha1.Admin) int { return int(x.Spec.ID - y.Spec.ID) })
	byName := map[string]*tenancyv1alpha1.Account{}
	for _, acct := range accts {
		byName[acct.Name] = acct
	}
	var brandID *int64
	var sender *string
	if owner, err := a.brandOwner(ctx, g, isBranded); err != nil {
		return nil, err
	} else if owner != nil {
		brandID = &owner.Spec.ID
	}
	if owner, err := a.brandOwner(ctx, g, sendsMail); err != nil {
		return nil, err
	} else if owner != nil {
		sender = nullable(owner.Spec.Portal.Branding.SMTP.ReplyAddress)
	}
	hierarchy := make([]string, len(line))
	for i, n := range line {
		hierarchy[i] = n
		if node, ok := a.Forest.Get(n); ok {
			hierarchy[i] = node.DisplayName
		}
	}
	var out []watcher
	for _, adm := range admins {
		acct := byName[adm.Spec.AccountRef.Name]
		if acct == nil || acct.Spec.Disabled || !q.watches(adm.Spec.Notifications) {
			continue
		}
		email := acct.Spec.Profile.Email
		if email == "" && strings.Contains(acct.Spec.Login, "@") {
			email = acct.Spec.Login
		}
		if email == "" {
			continue
		}
		lang := acct.Spec.Profile.Language
		if lang == "" {
			lang = language(g)
		}
		login := acct.Spec.Login
		out = append(out, watcher{Language: lang, SubjectFirstname: acct.Spec.Profile.FirstName, SubjectEmail: email,
			SubjectLastname: acct.Spec.Profile.LastName, BrandID: brandID, SubjectLogin: &login, Recipient: email,
			SubjectHierarchyName: strings.Join(hierarchy, "/"), Sender: sender})
	}
	return out, nil
}
