package kubectlplugin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/keys"
)

// DefaultOperatorNamespace is where Tessera runs unless --operator-namespace says otherwise.
const DefaultOperatorNamespace = "tessera-system"

func newTokenCommand(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print Token JWTs and rotate the signing keys",
	}
	cmd.AddCommand(newTokenGetCommand(e), newRotateKeysCommand(e))
	return cmd
}

func newTokenGetCommand(e *env) *cobra.Command {
	var decode bool
	cmd := &cobra.Command{
		Use:   "get TOKEN",
		Short: "Print the JWT the operator signed for TOKEN (--decode: its header and claims, unverified)",
		Example: `  kubectl tessera -n tessera-acme token get alice-ci
  kubectl tessera -n tessera-acme token get alice-ci --decode`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ns, err := e.namespaced()
			if err != nil {
				return err
			}
			jwt, err := tokenJWT(cmd.Context(), c, ns, args[0])
			if err != nil {
				return err
			}
			if !decode {
				_, err = fmt.Fprintln(e.streams.Out, jwt)
				return err
			}
			d, err := decodeJWT(jwt)
			if err != nil {
				return fmt.Errorf("token %s/%s: %w", ns, args[0], err)
			}
			return writeJSON(e.streams.Out, d)
		},
	}
	cmd.Flags().BoolVar(&decode, "decode", false, "Print the JWT's header and claims as JSON instead (the signature is not checked)")
	return cmd
}

// tokenJWT reads the JWT from the Secret the Token's status names.
func tokenJWT(ctx context.Context, c client.Client, ns, name string) (string, error) {
	var tok tenancyv1alpha1.Token
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &tok); err != nil {
		return "", notFound(err, "token", ns, name)
	}
	if tok.Status.SecretName == "" {
		return "", fmt.Errorf("token %s/%s has no JWT yet: the operator has not issued it (Ready=%s)", ns, name,
			conditionStatus(tok.Status.Conditions, tenancyv1alpha1.ConditionReady))
	}
	var sec corev1.Secret
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: tok.Status.SecretName}, &sec); err != nil {
		return "", fmt.Errorf("token %s/%s: reading its Secret: %w", ns, name, err)
	}
	jwt := string(sec.Data[tenancyv1alpha1.TokenSecretKey])
	if jwt == "" {
		return "", fmt.Errorf("token %s/%s: Secret %s holds no %q key", ns, name, sec.Name, tenancyv1alpha1.TokenSecretKey)
	}
	return jwt, nil
}

func newRotateKeysCommand(e *env) *cobra.Command {
	operatorNS := DefaultOperatorNamespace
	waitFor := true
	timeout := time.Minute
	cmd := &cobra.Command{
		Use:   "rotate-keys",
		Short: "Ask the operator to rotate the signing key now (annotates Secret " + keys.SecretName + ")",
		Long: "rotate-keys sets the " + tenancyv1alpha1.AnnotationRotate + " annotation on the signing-key Secret; the operator " +
			"makes a new active key and records the request in " + tenancyv1alpha1.AnnotationRotated + ". Tokens already " +
			"issued keep verifying with the retired key until they expire.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			return rotateKeys(cmd.Context(), e, c, operatorNS, waitFor, timeout)
		},
	}
	cmd.Flags().StringVar(&operatorNS, "operator-namespace", operatorNS, "The namespace Tessera's operator runs in")
	cmd.Flags().BoolVar(&waitFor, "wait", waitFor, "Wait until the operator has rotated")
	cmd.Flags().DurationVar(&timeout, "timeout", timeout, "How long --wait waits")
	return cmd
}

func rotateKeys(ctx context.Context, e *env, c client.Client, ns string, waitFor bool, timeout time.Duration) error {
	key := client.ObjectKey{Namespace: ns, Name: keys.SecretName}
	var sec corev1.Secret
	if err := c.Get(ctx, key, &sec); err != nil {
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("secret %s/%s not found: is the operator running in namespace %s? (--operator-namespace)", ns, keys.SecretName, ns)
		}
		return err
	}
	before := activeKey(&sec)
	// A fresh value each time: the operator rotates when rotate differs from rotated.
	request := time.Now().UTC().Format(time.RFC3339Nano)
	patch := client.MergeFrom(sec.DeepCopy())
	if sec.Annotations == nil {
		sec.Annotations = map[string]string{}
	}
	sec.Annotations[tenancyv1alpha1.AnnotationRotate] = request
	if err := c.Patch(ctx, &sec, patch, client.FieldOwner(FieldManager)); err != nil {
		return err
	}
	if !waitFor {
		_, _ = fmt.Fprintf(e.streams.Out, "secret/%s rotation requested in namespace %s\n", keys.SecretName, ns)
		return nil
	}
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		if err := c.Get(ctx, key, &sec); err != nil {
			return false, err
		}
		return sec.Annotations[tenancyv1alpha1.AnnotationRotated] == request, nil
	})
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("the operator did not rotate within %s: is it running in %s? (the request stays; it rotates when it starts)", timeout, ns)
	}
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(e.streams.Out, "signing keys rotated: active key %s (was %s; it keeps verifying the tokens it signed)\n",
		orNone(activeKey(&sec)), orNone(before))
	return nil
}

// activeKey is the id of the Secret's active key, "" when its data does not decode.
func activeKey(sec *corev1.Secret) string {
	set, err := keys.FromSecretData(sec.Data)
	if err != nil {
		return ""
	}
	return set.Active().ID
}

// notFound turns a NotFound error into a one-liner that points at -n, which is what is
// usually wrong: Tessera's objects live in tessera-<group>, not in the default namespace.
func notFound(err error, kind, ns, name string) error {
	if !apierrors.IsNotFound(err) {
		return err
	}
	return fmt.Errorf("%s %q not found in namespace %q (Tessera's %ss live in their Group's namespace %s<group>: use -n)",
		kind, name, ns, kind, tenancyv1alpha1.GroupNamespacePrefix)
}
