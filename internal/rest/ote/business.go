package ote

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/bootstrap"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/rest"
)

type contextT = context.Context

func displayName(g *tenancyv1alpha1.Group) string {
	return cmp.Or(g.Spec.DisplayName, g.Name)
}

// businessStatus is a business Group's status: what the annotation says, approved for company
// Groups made without this API (kubectl, GitOps, the portal).
func businessStatus(g *tenancyv1alpha1.Group) int {
	if v, ok := g.Annotations[AnnotationBusinessStatus]; ok {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 3 {
			return n
		}
	}
	return statusApproved
}

// isBusiness reports whether g is a business: a company Group directly under the root.
func isBusiness(g *tenancyv1alpha1.Group) bool {
	return g.Spec.Kind == tenancyv1alpha1.GroupKindEndUserCompany && g.Spec.Parent == bootstrap.RootGroup
}

func businessJSON(g *tenancyv1alpha1.Group, full bool) map[string]any {
	owner, _ := strconv.ParseInt(g.Annotations[AnnotationBusinessOwner], 10, 64)
	updated := g.CreationTimestamp.Unix()
	if v, err := strconv.ParseInt(g.Annotations[AnnotationBusinessUpdated], 10, 64); err == nil {
		updated = v
	}
	m := map[string]any{
		"id": g.Spec.ID, "name": displayName(g), "userId": owner, "comment": g.Annotations[AnnotationBusinessComment],
		"status": businessStatus(g), "createTime": g.CreationTimestamp.Unix(), "updateTime": updated,
	}
	if full {
		m["introduce"] = g.Spec.Description
		m["objective"] = g.Annotations[AnnotationBusinessObjective]
		m["scale"] = g.Annotations[AnnotationBusinessScale]
	}
	return m
}

func (a *API) createBusiness(w http.ResponseWriter, r *http.Request) {
	c, err := a.caller(r)
	if err != nil {
		fail(w, err)
		return
	}
	switch {
	case c.system:
		fail(w, errStatus(http.StatusForbidden, "a system administrator administers every business and owns none"))
		return
	case c.business() != "":
		fail(w, errStatus(http.StatusForbidden, "you already belong to a business"))
		return
	case c.acct.Annotations[AnnotationIsAdmin] != "true":
		fail(w, errStatus(http.StatusForbidden, "only an administrator (registered with isAdmin=true) may create a business"))
		return
	}
	var body struct {
		Name      *string `json:"name"`
		Introduce *string `json:"introduce"`
		Objective *string `json:"objective"`
		Scale     *string `json:"scale"`
	}
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	var vals [4]string
	for i, f := range []struct {
		name string
		v    *string
		max  int
	}{{"name", body.Name, 128}, {"introduce", body.Introduce, 128}, {"objective", body.Objective, 1024}, {"scale", body.Scale, 256}} {
		v, err := required(f.name, f.v)
		if err == nil && (strings.TrimSpace(v) == "" || len([]rune(v)) > f.max) {
			err = errParam(f.name, "must be 1–%d characters", f.max)
		}
		if err != nil {
			fail(w, err)
			return
		}
		vals[i] = v
	}
	name, introduce, objective, scale := vals[0], vals[1], vals[2], vals[3]
	if existing, err := a.businessByName(r.Context(), name); err != nil {
		fail(w, err)
		return
	} else if existing != nil {
		fail(w, errParam("name", "a business named %q exists", name))
		return
	}
	// The creator's Account moves into the business (see awaitMove); what hangs off it would
	// not move along, so refuse rather than lose it.
	if held, err := credential.Held(r.Context(), a.APIReader, c.acct); err != nil {
		fail(w, err)
		return
	} else if held != "" {
		fail(w, errStatus(http.StatusConflict, "your account holds %s, which creating a business would delete; remove them first", held))
		return
	}
	if c.acct.Namespace != rest.RootNamespace {
		fail(w, errStatus(http.StatusForbidden, "only an administrator outside every business may create one"))
		return
	}
	gName := rest.DNSName("biz-", name, 55)
	// The move record comes first: from this write on, the creator ends up in the business, or
	// stays where it is if the Group never comes, whatever process dies (controllers.MoveReconciler).
	rec, err := credential.RequestMove(r.Context(), a.Client, c.acct, gName, tenancyv1alpha1.AccessFull)
	if apierrors.IsAlreadyExists(err) {
		fail(w, errStatus(http.StatusConflict, "a business you create is already being set up"))
		return
	} else if err != nil {
		fail(w, rest.ClassifyWrite(err))
		return
	}
	now := strconv.FormatInt(time.Now().Unix(), 10)
	g := &tenancyv1alpha1.Group{
		ObjectMeta: metav1.ObjectMeta{Name: gName, Annotations: map[string]string{
			AnnotationBusinessStatus: strconv.Itoa(statusPending), AnnotationBusinessObjective: objective,
			AnnotationBusinessScale: scale, AnnotationBusinessOwner: strconv.FormatInt(c.acct.Spec.ID, 10),
			AnnotationBusinessUpdated: now, tenancyv1alpha1.AnnotationMoveIn: string(c.acct.UID),
		}},
		Spec: tenancyv1alpha1.GroupSpec{Parent: bootstrap.RootGroup, Kind: tenancyv1alpha1.GroupKindEndUserCompany,
			DisplayName: name, Description: introduce},
	}
	if err := a.Client.Create(r.Context(), g); err != nil {
		_ = a.Client.Delete(context.WithoutCancel(r.Context()), rec, client.Preconditions{UID: &rec.UID})
		if apierrors.IsAlreadyExists(err) || apierrors.IsConflict(err) || (apierrors.IsForbidden(err) && strings.Contains(err.Error(), "name")) {
			fail(w, errParam("name", "a business named %q exists", name))
			return
		}
		fail(w, rest.ClassifyWrite(err))
		return
	}
	if err := a.awaitMove(r.Context(), c.acct.Spec.AccountID, tenancyv1alpha1.GroupNamespace(g.Name)); err != nil {
		fail(w, err)
		return
	}
	ok(w, map[string]any{"data": map[string]any{"id": g.Spec.ID}})
}

