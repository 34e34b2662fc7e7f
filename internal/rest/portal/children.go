package portal

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
)

// The request types of GET /groups/{group}/children.
const (
	requestUUIDsList    = "uuids_list"
	requestTenantsBatch = "tenants_batch"
)

// maxBatch bounds the uuids of one tenants_batch request.
const maxBatch = 1000

// listChildren is GET /groups/{group}/children: every direct child (the seed has no paging),
// by id; request_type=uuids_list gives their uuids, tenants_batch&uuids= the children with
// those uuids.
func (a *API) listChildren(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	kind := q.Get("request_type")
	var want map[string]bool
	switch {
	case kind != "" && kind != requestUUIDsList && kind != requestTenantsBatch:
		return errBadParam("request_type", "must be %s or %s, not %q", requestUUIDsList, requestTenantsBatch, kind)
	case kind == requestTenantsBatch:
		if want, err = uuidSet(q.Get("uuids")); err != nil {
			return err
		}
	case q.Has("uuids"):
		return errBadParam("uuids", "goes with request_type=%s", requestTenantsBatch)
	}
	if kind == requestUUIDsList {
		children, err := a.children(r.Context(), g.Name)
		if err != nil {
			return err
		}
		uuids := make([]string, 0, len(children))
		for _, child := range children {
			uuids = append(uuids, child.Spec.UUID)
		}
		writeJSON(w, http.StatusOK, itemList[string]{uuids})
		return nil
	}
	list := func() ([]byte, error) { return a.childrenJSON(r.Context(), g.Name, want) }
	if want == nil {
		// The whole list is kept while no Group, Account or Admin has changed since (both
		// counts are read before what they count).
		list = func() ([]byte, error) {
			return a.childLists.encoded(g.UID, childListKey{tree: a.Forest.Changes(), members: a.Members.Changes()},
				func() ([]byte, error) { return a.childrenJSON(r.Context(), g.Name, nil) })
		}
	}
	body, err := list()
	if err != nil {
		return err
	}
	writeRaw(w, body)
	return nil
}

// childListKey is what the whole list of a group's children shows: the tree and the Groups,
// and every namespace's members, by their counts of changes.
type childListKey struct{ tree, members uint64 }

// childrenJSON is the list of name's children (those with a uuid in want, when not nil), each
// item from the item cache while its key holds.
func (a *API) childrenJSON(ctx context.Context, name string, want map[string]bool) ([]byte, error) {
	children, err := a.children(ctx, name)
	if err != nil {
		return nil, err
	}
	items := make([][]byte, 0, len(children))
	for _, child := range children {
		if want != nil && !want[child.Spec.UUID] {
			continue
		}
		raw, err := a.childItem(ctx, child)
		if err != nil {
			return nil, err
		}
		items = append(items, raw)
	}
	return itemsJSON(items), nil
}

// childKey is what a child's item shows besides the child's own object (its resourceVersion).
type childKey struct {
	version      string
	place        placeKey
	serviceUsers int
}

// childItem is child's item of the list, encoded (from the cache while its key holds).
func (a *API) childItem(ctx context.Context, child *tenancyv1alpha1.Group) ([]byte, error) {
	p, err := a.placeOf(ctx, child)
	if err != nil {
		return nil, err
	}
	key := childKey{version: child.ResourceVersion, place: p.key(),
		serviceUsers: a.Members.ServiceUsers(tenancyv1alpha1.GroupNamespace(child.Name))}
	return a.childViews.encoded(child.UID, key, func() ([]byte, error) { return json.Marshal(a.childView(child, p)) })
}

// uuidSet parses tenants_batch's comma-separated uuids.
func uuidSet(csv string) (map[string]bool, error) {
	if strings.TrimSpace(csv) == "" {
		return nil, errBadParam("uuids", "request_type=%s needs the uuids of the children wanted", requestTenantsBatch)
	}
	parts := strings.Split(csv, ",")
	if len(parts) > maxBatch {
		return nil, errBadParam("uuids", "at most %d uuids at once", maxBatch)
	}
	set := make(map[string]bool, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if !uuidPattern.MatchString(p) {
			return nil, errBadParam("uuids", "%q is not a uuid", p)
		}
		set[normalizeUUID(p)] = true
	}
	return set, nil
}

// IndexGroupParent indexes Groups by spec.parent, for the lists of children.
const IndexGroupParent = "spec.parent"

// SetupIndexes registers the field indexes the portal reads through with the manager's
// field indexer.
func SetupIndexes(ctx context.Context, fi client.FieldIndexer) error {
	return fi.IndexField(ctx, &tenancyv1alpha1.Group{}, IndexGroupParent, func(o client.Object) []string {
		if p := o.(*tenancyv1alpha1.Group).Spec.Parent; p != "" {
			return []string{p}
		}
		return nil
	})
}

