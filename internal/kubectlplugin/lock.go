package kubectlplugin

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// lock and unlock write spec.lock by server-side apply as FieldManager, always with
// force-conflicts: whoever runs them means to change the lock now, including one that
// `kubectl apply` or a GitOps tool set. Taking the fields over is reported on stderr naming the
// previous managers, because their next apply of a different value sets the lock back; a lock
// that Git declares is changed for good in Git, not here.

func newLockCommand(e *env) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:     "lock GROUP --reason TEXT",
		Short:   "Lock GROUP and its subtree (spec.lock.enabled=true), by server-side apply as kubectl-tessera",
		Example: `  kubectl tessera lock acme --reason "unpaid invoice"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return fmt.Errorf("--reason is required: it is shown in every refusal inside the locked subtree")
			}
			return setLock(cmd.Context(), e, args[0], map[string]any{"enabled": true, "reason": reason})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "Why the Group is locked (shown in refusals and Locked conditions)")
	return cmd
}

func newUnlockCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "unlock GROUP",
		Short:   "Unlock GROUP (spec.lock.enabled=false), by server-side apply as kubectl-tessera, whoever locked it",
		Example: `  kubectl tessera unlock acme`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return setLock(cmd.Context(), e, args[0], map[string]any{"enabled": false})
		},
	}
}

// setLock applies lock as the Group's spec.lock after checking what the tree allows.
func setLock(ctx context.Context, e *env, name string, lock map[string]any) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	gs, err := loadGroups(ctx, c)
	if err != nil {
		return err
	}
	g, ok := gs.byName[name]
	if !ok {
		return fmt.Errorf("group %q not found", name)
	}
	enable := lock["enabled"] == true
	state := gs.lock(name)
	switch {
	case state.Inherited && enable:
		return fmt.Errorf("group %q is already locked by its ancestor %q; admission refuses changes inside it", name, state.LockedBy)
	case state.Inherited:
		return fmt.Errorf("group %q is not locked itself: it inherits the lock of %q (kubectl tessera unlock %s)", name, state.LockedBy, state.LockedBy)
	case !enable && !state.Locked:
		_, _ = fmt.Fprintf(e.streams.Out, "group/%s is not locked\n", name)
		return nil
	}
	others := lockManagers(g)
	apply := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": tenancyv1alpha1.GroupVersion.String(), "kind": "Group",
		"metadata": map[string]any{"name": name},
		"spec":     map[string]any{"lock": lock},
	}}
	err = c.Apply(ctx, client.ApplyConfigurationFromUnstructured(apply), client.FieldOwner(FieldManager), client.ForceOwnership)
	if err != nil {
		return err
	}
	if len(others) > 0 {
		_, _ = fmt.Fprintf(e.streams.ErrOut, "Warning: took spec.lock of group/%s over from field manager %s; an apply of theirs with another value sets it back\n",
			name, strings.Join(others, ", "))
	}
	if enable {
		_, _ = fmt.Fprintf(e.streams.Out, "group/%s locked\n", name)
	} else {
		_, _ = fmt.Fprintf(e.streams.Out, "group/%s unlocked\n", name)
	}
	return nil
}

// lockManagers names the field managers other than FieldManager that own part of spec.lock.
func lockManagers(g *tenancyv1alpha1.Group) []string {
	var names []string
	for _, mf := range g.ManagedFields {
		if mf.Manager == FieldManager || mf.FieldsV1 == nil {
			continue
		}
		var fields struct {
			Spec map[string]json.RawMessage `json:"f:spec"`
		}
		if json.Unmarshal(mf.FieldsV1.GetRawBytes(), &fields) != nil {
			continue
		}
		if _, ok := fields.Spec["f:lock"]; ok {
			names = append(names, fmt.Sprintf("%q", mf.Manager))
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
