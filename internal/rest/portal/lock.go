package portal

import (
	"net/http"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// lockGroup is POST /groups/{group}/lock: spec.lock of the Group is enabled, which freezes it
// and its subtree (admission refuses writes inside; accounts inside cannot authenticate).
// Idempotent: 204 whether or not it was locked.
func (a *API) lockGroup(w http.ResponseWriter, r *http.Request, c *caller) error {
	return a.setLock(w, r, c, true)
}

// unlockGroup is DELETE /groups/{group}/lock: the Group's own lock is disabled (an ancestor's
// stays). Idempotent.
func (a *API) unlockGroup(w http.ResponseWriter, r *http.Request, c *caller) error {
	return a.setLock(w, r, c, false)
}

func (a *API) setLock(w http.ResponseWriter, r *http.Request, c *caller, enabled bool) error {
	ctx := r.Context()
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	next, err := a.updateGroup(r, g, func(g, next *tenancyv1alpha1.Group) error {
		// An ancestor's lock freezes this group's own too: it is the ancestor to unlock.
		if by, _, _ := a.Forest.Lock(g.Name); by != "" && by != g.Name {
			return a.unlocked(ctx, g.Name)
		}
		if g.Spec.Lock.Enabled == enabled {
			return nil
		}
		next.Spec.Lock.Enabled = enabled
		next.Spec.Lock.Reason = ""
		if enabled {
			next.Spec.Lock.Reason = "locked through the portal by " + c.Account.Spec.Login
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := a.awaitTree(ctx, "the lock of group "+next.Name, func() bool {
		n, ok := a.Forest.Get(next.Name)
		return ok && n.Locked == enabled
	}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
