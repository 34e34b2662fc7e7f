// Package tree keeps the tenant tree of Groups in memory, as HNC does: the Group reconciler
// writes it from the cache, and reconcilers, webhooks and the REST server read ancestors,
// descendants and locks from it without API calls.
package tree

import (
	"maps"
	"slices"
	"strings"
	"sync"
)

// Node is what the forest knows of one Group.
type Node struct {
	Name   string
	Parent string
	Kind   int32
	// ID is the Group's portal id (spec.id; 0 until allocated), so that views of the tree name
	// parents and lockers without reading each Group.
	ID int64
	// DisplayName is the Group's display name, or its name when it has none; siblings may not
	// share one.
	DisplayName string
	// Locked is the Group's own lock; Info reports the effective one.
	Locked     bool
	LockReason string
}

// Info is the derived position of a Group in the tree.
type Info struct {
	// Path lists the ancestors from the root down to the parent.
	Path []string
	// Depth is len(Path): 0 for the root.
	Depth int
	// Children is the number of direct child Groups.
	Children int
	// LockedBy is the nearest locked Group at or above this one, "" when none.
	LockedBy   string
	LockReason string
	// Problem is non-empty when the Group cannot be placed: its parent is missing, or it sits on
	// a cycle. Path then holds what could be walked.
	Problem string
}

// Forest is the set of Groups and their parent links. The zero value is empty and ready.
type Forest struct {
	mu       sync.RWMutex
	nodes    map[string]*Node
	children map[string]map[string]struct{}
	// changes counts every Set and Remove (see Changes).
	changes uint64
	// settling is open while the forest waits for its first Groups (see settle.go); nil when
	// settled, as the zero value is.
	settling chan struct{}
}

// Changes is how many times Set and Remove have been called: what a reader made of the tree,
// and of the Groups its Sets came from, stays true while Changes does.
func (f *Forest) Changes() uint64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.changes
}

// Set records or replaces a Group. It returns the Groups whose derived Info may have changed:
// the Group, its old and new parent (child counts) and, when its parent or lock changed, every
// descendant.
func (f *Forest) Set(n Node) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	f.changes++
	affected := []string{n.Name}
	old, existed := f.nodes[n.Name]
	if existed && old.Parent != n.Parent {
		f.unlink(old.Name, old.Parent)
		affected = append(affected, old.Parent)
	}
	if !existed || old.Parent != n.Parent {
		f.link(n.Name, n.Parent)
		affected = append(affected, n.Parent)
	}
	cp := n
	f.nodes[n.Name] = &cp
	if !existed || old.Parent != n.Parent || old.Locked != n.Locked || old.LockReason != n.LockReason {
		affected = append(affected, f.descendantsLocked(n.Name)...)
	}
	return compact(affected)
}

// Remove forgets a Group and returns the Groups whose Info may have changed: its parent and
// every descendant (now orphans).
func (f *Forest) Remove(name string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	f.changes++
	n, ok := f.nodes[name]
	if !ok {
		return nil
	}
	affected := append([]string{n.Parent}, f.descendantsLocked(name)...)
	f.unlink(name, n.Parent)
	delete(f.nodes, name)
	return compact(affected)
}

// Get returns the recorded Group.
func (f *Forest) Get(name string) (Node, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	n, ok := f.nodes[name]
	if !ok {
		return Node{}, false
	}
	return *n, true
}

// Info derives the Group's position in the tree. ok is false when the Group is unknown.
func (f *Forest) Info(name string) (info Info, ok bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	n, ok := f.nodes[name]
	if !ok {
		return Info{}, false
	}
	info.Children = len(f.children[name])
	if n.Locked {
		info.LockedBy, info.LockReason = n.Name, n.LockReason
	}
	seen := map[string]bool{name: true}
	var up []string
	for cur := n; cur.Parent != ""; {
		if seen[cur.Parent] {
			info.Problem = "cycle: " + strings.Join(append(append([]string{name}, up...), cur.Parent), " → ")
			break
		}
		p, ok := f.nodes[cur.Parent]
		if !ok {
			info.Problem = "parent Group " + cur.Parent + " does not exist"
			break
		}
		seen[p.Name] = true
		up = append(up, p.Name)
		if p.Locked && info.LockedBy == "" {
			info.LockedBy, info.LockReason = p.Name, p.LockReason
		}
		cur = p
	}
	slices.Reverse(up)
	info.Path = up
	info.Depth = len(up)
	return info, true
}

// Lock returns the nearest locked Group at or above name, for hot paths (token verification)
// that need only that: unlike Info it allocates nothing. ok is false when name is unknown; a
// cycle or a missing parent ends the walk.
func (f *Forest) Lock(name string) (lockedBy, reason string, ok bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	n, ok := f.nodes[name]
	if !ok {
		return "", "", false
	}
	for steps := 0; n != nil && steps <= len(f.nodes); steps++ {
		if n.Locked {
			return n.Name, n.LockReason, true
		}
		n = f.nodes[n.Parent]
	}
	return "", "", true
}

// Children returns the names of the direct child Groups, sorted.
func (f *Forest) Children(name string) []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return slices.Sorted(maps.Keys(f.children[name]))
}

// Descendants returns every Group below name, breadth first.
func (f *Forest) Descendants(name string) []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.descendantsLocked(name)
}

// IsAncestor reports whether ancestor is name itself or lies on name's path to the root.
func (f *Forest) IsAncestor(ancestor, name string) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	seen := map[string]bool{}
	for cur := name; cur != "" && !seen[cur]; {
		if cur == ancestor {
			return true
		}
		seen[cur] = true
		n, ok := f.nodes[cur]
		if !ok {
			return false
		}
		cur = n.Parent
	}
	return false
}

// Walk calls visit with name's node and each of its descendants' (in no order) until visit
// returns false, under one read lock: visit must not call back into the Forest.
func (f *Forest) Walk(name string, visit func(Node) bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	n, ok := f.nodes[name]
	if !ok {
		return
	}
	stack := []*Node{n}
	// Every node at most once, even if a cycle passes through name.
	for visited := 0; len(stack) > 0 && visited <= len(f.nodes); visited++ {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !visit(*cur) {
			return
		}
		for c := range f.children[cur.Name] {
			if kid := f.nodes[c]; kid != nil && c != name {
				stack = append(stack, kid)
			}
		}
	}
}

func (f *Forest) descendantsLocked(name string) []string {
	var out []string
	seen := map[string]bool{name: true}
	queue := []string{name}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		kids := make([]string, 0, len(f.children[cur]))
		for c := range f.children[cur] {
			kids = append(kids, c)
		}
		slices.Sort(kids)
		for _, c := range kids {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	return out
}

func (f *Forest) init() {
	if f.nodes == nil {
		f.nodes = map[string]*Node{}
		f.children = map[string]map[string]struct{}{}
	}
}

func (f *Forest) link(name, parent string) {
	if parent == "" {
		return
	}
	if f.children[parent] == nil {
		f.children[parent] = map[string]struct{}{}
	}
	f.children[parent][name] = struct{}{}
}

func (f *Forest) unlink(name, parent string) {
	delete(f.children[parent], name)
	if len(f.children[parent]) == 0 {
		delete(f.children, parent)
	}
}

// compact drops empty names and duplicates, keeping the first occurrence.
func compact(names []string) []string {
	seen := map[string]bool{"": true}
	out := names[:0]
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
