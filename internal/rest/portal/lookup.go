package portal

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/people"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// identifier tells which index a path's id or UUID is looked up by: ids are positive
// integers, UUIDs the usual 36 characters; anything else names nothing.
//
//nolint:unparam // each kind names its own id index; that they share the path spec.id is not a rule
func identifier(value, idIndex, uuidIndex string) (field, key string, ok bool) {
	if n, err := strconv.ParseInt(value, 10, 64); err == nil && n > 0 && strconv.FormatInt(n, 10) == value {
		return idIndex, value, true
	}
	if uuidPattern.MatchString(value) {
		return uuidIndex, normalizeUUID(value), true
	}
	return "", "", false
}

// normalizeUUID lower-cases a UUID, as Tessera stores them.
func normalizeUUID(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'F' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// groupByRef finds the Group a path or body names by id or UUID, or answers 404. The object
// is the cache's: copy it before changing it.
func (a *API) groupByRef(ctx context.Context, ref string) (*tenancyv1alpha1.Group, error) {
	field, key, ok := identifier(ref, index.GroupNumericID, index.GroupUUID)
	if !ok {
		return nil, errNotFound("group %q does not exist: a group is named by its id or its uuid", ref)
	}
	g, err := people.ByIndex[*tenancyv1alpha1.Group](ctx, a.Client, field, key)
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, errNotFound("group %s does not exist", ref)
	}
	return g, nil
}

// groupParam is the {group} of the path, within the caller's subtree (403 outside).
func (a *API) groupParam(r *http.Request, c *caller) (*tenancyv1alpha1.Group, error) {
	g, err := a.groupByRef(r.Context(), r.PathValue("group"))
	if err != nil {
		return nil, err
	}
	return g, c.scoped(g)
}

// unlocked refuses a write to the Group named name while it lies in a locked subtree: 423
// naming the nearest locked group.
func (a *API) unlocked(ctx context.Context, name string) error {
	by, reason, _ := a.Forest.Lock(name)
	if by == "" {
		return nil
	}
	id, err := a.groupID(ctx, by)
	if err != nil {
		return err
	}
	return errLocked(id, reason)
}

// mayWrite refuses a write to g outside the caller's subtree (403) or in a locked one (423).
func (a *API) mayWrite(ctx context.Context, c *caller, g *tenancyv1alpha1.Group) error {
	if err := c.scoped(g); err != nil {
		return err
	}
	return a.unlocked(ctx, g.Name)
}

// checkVersion compares ?version= (when given) with the object's version, its generation:
// 426 when they differ.
func checkVersion(r *http.Request, generation int64) error {
	v, ok := r.URL.Query()["version"]
	if !ok {
		return nil
	}
	asked, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil || len(v) > 1 {
		return errBadParam("version", "must be one integer, not %q", v)
	}
	if asked != generation {
		return errVersionMismatch(generation, asked)
	}
	return nil
}

// flagParam reads a 0/1 query parameter, 0 when absent (the seed's defaults all are).
func flagParam(r *http.Request, name string) (bool, error) {
	switch v := r.URL.Query().Get(name); {
	case !r.URL.Query().Has(name):
		return false, nil
	case v == "1":
		return true, nil
	case v == "0":
		return false, nil
	default:
		return false, errBadParam(name, "must be 0 or 1, not %q", v)
	}
}

func (a *API) waitTimeout() time.Duration {
	if a.WaitTimeout > 0 {
		return a.WaitTimeout
	}
	return credential.VisibleWithin
}

// awaitTree waits until cond holds of what this replica sees — the tree, or the cache — so that
// the next request on this replica (and admission's sibling and placement checks, which read
// the same tree) sees a write just made and what its controller made of it.
func (a *API) awaitTree(ctx context.Context, what string, cond func() bool) error {
	err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, a.waitTimeout(), true, func(context.Context) (bool, error) {
		return cond(), nil
	})
	if wait.Interrupted(err) && ctx.Err() == nil {
		return fmt.Errorf("%s: %w", what, credential.ErrNotVisible)
	}
	return err
}
