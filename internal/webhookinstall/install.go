// Package webhookinstall gives Tessera's admission webhooks a serving certificate and makes the
// API server trust it, with no cert-manager: a CA and certificate are generated once into a
// Secret in the operator's namespace (shared by every replica), written to the webhook server's
// certificate directory, and the CA is put into the webhook configurations' caBundle. In local
// mode the configurations themselves are created from the generated manifest, pointing at the
// webhook server's URL on loopback.
package webhookinstall

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/tessera-dev/tessera/config"
	"github.com/tessera-dev/tessera/internal/metrics"
)

// Names of the webhook configurations, as config/webhook and local mode create them.
const (
	MutatingConfigName   = "tessera-mutating-webhook-configuration"
	ValidatingConfigName = "tessera-validating-webhook-configuration"
)

// Options says where the certificate lives and how the API server reaches the webhooks.
type Options struct {
	// Namespace and SecretName locate the certificate Secret.
	Namespace  string
	SecretName string
	// Hosts are the names the serving certificate must carry: the webhook Service's DNS names
	// in a cluster, 127.0.0.1 in local mode.
	Hosts []string
	// CertDir receives tls.crt and tls.key for the webhook server.
	CertDir string
	// URL, when set, is the webhook server's base URL (local mode): the configurations are
	// created from the generated manifest with URL client configs. When empty, they must
	// already exist (deployed from config/) and only their caBundle is set.
	URL string
}

// Ensure makes the certificate, the files and the configurations consistent.
func Ensure(ctx context.Context, c client.Client, o Options) error {
	b, err := ensureSecret(ctx, c, o)
	if err != nil {
		return err
	}
	// Nothing renews the certificate but a new Secret: the gauge lets an alert ask for one.
	if cert, err := parseCert(b.cert); err == nil {
		metrics.WebhookCertificateExpiry.Set(float64(cert.NotAfter.Unix()))
	}
	if err := os.MkdirAll(o.CertDir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.CertDir, "tls.crt"), b.cert, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.CertDir, "tls.key"), b.key, 0o600); err != nil {
		return err
	}
	if o.URL != "" {
		return applyLocalConfigurations(ctx, c, o.URL, b.caCert)
	}
	return patchCABundles(ctx, c, b.caCert)
}

func ensureSecret(ctx context.Context, c client.Client, o Options) (bundle, error) {
	s := &corev1.Secret{}
	err := c.Get(ctx, client.ObjectKey{Namespace: o.Namespace, Name: o.SecretName}, s)
	if err == nil && covers(s.Data["tls.crt"], o.Hosts) && len(s.Data["ca.crt"]) > 0 && len(s.Data["tls.key"]) > 0 {
		return bundle{caCert: s.Data["ca.crt"], cert: s.Data["tls.crt"], key: s.Data["tls.key"]}, nil
	}
	if err != nil && !apierrors.IsNotFound(err) {
		return bundle{}, err
	}
	b, gerr := newBundle(o.Hosts)
	if gerr != nil {
		return bundle{}, gerr
	}
	data := map[string][]byte{"ca.crt": b.caCert, "tls.crt": b.cert, "tls.key": b.key}
	if apierrors.IsNotFound(err) {
		s = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: o.Namespace, Name: o.SecretName,
				Labels: map[string]string{"app.kubernetes.io/managed-by": "tessera"}},
			Type: corev1.SecretTypeTLS,
			Data: data,
		}
		if err := c.Create(ctx, s); err != nil {
			if apierrors.IsAlreadyExists(err) { // another replica won the race: use its certificate
				return ensureSecret(ctx, c, o)
			}
			return bundle{}, err
		}
		return b, nil
	}
	s.Data = data
	return b, c.Update(ctx, s)
}

// applyLocalConfigurations creates or updates the webhook configurations from the generated
// manifest, with every webhook pointed at base+path.
func applyLocalConfigurations(ctx context.Context, c client.Client, base string, ca []byte) error {
	docs, err := config.Documents("webhook/manifests.yaml")
	if err != nil {
		return err
	}
	for _, doc := range docs {
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &tm); err != nil {
			return err
		}
		switch tm.Kind {
		case "MutatingWebhookConfiguration":
			cfg := &admissionregistrationv1.MutatingWebhookConfiguration{}
			if err := yaml.Unmarshal(doc, cfg); err != nil {
				return err
			}
			cfg.Name = MutatingConfigName
			for i := range cfg.Webhooks {
				cfg.Webhooks[i].ClientConfig = urlConfig(base, cfg.Webhooks[i].ClientConfig, ca)
			}
			if err := upsert(ctx, c, cfg, &admissionregistrationv1.MutatingWebhookConfiguration{}); err != nil {
				return err
			}
		case "ValidatingWebhookConfiguration":
			cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{}
			if err := yaml.Unmarshal(doc, cfg); err != nil {
				return err
			}
			cfg.Name = ValidatingConfigName
			for i := range cfg.Webhooks {
				cfg.Webhooks[i].ClientConfig = urlConfig(base, cfg.Webhooks[i].ClientConfig, ca)
			}
			if err := upsert(ctx, c, cfg, &admissionregistrationv1.ValidatingWebhookConfiguration{}); err != nil {
				return err
			}
		}
	}
	return nil
}

func urlConfig(base string, in admissionregistrationv1.WebhookClientConfig, ca []byte) admissionregistrationv1.WebhookClientConfig {
	path := ""
	if in.Service != nil && in.Service.Path != nil {
		path = *in.Service.Path
	}
	url := strings.TrimSuffix(base, "/") + path
	return admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: ca}
}

// upsert creates obj or replaces the stored object's webhooks with obj's.
func upsert(ctx context.Context, c client.Client, obj, current client.Object) error {
	err := c.Get(ctx, client.ObjectKeyFromObject(obj), current)
	if apierrors.IsNotFound(err) {
		return c.Create(ctx, obj)
	}
	if err != nil {
		return err
	}
	obj.SetResourceVersion(current.GetResourceVersion())
	return c.Update(ctx, obj)
}

// patchCABundles sets caBundle on every webhook of the deployed configurations.
func patchCABundles(ctx context.Context, c client.Client, ca []byte) error {
	m := &admissionregistrationv1.MutatingWebhookConfiguration{}
	if err := c.Get(ctx, client.ObjectKey{Name: MutatingConfigName}, m); err != nil {
		return fmt.Errorf("webhook configuration %s (deployed from config/webhook): %w", MutatingConfigName, err)
	}
	for i := range m.Webhooks {
		m.Webhooks[i].ClientConfig.CABundle = ca
	}
	if err := c.Update(ctx, m); err != nil {
		return err
	}
	v := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	err := c.Get(ctx, client.ObjectKey{Name: ValidatingConfigName}, v)
	if apierrors.IsNotFound(err) {
		return nil // no validating webhooks deployed yet
	}
	if err != nil {
		return err
	}
	for i := range v.Webhooks {
		v.Webhooks[i].ClientConfig.CABundle = ca
	}
	return c.Update(ctx, v)
}
