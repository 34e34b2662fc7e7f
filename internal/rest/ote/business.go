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
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/principal"
)

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
	return g.Spec.Kind == tenancyv1alpha1.GroupKindEndUserCompany && g.Spec.Parent == tenancyv1alpha1.RootGroupName
}

func businessJSON(g *tenancyv1alpha1.Group, full bool) map[string]any {
	owner, _ := strconv.ParseInt(g.Annotations[AnnotationBusinessOwner], 10, 64)
	updated := g.CreationTimestamp.Unix()
	if v, err := strconv.ParseInt(g.Annotations[AnnotationBusinessUpdated], 10, 64); err == nil {
		updated = v
	}
	m := map[string]any{
		"id": g.Spec.ID, paramName: displayName(g), "userId": owner, "comment": g.Annotations[AnnotationBusinessComment],
		"status": businessStatus(g), "createTime": g.CreationTimestamp.Unix(), "updateTime": updated,
	}
	if full {
		m["introduce"] = g.Spec.Description
		m["objective"] = g.Annotations[AnnotationBusinessObjective]
		m["scale"] = g.Annotations[AnnotationBusinessScale]
	}
	return m
}

func (a *API) createBusiness(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	if err := mayCreateBusiness(r.Context(), c); err != nil {
		return err
	}
	var body struct {
		Name      *string `json:"name"`
		Introduce *string `json:"introduce"`
		Objective *string `json:"objective"`
		Scale     *string `json:"scale"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	var vals [4]string
	for i, f := range []struct {
		name string
		v    *string
		max  int
	}{{paramName, body.Name, 128}, {"introduce", body.Introduce, 128}, {"objective", body.Objective, 1024}, {"scale", body.Scale, 256}} {
		v, err := required(f.name, f.v)
		if err == nil && (strings.TrimSpace(v) == "" || len([]rune(v)) > f.max) {
			err = errParam(f.name, "must be 1–%d characters", f.max)
		}
		if err != nil {
			return err
		}
		vals[i] = v
	}
	name, introduce, objective, scale := vals[0], vals[1], vals[2], vals[3]
	if existing, err := a.businessByName(r.Context(), name); err != nil {
		return err
	} else if existing != nil {
		return errParam(paramName, "a business named %q exists", name)
	}
	// The creator's Account moves into the business (see awaitMove); what hangs off it would
	// not move along, so refuse rather than lose it.
	if held, err := credential.Held(r.Context(), a.APIReader, c.Account); err != nil {
		return err
	} else if held != "" {
		return errConflict("your account holds %s, which creating a business would delete; remove them first", held)
	}
	if c.Account.Namespace != people.RootNamespace {
		return errForbidden("only an administrator outside every business may create one")
	}
	gName := people.DNSName("biz-", name, 55)
	// The move record comes first: from this write on, the creator ends up in the business, or
	// stays where it is if the Group never comes, whatever process dies (controllers.MoveReconciler).
	rec, err := credential.RequestMove(r.Context(), a.Client, c.Account, gName, tenancyv1alpha1.AccessFull)
	if apierrors.IsAlreadyExists(err) {
		return errConflict("a business you create is already being set up")
	} else if err != nil {
		return err
	}
	now := strconv.FormatInt(time.Now().Unix(), 10)
	g := &tenancyv1alpha1.Group{
		ObjectMeta: metav1.ObjectMeta{Name: gName, Annotations: map[string]string{
			AnnotationBusinessStatus: strconv.Itoa(statusPending), AnnotationBusinessObjective: objective,
			AnnotationBusinessScale: scale, AnnotationBusinessOwner: strconv.FormatInt(c.Account.Spec.ID, 10),
			AnnotationBusinessUpdated: now, tenancyv1alpha1.AnnotationMoveIn: string(c.Account.UID),
		}},
		Spec: tenancyv1alpha1.GroupSpec{Parent: tenancyv1alpha1.RootGroupName, Kind: tenancyv1alpha1.GroupKindEndUserCompany,
			DisplayName: name, Description: introduce},
	}
	if err := a.Client.Create(r.Context(), g); err != nil {
		_ = a.Client.Delete(context.WithoutCancel(r.Context()), rec, client.Preconditions{UID: &rec.UID})
		// The same name, or a sibling's display name alike but for case (admission's duplicate).
		if apierrors.IsAlreadyExists(err) || apierrors.IsConflict(err) || people.IsDuplicate(err, displayNameField) {
			return errParam(paramName, "a business named %q exists", name)
		}
		return err
	}
	if err := a.awaitMove(r.Context(), c.Account.Spec.AccountID, tenancyv1alpha1.GroupNamespace(g.Name)); err != nil {
		return err
	}
	ok(w, map[string]any{fieldData: map[string]any{"id": g.Spec.ID}})
	return nil
}

// displayNameField is the field admission names when a sibling Group has the display name.
const displayNameField = "spec.displayName"

// moveWait bounds how long creating a business waits for its creator's move: a namespace, one
// Account deleted and one created, a Secret and an Admin, each a reconcile or two.
const moveWait = 30 * time.Second

// awaitMove waits until this replica's cache shows the Account accountID in namespace ns with an
// Admin grant and its password hash: the creator then signs in, and acts, as the business's
// administrator. A move that takes longer still completes; the client is told so.
func (a *API) awaitMove(ctx context.Context, accountID, ns string) error {
	err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, moveWait, true, func(ctx context.Context) (bool, error) {
		acct, err := people.ByIndex[*tenancyv1alpha1.Account](ctx, a.Client, index.AccountID, accountID)
		if err != nil || acct == nil || acct.Namespace != ns {
			return false, err
		}
		if adm, err := people.AdminGrant(ctx, a.Client, acct); err != nil || adm == nil {
			return false, err
		}
		s := &corev1.Secret{}
		if err := a.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: credential.SecretName(acct.Name)}, s); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		return len(s.Data[credential.HashKey]) > 0, nil
	})
	if wait.Interrupted(err) && ctx.Err() == nil {
		return errUnavailable("the business was created; moving your account into it is still under way, sign in again in a moment", 0)
	}
	return err
}

func (a *API) businessByName(ctx context.Context, name string) (*tenancyv1alpha1.Group, error) {
	list := &tenancyv1alpha1.GroupList{}
	if err := a.Client.List(ctx, list); err != nil {
		return nil, err
	}
	for i := range list.Items {
		if g := &list.Items[i]; g.Spec.Parent == tenancyv1alpha1.RootGroupName && displayName(g) == name {
			return g, nil
		}
	}
	return nil, nil
}

func (a *API) listBusinesses(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	p, err := readPaging(r, "id")
	if err != nil {
		return err
	}
	nameFilter := strings.ToLower(r.URL.Query().Get(paramName))
	list := &tenancyv1alpha1.GroupList{}
	if err := a.Client.List(r.Context(), list); err != nil {
		return err
	}
	var out []*tenancyv1alpha1.Group
	for i := range list.Items {
		g := &list.Items[i]
		if !isBusiness(g) || g.DeletionTimestamp != nil {
			continue
		}
		if ok, err := mayReadBusiness(r.Context(), c, g); err != nil {
			return err
		} else if !ok {
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
	ok(w, map[string]any{fieldData: data, "total": len(out)})
	return nil
}

// businessParam finds the business named by the {id} path parameter, within c's reach.
func (a *API) businessParam(r *http.Request, c *principal.Principal) (*tenancyv1alpha1.Group, error) {
	id, err := positiveID(r, "id")
	if err != nil {
		return nil, err
	}
	g, err := people.ByIndex[*tenancyv1alpha1.Group](r.Context(), a.Client, index.GroupNumericID, id)
	if err != nil {
		return nil, err
	}
	if g == nil || !isBusiness(g) {
		return nil, errNotFound("business %s not found", id)
	}
	if ok, err := mayReadBusiness(r.Context(), c, g); err != nil {
		return nil, err
	} else if !ok {
		return nil, errForbidden("business %s is not yours", id)
	}
	return g, nil
}

func (a *API) getBusiness(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	g, err := a.businessParam(r, c)
	if err != nil {
		return err
	}
	ok(w, map[string]any{fieldData: businessJSON(g, true)})
	return nil
}

// approveBusiness is Tessera's addition: PUT /v1/admin/business/{id}/approval with
// {"status": 0–3, "comment": "..."}, by a system administrator.
func (a *API) approveBusiness(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	if err := systemOnly(r.Context(), c, "approve a business"); err != nil {
		return err
	}
	g, err := a.businessParam(r, c)
	if err != nil {
		return err
	}
	var body struct {
		Status  *int    `json:"status"`
		Comment *string `json:"comment"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	st, err := statusParam(body.Status, "0 (pending), 1 (approved), 2 (disapproved) or 3 (deleted)")
	if err != nil {
		return err
	}
	if body.Comment != nil && len([]rune(*body.Comment)) > 1024 {
		return errParam("comment", "must be at most 1024 characters")
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
		return err
	}
	_ = credential.WaitVisible(r.Context(), a.Client, upd) // approved either way; the cache may lag
	ok(w, nil)
	return nil
}
