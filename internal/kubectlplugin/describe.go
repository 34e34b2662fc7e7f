package kubectlplugin

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

func newDescribeCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "describe ACCOUNT",
		Short:   "Show an Account's ids, login, Group, effective lock, Admin grants and Tokens",
		Example: `  kubectl tessera -n tessera-acme describe alice`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ns, err := e.namespaced()
			if err != nil {
				return err
			}
			return describeAccount(cmd.Context(), e.streams.Out, c, ns, args[0])
		},
	}
}

func describeAccount(ctx context.Context, w io.Writer, c client.Client, ns, name string) error {
	var acct tenancyv1alpha1.Account
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &acct); err != nil {
		return notFound(err, "account", ns, name)
	}
	gs, err := loadGroups(ctx, c)
	if err != nil {
		return err
	}
	// Admins and Tokens reference their Account by name in the same namespace; the API server
	// filters on the selectable field spec.accountRef.name.
	byAccount := client.MatchingFields{"spec.accountRef.name": name}
	var admins tenancyv1alpha1.AdminList
	if err := c.List(ctx, &admins, client.InNamespace(ns), byAccount); err != nil {
		return fmt.Errorf("listing Admins: %w", err)
	}
	var tokens tenancyv1alpha1.TokenList
	if err := c.List(ctx, &tokens, client.InNamespace(ns), byAccount); err != nil {
		return fmt.Errorf("listing Tokens: %w", err)
	}

	group := acct.Status.Group
	if group == "" {
		group = tenancyv1alpha1.GroupOfNamespace(ns)
	}
	groupLine, lock := orNone(group), "-"
	if g, ok := gs.byName[group]; ok {
		info, _ := gs.forest.Info(group)
		groupLine = fmt.Sprintf("%s (%s, path %s)", group, kindName(g.Spec.Kind), strings.Join(append(info.Path, group), "/"))
		l := gs.lock(group)
		lock = l.String()
		if l.Reason != "" {
			lock += ": " + l.Reason
		}
	}
	tw := newTable(w)
	for _, f := range [][2]string{
		{"Name", acct.Name}, {"Namespace", acct.Namespace}, {"Login", acct.Spec.Login},
		{"Type", orNone(string(acct.Spec.Type))}, {"Account ID", orNone(acct.Spec.AccountID)},
		{"ID", idString(acct.Spec.ID)}, {"Group", groupLine}, {"Lock", lock},
		{"Approval", orNone(string(acct.Spec.Approval))}, {"Disabled", strconv.FormatBool(acct.Spec.Disabled)},
		{"Ready", conditionStatus(acct.Status.Conditions, tenancyv1alpha1.ConditionReady)},
	} {
		_, _ = fmt.Fprintf(tw, "%s:\t%s\n", f[0], f[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	_, _ = fmt.Fprintln(w, "\nAdmin grants:")
	if len(admins.Items) == 0 {
		_, _ = fmt.Fprintln(w, "  <none>")
	} else {
		tw = newTable(w)
		_, _ = fmt.Fprintln(tw, "  ADMIN\tGROUP\tACCESS\tROLE\tREADY")
		for _, a := range admins.Items {
			_, _ = fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", a.Name, orNone(a.Status.Group), accessString(a.Spec.AccessType),
				orNone(string(a.Status.Role)), conditionStatus(a.Status.Conditions, tenancyv1alpha1.ConditionReady))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	_, _ = fmt.Fprintln(w, "\nTokens:")
	if len(tokens.Items) == 0 {
		_, _ = fmt.Fprintln(w, "  <none>")
		return nil
	}
	tw = newTable(w)
	_, _ = fmt.Fprintln(tw, "  TOKEN\tTOKEN ID\tEXPIRES\tSTATE")
	for _, t := range tokens.Items {
		id := t.Status.TokenID
		if id == "" {
			id = t.Spec.TokenID
		}
		_, _ = fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", t.Name, orNone(id), expiry(&t), tokenState(&t))
	}
	return tw.Flush()
}

func idString(id int64) string {
	if id == 0 {
		return "<none>"
	}
	return strconv.FormatInt(id, 10)
}

// accessNames are the portal's access types (Admin spec.accessType).
var accessNames = map[tenancyv1alpha1.AccessType]string{
	tenancyv1alpha1.AccessRead: "read", tenancyv1alpha1.AccessBranding: "branding",
	tenancyv1alpha1.AccessReadWrite: "read-write", tenancyv1alpha1.AccessExternalWrite: "external",
	tenancyv1alpha1.AccessFull: "full", tenancyv1alpha1.AccessMigration: "migration",
}

func accessString(a tenancyv1alpha1.AccessType) string {
	if n, ok := accessNames[a]; ok {
		return fmt.Sprintf("%d (%s)", a, n)
	}
	return strconv.Itoa(int(a))
}

// expiry is when the issued JWT expires (status), else what spec asks, else "never".
func expiry(t *tenancyv1alpha1.Token) string {
	at := t.Status.ExpiresAt
	if at == nil {
		at = t.Spec.ExpirationTime
	}
	if at == nil {
		return "never"
	}
	return at.UTC().Format(time.RFC3339)
}

// tokenState is Expired, Ready, or Ready=<status> while not ready.
func tokenState(t *tenancyv1alpha1.Token) string {
	if conditionStatus(t.Status.Conditions, tenancyv1alpha1.ConditionExpired) == string(metav1.ConditionTrue) {
		return "Expired"
	}
	switch r := conditionStatus(t.Status.Conditions, tenancyv1alpha1.ConditionReady); r {
	case string(metav1.ConditionTrue):
		return "Ready"
	default:
		return "Ready=" + r
	}
}
