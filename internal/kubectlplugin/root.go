// Package kubectlplugin is kubectl-tessera, the kubectl plugin for Tessera: the Group tree,
// hierarchy locks, Token JWTs, signing-key rotation and Account descriptions. Connection flags
// (--kubeconfig, --context, -n, …) come from k8s.io/cli-runtime, so they behave as in kubectl.
package kubectlplugin

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/version"
)

// FieldManager is the server-side apply field manager of every write the plugin makes, so that
// managedFields show which fields kubectl-tessera set.
const FieldManager = "kubectl-tessera"

// scheme holds only what the plugin reads: Tessera's kinds and Secrets.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, tenancyv1alpha1.AddToScheme} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}()

// env is what every subcommand shares: the connection flags and the output streams.
type env struct {
	flags   *genericclioptions.ConfigFlags
	streams genericiooptions.IOStreams
}

// client connects with the kubeconfig, context and overrides the flags select.
func (e *env) client() (client.Client, error) {
	cfg, err := e.flags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = FieldManager + "/" + version.Version
	return client.New(cfg, client.Options{Scheme: scheme})
}

// namespaced is client with the namespace that -n gives, else the kubeconfig context's, else
// "default" (as kubectl).
func (e *env) namespaced() (client.Client, string, error) {
	ns, _, err := e.flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, "", err
	}
	c, err := e.client()
	return c, ns, err
}

// NewCommand returns the root command; its subcommands write to streams only.
func NewCommand(streams genericiooptions.IOStreams) *cobra.Command {
	e := &env{flags: genericclioptions.NewConfigFlags(true), streams: streams}
	root := &cobra.Command{
		Use:   "kubectl-tessera",
		Short: "Inspect and operate Tessera's Groups, Accounts and Tokens",
		Long: "kubectl tessera shows the Group tree with locks and object counts, locks and unlocks " +
			"Groups, prints Token JWTs, rotates the signing keys and describes Accounts.",
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl tessera"},
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// kubectl's own completion covers plugins; -v is not --version here, as in kubectl.
	root.CompletionOptions.HiddenDefaultCmd = true
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	e.flags.AddFlags(root.PersistentFlags())
	root.AddCommand(newTreeCommand(e), newLockCommand(e), newUnlockCommand(e), newTokenCommand(e), newDescribeCommand(e))
	return root
}

// Run executes the plugin with args (without the program name) and returns the exit code. An
// error is printed as one "error: …" line on streams.ErrOut, as kubectl does.
func Run(ctx context.Context, args []string, streams genericiooptions.IOStreams) int {
	root := NewCommand(streams)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		msg := strings.Join(strings.Fields(err.Error()), " ")
		_, _ = fmt.Fprintln(streams.ErrOut, "error: "+msg)
		return 1
	}
	return 0
}
