package portal

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	k8serrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/tree"
)

// getGroup is GET /groups/{group}.
func (a *API) getGroup(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	view, err := a.groupView(r.Context(), g)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view)
	return nil
}

// putGroup is PUT /groups/{group}?version=: a partial update; {"version": N} on success.
func (a *API) putGroup(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	var body groupUpdate
	if err := rest.DecodeJSON(r, &body); err != nil {
		return err
	}
	next, err := a.updateGroup(r, g, func(g, next *tenancyv1alpha1.Group) error {
		if err := a.mayWrite(ctx, c, g); err != nil {
			return err
		}
		if err := checkVersion(r, g.Generation); err != nil {
			return err
		}
		f := fieldsOf(g)
		if err := body.apply(ctx, a, c, g, next, &f); err != nil {
			return err
		}
		f.store(next)
		return nil
	})
	if err != nil {
		return err
	}
	want := tree.NodeOf(next)
	if err := a.awaitTree(ctx, "group "+next.Name, func() bool {
		n, ok := a.Forest.Get(next.Name)
		return ok && n.Parent == want.Parent && n.Kind == want.Kind && n.DisplayName == want.DisplayName
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int64{"version": next.Generation})
	return nil
}

// deleteGroup is DELETE /groups/{group}?version=&cascade=: a group that holds child groups,
// admins or users is refused (409) unless cascade=1, which removes the whole subtree with its
// accounts.
func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	cascade, err := flagParam(r, "cascade")
	if err != nil {
		return err
	}
	if g.Name == c.home {
		return errForbidden("a group's own administrators may not delete it; an administrator above it may")
	}
	if err := a.mayWrite(ctx, c, g); err != nil {
		return err
	}
	if err := checkVersion(r, g.Generation); err != nil {
		return err
	}
	subtree := a.Forest.Descendants(g.Name)
	if cascade {
		err = a.markCascade(ctx, subtree, g)
	} else {
		err = a.checkEmpty(ctx, g, subtree)
	}
	if err != nil {
		return err
	}
	uid := g.UID
	if err := a.Client.Delete(ctx, g, client.Preconditions{UID: &uid}); err != nil {
		if k8serrors.IsNotFound(err) {
			return errNotFound("group %d does not exist", g.Spec.ID)
		}
		return err
	}
	if err := people.WaitDeleted(ctx, a.Client, g); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkEmpty refuses to delete a group that holds child groups, admins or users.
func (a *API) checkEmpty(ctx context.Context, g *tenancyv1alpha1.Group, subtree []string) error {
	accts, admins, err := a.members(ctx, tenancyv1alpha1.GroupNamespace(g.Name))
	if err != nil {
		return err
	}
	var holds []string
	if n := len(a.Forest.Children(g.Name)); n > 0 {
		holds = append(holds, plural(n, "child group"))
	}
	if len(admins) > 0 {
		holds = append(holds, plural(len(admins), "admin"))
	}
	if users := len(accts) - len(admins); users > 0 {
		holds = append(holds, plural(users, "user"))
	}
	if len(holds) > 0 {
		return errConflict("group %d holds %s: delete them first, or delete with cascade=1 (%d groups below it)",
			g.Spec.ID, strings.Join(holds, " and "), len(subtree))
	}
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// markCascade annotates every Group of the subtree with tenancyv1alpha1.AnnotationCascadeDelete,
// so that admission lets each go with its accounts however deep the controller's deletion
// reaches; a lock anywhere below refuses the whole delete (423) before anything is written.
func (a *API) markCascade(ctx context.Context, subtree []string, top *tenancyv1alpha1.Group) error {
	for _, name := range subtree {
		if n, ok := a.Forest.Get(name); ok && n.Locked {
			id, err := a.groupID(ctx, name)
			if err != nil {
				return err
			}
			return errLocked(id, n.LockReason)
		}
	}
	for _, name := range append(subtree, top.Name) {
		g := &tenancyv1alpha1.Group{}
		if err := a.Client.Get(ctx, client.ObjectKey{Name: name}, g); err != nil {
			if k8serrors.IsNotFound(err) {
				continue
			}
			return err
		}
		if g.Annotations[tenancyv1alpha1.AnnotationCascadeDelete] == "true" {
			continue
		}
		patch := client.MergeFrom(g.DeepCopy())
		if g.Annotations == nil {
			g.Annotations = map[string]string{}
		}
		g.Annotations[tenancyv1alpha1.AnnotationCascadeDelete] = "true"
		if err := a.Client.Patch(ctx, g, patch); client.IgnoreNotFound(err) != nil {
			return err
		}
		if name == top.Name {
			*top = *g
		}
	}
	return nil
}
