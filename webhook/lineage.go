package webhook

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/tree"
)

// maxDepth bounds every walk up the tree, so that a cycle that slipped in cannot hang admission.
const maxDepth = 1000

// lineage looks Groups up in the shared Forest first, then in the cache, then in the API server:
// the Forest trails the cache by one reconcile, and a Group created a moment ago must count.
type lineage struct {
	forest *tree.Forest
	cache  client.Reader
	direct client.Reader
}

// node returns the Group named name; ok is false when it does not exist.
func (l lineage) node(ctx context.Context, name string) (n tree.Node, ok bool, err error) {
	if n, ok := l.forest.Get(name); ok {
		return n, true, nil
	}
	for _, r := range []client.Reader{l.cache, l.direct} {
		g := &tenancyv1alpha1.Group{}
		err := r.Get(ctx, client.ObjectKey{Name: name}, g)
		if err == nil {
			return tree.NodeOf(g), true, nil
		}
		if !apierrors.IsNotFound(err) {
			return tree.Node{}, false, err
		}
	}
	return tree.Node{}, false, nil
}

// chain is a Group and its ancestors, nearest first.
type chain []tree.Node

// ancestry walks up from name. It stops at the root, at a missing parent (missing names it) or
// at a repeated name (cycle names it).
func (l lineage) ancestry(ctx context.Context, name string) (c chain, missing, cycle string, err error) {
	seen := map[string]bool{}
	for cur := name; cur != "" && len(c) < maxDepth; {
		if seen[cur] {
			return c, "", cur, nil
		}
		seen[cur] = true
		n, ok, err := l.node(ctx, cur)
		if err != nil {
			return nil, "", "", err
		}
		if !ok {
			return c, cur, "", nil
		}
		c = append(c, n)
		cur = n.Parent
	}
	return c, "", "", nil
}

// lock returns the nearest locked Group of the chain, if any.
func (c chain) lock() (tree.Node, bool) {
	for _, n := range c {
		if n.Locked {
			return n, true
		}
	}
	return tree.Node{}, false
}

// contains reports whether the chain holds a Group named name.
func (c chain) contains(name string) bool {
	for _, n := range c {
		if n.Name == name {
			return true
		}
	}
	return false
}

// lockedMessage explains a refusal because of lock.
func lockedMessage(what string, lock tree.Node) string {
	msg := fmt.Sprintf("%s is frozen: Group %s is locked", what, lock.Name)
	if lock.LockReason != "" {
		msg += " (" + lock.LockReason + ")"
	}
	return msg + "; only an administrator at or above " + lock.Name + " can unlock it"
}