// moveWait bounds how long creating a business waits for its creator's move: a namespace, one
// Account deleted and one created, a Secret and an Admin, each a reconcile or two.
const moveWait = 30 * time.Second

// awaitMove waits until this replica's cache shows the Account accountID in namespace ns with an
// Admin grant and its password hash: the creator then signs in, and acts, as the business's
// administrator. A move that takes longer still completes; the client is told so.
func (a *API) awaitMove(ctx context.Context, accountID, ns string) error {
	err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, moveWait, true, func(ctx context.Context) (bool, error) {
		acct, err := rest.AccountByUUID(ctx, a.Client, accountID)
		if err != nil || acct == nil || acct.Namespace != ns {
			return false, err
		}
		if adm, err := rest.AdminGrant(ctx, a.Client, acct); err != nil || adm == nil {
			return false, err
		}
		s := &corev1.Secret{}
		if err := a.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: credential.SecretName(acct.Name)}, s); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		return len(s.Data[credential.HashKey]) > 0, nil
	})
	if wait.Interrupted(err) && ctx.Err() == nil {
		return errStatus(http.StatusServiceUnavailable, "the business was created; moving your account into it is still under way, sign in again in a moment")
	}
	return err
}

func (a *API) businessByName(ctx context.Context, name string) (*tenancyv1alpha1.Group, error) {
	list := &tenancyv1alpha1.GroupList{}
	if err := a.Client.List(ctx, list); err != nil {
		return nil, err
	}
	for i := range list.Items {
		if g := &list.Items[i]; g.Spec.Parent == bootstrap.RootGroup && displayName(g) == name {
			return g, nil
		}
	}
	return nil, nil
}

// grantAdmin makes acct an administrator of the Group of its namespace.
func (a *API) grantAdmin(r *http.Request, acct *tenancyv1alpha1.Account) error {
	adm, err := a.grantAdminIn(r.Context(), acct)
	if err != nil {
		return err
	}
	return rest.WaitCached(r.Context(), func(ctx context.Context) (bool, error) {
		err := a.Client.Get(ctx, client.ObjectKeyFromObject(adm), &tenancyv1alpha1.Admin{})
		return err == nil, client.IgnoreNotFound(err)
	})
}

func (a *API) grantAdminIn(ctx context.Context, acct *tenancyv1alpha1.Account) (*tenancyv1alpha1.Admin, error) {
	adm := &tenancyv1alpha1.Admin{
		ObjectMeta: metav1.ObjectMeta{Namespace: acct.Namespace, Name: acct.Name},
		Spec: tenancyv1alpha1.AdminSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: acct.Name},
			AccessType: tenancyv1alpha1.AccessFull},
	}
	if err := a.Client.Create(ctx, adm); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, rest.ClassifyWrite(err)
	}
	return adm, nil
}

