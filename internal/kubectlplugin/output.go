package kubectlplugin

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// writeJSON writes v as indented JSON and a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newTable aligns tab-separated columns as kubectl get does.
func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 3, ' ', 0) }

// writeTreeTable prints the tree with box-drawing branches in the GROUP column.
func writeTreeTable(w io.Writer, t *Tree) error {
	tw := newTable(w)
	_, _ = fmt.Fprintln(tw, "GROUP\tKIND\tLOCK\tREADY\tACCOUNTS\tTOKENS\tADMINS")
	var row func(n *TreeNode, branch, indent string)
	row = func(n *TreeNode, branch, indent string) {
		name := branch + n.Name
		if n.Problem != "" {
			name += " [" + n.Problem + "]"
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\n", name, n.KindName, n.Lock, n.Ready,
			n.Counts.Accounts, n.Counts.Tokens, n.Counts.Admins)
		for i, c := range n.Children {
			if i == len(n.Children)-1 {
				row(c, indent+"└── ", indent+"    ")
			} else {
				row(c, indent+"├── ", indent+"│   ")
			}
		}
	}
	for _, n := range t.Groups {
		row(n, "", "")
	}
	return tw.Flush()
}

// orNone is s, or "<none>" as kubectl prints an empty value.
func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "<none>"
	}
	return s
}
