package kubectlplugin

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// TreeVersion is the version of the `tree -o json` document. Within a version fields are only
// ever added, never renamed, removed or given another meaning.
const TreeVersion = 1

// Tree is the `tree -o json` document.
type Tree struct {
	// Version is TreeVersion.
	Version int `json:"version"`
	// Groups are the top of what was asked: the root (or GROUP) with its subtree nested in
	// children. The whole tree also lists, after the root, Groups that cannot be placed (a
	// missing parent, a cycle), each with its problem.
	Groups []*TreeNode `json:"groups"`
}

// TreeNode is one Group of the tree.
type TreeNode struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	// Kind is spec.kind; KindName the portal's name for it (Root, Distributor, …).
	Kind     int32  `json:"kind"`
	KindName string `json:"kindName"`
	// Parent is spec.parent, "" for the root.
	Parent    string `json:"parent"`
	Namespace string `json:"namespace"`
	// Depth is the distance from the root (the portal's grade).
	Depth int `json:"depth"`
	// Ready is the status of the Ready condition: "True", "False" or "Unknown".
	Ready string    `json:"ready"`
	Lock  LockState `json:"lock"`
	// Counts are the Accounts, Tokens and Admins in the Group's namespace (not its subtree).
	Counts Counts `json:"counts"`
	// Problem says why the Group cannot be placed in the tree; empty when it can.
	Problem  string      `json:"problem,omitempty"`
	Children []*TreeNode `json:"children"`
}

// Counts are the objects in one Group's namespace.
type Counts struct {
	Accounts int `json:"accounts"`
	Tokens   int `json:"tokens"`
	Admins   int `json:"admins"`
}

func newTreeCommand(e *env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "tree [GROUP]",
		Short: "Show the Group tree (or GROUP's subtree) with kinds, locks, readiness and object counts",
		Example: `  kubectl tessera tree
  kubectl tessera tree acme -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "" && output != "json" {
				return fmt.Errorf("unknown output format %q: use -o json or leave it out", output)
			}
			c, err := e.client()
			if err != nil {
				return err
			}
			var top string
			if len(args) == 1 {
				top = args[0]
			}
			t, err := buildTree(cmd.Context(), c, top)
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.streams.Out, t)
			}
			return writeTreeTable(e.streams.Out, t)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "Output format: json (default: an indented table)")
	return cmd
}

// buildTree reads the Groups and the Accounts, Tokens and Admins of the cluster and nests the
// Groups under top, or under the root when top is "".
func buildTree(ctx context.Context, c client.Client, top string) (*Tree, error) {
	gs, err := loadGroups(ctx, c)
	if err != nil {
		return nil, err
	}
	counts, err := countByNamespace(ctx, c)
	if err != nil {
		return nil, err
	}
	t := &Tree{Version: TreeVersion, Groups: []*TreeNode{}}
	placed := map[string]bool{}
	var nest func(name string) *TreeNode
	nest = func(name string) *TreeNode {
		placed[name] = true
		n := gs.node(name, counts)
		for _, child := range gs.forest.Children(name) {
			if !placed[child] {
				n.Children = append(n.Children, nest(child))
			}
		}
		return n
	}
	if top != "" {
		if _, ok := gs.byName[top]; !ok {
			return nil, fmt.Errorf("group %q not found", top)
		}
		t.Groups = append(t.Groups, nest(top))
		return t, nil
	}
	names := make([]string, 0, len(gs.byName))
	for name := range gs.byName {
		names = append(names, name)
	}
	slices.Sort(names)
	// Roots first, then whatever they did not reach: orphans and cycles, each as a top entry.
	for _, pass := range []func(*tenancyv1alpha1.Group) bool{
		func(g *tenancyv1alpha1.Group) bool { return g.Spec.Parent == "" },
		func(*tenancyv1alpha1.Group) bool { return true },
	} {
		for _, name := range names {
			if !placed[name] && pass(gs.byName[name]) {
				t.Groups = append(t.Groups, nest(name))
			}
		}
	}
	return t, nil
}

// node is one Group's entry, without children.
func (gs *groups) node(name string, counts map[string]*Counts) *TreeNode {
	g := gs.byName[name]
	info, _ := gs.forest.Info(name)
	ns := namespaceOf(g)
	n := &TreeNode{
		Name: name, DisplayName: g.Spec.DisplayName, Kind: int32(g.Spec.Kind), KindName: kindName(g.Spec.Kind),
		Parent: g.Spec.Parent, Namespace: ns, Depth: info.Depth,
		Ready: conditionStatus(g.Status.Conditions, tenancyv1alpha1.ConditionReady),
		Lock:  gs.lock(name), Problem: info.Problem, Children: []*TreeNode{},
	}
	if n.DisplayName == "" {
		n.DisplayName = name
	}
	if c := counts[ns]; c != nil {
		n.Counts = *c
	}
	return n
}

// countByNamespace counts Accounts, Tokens and Admins per namespace, one list call per kind.
func countByNamespace(ctx context.Context, c client.Client) (map[string]*Counts, error) {
	counts := map[string]*Counts{}
	at := func(ns string) *Counts {
		if counts[ns] == nil {
			counts[ns] = &Counts{}
		}
		return counts[ns]
	}
	var accounts tenancyv1alpha1.AccountList
	if err := c.List(ctx, &accounts); err != nil {
		return nil, fmt.Errorf("listing Accounts: %w", err)
	}
	for _, a := range accounts.Items {
		at(a.Namespace).Accounts++
	}
	var tokens tenancyv1alpha1.TokenList
	if err := c.List(ctx, &tokens); err != nil {
		return nil, fmt.Errorf("listing Tokens: %w", err)
	}
	for _, t := range tokens.Items {
		at(t.Namespace).Tokens++
	}
	var admins tenancyv1alpha1.AdminList
	if err := c.List(ctx, &admins); err != nil {
		return nil, fmt.Errorf("listing Admins: %w", err)
	}
	for _, a := range admins.Items {
		at(a.Namespace).Admins++
	}
	return counts, nil
}