// children are the live direct child Groups of name, by id: the cache's own objects (shared:
// never modify them).
func (a *API) children(ctx context.Context, name string) ([]*tenancyv1alpha1.Group, error) {
	list := &tenancyv1alpha1.GroupList{}
	if err := a.Client.List(ctx, list, client.MatchingFields{IndexGroupParent: name}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, err
	}
	out := make([]*tenancyv1alpha1.Group, 0, len(list.Items))
	for i := range list.Items {
		if g := &list.Items[i]; g.DeletionTimestamp == nil {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(x, y *tenancyv1alpha1.Group) int { return cmp.Compare(x.Spec.ID, y.Spec.ID) })
	return out, nil
}

// childCreate is POST /groups/{group}/children's body (post_children_request,
// additionalProperties false, name and kind required).
type childCreate struct {
	Name                  opt[string]          `json:"name"`
	Kind                  opt[int32]           `json:"kind"`
	InternalTag           opt[string]          `json:"internal_tag"`
	Language              opt[string]          `json:"language"`
	Storage               opt[int64]           `json:"storage"`
	PreferredBackupServer opt[int64]           `json:"preferred_backup_server"`
	CustomerID            opt[json.RawMessage] `json:"customer_id"`
	Privileges            *privilegesInput     `json:"privileges"`
	Agents                *agentsInput         `json:"agents"`
	Contact               *contactInput        `json:"contact"`
	Pricing               *pricingInput        `json:"pricing"`
}

// groupNameBase bounds the part of a new Group's object name taken from its portal name: the
// API server appends 5 characters to the generated name, and a Group name has at most 55.
const groupNameBase = 49

// createChild is POST /groups/{group}/children: 201 {version, id, uuid}.
func (a *API) createChild(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	parent, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	if err := a.mayWrite(ctx, c, parent); err != nil {
		return err
	}
	var body childCreate
	if err := rest.DecodeJSON(r, &body); err != nil {
		return err
	}
	g, err := body.group(a, parent)
	if err != nil {
		return err
	}
	if err := a.Client.Create(ctx, g); err != nil {
		return err
	}
	if err := credential.WaitVisible(ctx, a.Client, g); err != nil {
		return err
	}
	if err := a.awaitTree(ctx, "group "+g.Name, func() bool { _, ok := a.Forest.Get(g.Name); return ok }); err != nil {
		return err
	}
	// Its admins and users live in its namespace, which the Group controller makes: answer once
	// it has (status.namespace), so that a POST of its first user right after never meets a 404.
	if err := a.awaitTree(ctx, "the namespace of group "+g.Name, func() bool {
		cur := &tenancyv1alpha1.Group{}
		return a.Client.Get(ctx, client.ObjectKeyFromObject(g), cur) == nil && cur.Status.Namespace != ""
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"version": g.Generation, "id": g.Spec.ID, "uuid": g.Spec.UUID})
	return nil
}

// group validates the body under parent and builds the Group to create.
func (b *childCreate) group(a *API, parent *tenancyv1alpha1.Group) (*tenancyv1alpha1.Group, error) {
	if !b.Name.Set || b.Name.Null || !b.Kind.Set || b.Kind.Null {
		return nil, errBadRequest("name and kind are required")
	}
	if err := checkName(b.Name.V); err != nil {
		return nil, err
	}
	if err := checkKind(b.Kind.V); err != nil {
		return nil, err
	}
	pn, ok := a.Forest.Get(parent.Name)
	info, _ := a.Forest.Info(parent.Name)
	if !ok {
		return nil, errNotFound("group %d is not in the tree yet; retry", parent.Spec.ID)
	}
	if err := a.checkPlacement(parent.Name, pn.Kind, info.Depth, b.Kind.V, b.Name.V, ""); err != nil {
		return nil, err
	}
	g := &tenancyv1alpha1.Group{
		ObjectMeta: metav1.ObjectMeta{GenerateName: people.DNSLabel(b.Name.V, groupNameBase) + "-"},
		Spec: tenancyv1alpha1.GroupSpec{Parent: parent.Name, Kind: tenancyv1alpha1.GroupKind(b.Kind.V),
			DisplayName: b.Name.V},
	}
	if g.GenerateName == "-" {
		g.GenerateName = "group-"
	}
	if b.Language.Set && !b.Language.Null {
		g.Spec.Settings.Language = b.Language.V
	}
	if b.Contact != nil {
		var ct contact
		if err := b.Contact.apply("contact", &ct); err != nil {
			return nil, err
		}
		g.Spec.Contact = ct.spec()
	}
	f, err := b.fields(g.Spec.Kind)
	if err != nil {
		return nil, err
	}
	f.store(g)
	return g, nil
}

// fields are the body's fields kept in the portal's annotation.
func (b *childCreate) fields(kind tenancyv1alpha1.GroupKind) (groupFields, error) {
	var f groupFields
	if err := checkText("internal_tag", b.InternalTag); err != nil {
		return f, err
	}
	setNullable(b.InternalTag, &f.InternalTag)
	setNullable(b.PreferredBackupServer, &f.PreferredBackupServer)
	if b.Storage.Set && !b.Storage.Null {
		id := b.Storage.V
		f.Storage = &storageRef{ID: &id}
	}
	if b.CustomerID.Set && !b.CustomerID.Null {
		id, err := customerID(b.CustomerID.V)
		if err != nil {
			return f, err
		}
		f.CustomerID = &id
	}
	if b.Pricing != nil && (!b.Pricing.Mode.Set || b.Pricing.Mode.Null) {
		return f, errBadField("pricing.mode", "is required")
	}
	return f, applyShared(&f, kind, b.Privileges, b.Agents, b.Pricing)
}

// customerID reads customer_id, a string or an integer on create, as the string GET shows.
func customerID(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, checkText("customer_id", opt[string]{Set: true, V: s})
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err == nil {
		return strconv.FormatInt(n, 10), nil
	}
	return "", errBadField("customer_id", "must be a string, an integer or null")
}