func (a *API) listBusinesses(w http.ResponseWriter, r *http.Request) {
	c, err := a.caller(r)
	if err != nil {
		fail(w, err)
		return
	}
	p, err := readPaging(r, "id")
	if err != nil {
		fail(w, err)
		return
	}
	nameFilter := strings.ToLower(r.URL.Query().Get("name"))
	list := &tenancyv1alpha1.GroupList{}
	if err := a.Client.List(r.Context(), list); err != nil {
		fail(w, err)
		return
	}
	var out []*tenancyv1alpha1.Group
	for i := range list.Items {
		g := &list.Items[i]
		if !isBusiness(g) || g.DeletionTimestamp != nil {
			continue
		}
		if !c.system && g.Name != c.business() {
			continue
		}
		if nameFilter != "" && !strings.Contains(strings.ToLower(displayName(g)), nameFilter) {
			continue
		}
		out = append(out, g)
	}
	slices.SortFunc(out, func(x, y *tenancyv1alpha1.Group) int {
		if p.desc {
			return cmp.Compare(y.Spec.ID, x.Spec.ID)
		}
		return cmp.Compare(x.Spec.ID, y.Spec.ID)
	})
	lo, hi := p.window(len(out))
	data := make([]map[string]any, 0, hi-lo)
	for _, g := range out[lo:hi] {
		data = append(data, businessJSON(g, false))
	}
	ok(w, map[string]any{"data": data, "total": len(out)})
}

// businessParam finds the business named by the {id} path parameter, within c's reach.
func (a *API) businessParam(r *http.Request, c *caller) (*tenancyv1alpha1.Group, error) {
	raw := r.PathValue("id")
	if id, err := strconv.ParseUint(raw, 10, 63); err != nil || id == 0 {
		return nil, errParam("id", "must be a positive integer")
	}
	list := &tenancyv1alpha1.GroupList{}
	if err := a.Client.List(r.Context(), list, client.MatchingFields{index.GroupNumericID: raw}); err != nil {
		return nil, err
	}
	if len(list.Items) == 0 || !isBusiness(&list.Items[0]) || list.Items[0].DeletionTimestamp != nil {
		return nil, errStatus(http.StatusNotFound, "business %s not found", raw)
	}
	g := &list.Items[0]
	if !c.system && g.Name != c.business() {
		return nil, errStatus(http.StatusForbidden, "business %s is not yours", raw)
	}
	return g, nil
}

func (a *API) getBusiness(w http.ResponseWriter, r *http.Request) {
	c, err := a.caller(r)
	if err != nil {
		fail(w, err)
		return
	}
	g, err := a.businessParam(r, c)
	if err != nil {
		fail(w, err)
		return
	}
	ok(w, map[string]any{"data": businessJSON(g, true)})
}

// approveBusiness is Tessera's addition: PUT /v1/admin/business/{id}/approval with
// {"status": 0–3, "comment": "..."}, by a system administrator.
func (a *API) approveBusiness(w http.ResponseWriter, r *http.Request) {
	c, err := a.caller(r)
	if err != nil {
		fail(w, err)
		return
	}
	if !c.system {
		fail(w, errStatus(http.StatusForbidden, "only a system administrator may approve a business"))
		return
	}
	g, err := a.businessParam(r, c)
	if err != nil {
		fail(w, err)
		return
	}
	var body struct {
		Status  *int    `json:"status"`
		Comment *string `json:"comment"`
	}
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	st, err := required("status", body.Status)
	if err != nil {
		fail(w, err)
		return
	}
	if st < 0 || st > businessStatusGone {
		fail(w, errParam("status", "must be 0 (pending), 1 (approved), 2 (disapproved) or 3 (deleted)"))
		return
	}
	if body.Comment != nil && len([]rune(*body.Comment)) > 1024 {
		fail(w, errParam("comment", "must be at most 1024 characters"))
		return
	}
	upd := g.DeepCopy()
	if upd.Annotations == nil {
		upd.Annotations = map[string]string{}
	}
	upd.Annotations[AnnotationBusinessStatus] = strconv.Itoa(st)
	upd.Annotations[AnnotationBusinessUpdated] = strconv.FormatInt(time.Now().Unix(), 10)
	if body.Comment != nil {
		upd.Annotations[AnnotationBusinessComment] = *body.Comment
	}
	if err := a.Client.Patch(r.Context(), upd, client.MergeFrom(g)); err != nil {
		fail(w, rest.ClassifyWrite(err))
		return
	}
	_ = rest.WaitCached(r.Context(), func(ctx context.Context) (bool, error) {
		got := &tenancyv1alpha1.Group{}
		if err := a.Client.Get(ctx, client.ObjectKeyFromObject(upd), got); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		return got.Annotations[AnnotationBusinessStatus] == strconv.Itoa(st), nil
	})
	ok(w, nil)
}
