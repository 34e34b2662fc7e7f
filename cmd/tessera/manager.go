package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tessera-dev/tessera/internal/memlimit"
	"github.com/tessera-dev/tessera/internal/operator"
)

// runManager runs Tessera inside a cluster: leader election, probes, metrics, structured logs.
func runManager(args []string) error {
	fs := flag.NewFlagSet("tessera", flag.ContinueOnError)
	o := operator.Options{}
	var adminSecret, webhookService string
	fs.StringVar(&o.Namespace, "namespace", cmp.Or(os.Getenv("POD_NAMESPACE"), "tessera-system"),
		"the operator's namespace (signing keys, webhook certificate, id counters)")
	fs.StringVar(&o.RESTAddr, "rest-addr", defaultRESTAddr(), "REST API listen address (env TESSERA_REST_ADDR)")
	fs.StringVar(&o.MetricsAddr, "metrics-bind-address", ":8080", "controller metrics address; 0 disables")
	fs.StringVar(&o.ProbeAddr, "health-probe-bind-address", ":8081", "health and readiness probe address")
	fs.StringVar(&o.PprofAddr, "pprof-bind-address", "0", "Go's /debug/pprof/ address; 0 disables")
	fs.BoolVar(&o.LeaderElection, "leader-elect", false, "elect one leader among replicas to run controllers")
	fs.DurationVar(&o.LeaseDuration, "leader-elect-lease-duration", 15*time.Second,
		"how long a dead leader's lease blocks the other replicas")
	fs.DurationVar(&o.RenewDeadline, "leader-elect-renew-deadline", 10*time.Second,
		"how long the leader keeps trying to renew before it steps down")
	fs.DurationVar(&o.RetryPeriod, "leader-elect-retry-period", 2*time.Second,
		"how often the leader renews and the others try to acquire")
	fs.IntVar(&o.WebhookPort, "webhook-port", 9443, "admission webhook port")
	fs.StringVar(&o.WebhookCertDir, "webhook-cert-dir", "/tmp/k8s-webhook-server/serving-certs",
		"where the webhook certificate is written")
	selfManagedCert := fs.Bool("webhook-cert-self-managed", true,
		"generate the webhook certificate (Secret tessera-webhook-tls) and put its CA into the webhook "+
			"configurations; false when cert-manager mounts it at --webhook-cert-dir and injects the CA")
	fs.StringVar(&webhookService, "webhook-service", "tessera-webhook-service",
		"name of the Service in front of the webhook server")
	fs.StringVar(&adminSecret, "bootstrap-admin-secret", "tessera-bootstrap-admin",
		"Secret in the operator namespace with 'login' and 'password' of the bootstrap administrator; "+
			"ignored when absent")
	signingFlags(fs, &o)
	if err := proxyFlags(fs, &o); err != nil {
		return err
	}
	logging := setupLogging(fs, false)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logging()
	if soft := memlimit.Apply(); soft > 0 {
		ctrl.Log.Info("soft memory limit derived from the container's", "GOMEMLIMIT", soft)
	}
	if o.Issuer == "" {
		o.Issuer = fmt.Sprintf("http://tessera-rest.%s.svc:5170", o.Namespace)
	}
	o.WebhookCertHosts = []string{
		fmt.Sprintf("%s.%s.svc", webhookService, o.Namespace),
		fmt.Sprintf("%s.%s.svc.cluster.local", webhookService, o.Namespace),
	}

	cfg, err := ctrl.GetConfig()
	if err != nil {
		return err
	}
	ctx := ctrl.SetupSignalHandler()
	o.AdminLogin, o.AdminPassword, err = readAdminSecret(ctx, o.Namespace, adminSecret)
	if err != nil {
		return err
	}
	o.ExternalWebhookCert = !*selfManagedCert
	return operator.Run(ctx, cfg, o)
}

// readAdminSecret reads the bootstrap credentials; the environment wins when it sets them.
func readAdminSecret(ctx context.Context, namespace, name string) (login, password string, err error) {
	login, password = os.Getenv("TESSERA_ADMIN_LOGIN"), os.Getenv("TESSERA_ADMIN_PASSWORD")
	if login != "" || name == "" {
		return login, password, nil
	}
	c, err := client.New(ctrl.GetConfigOrDie(), client.Options{Scheme: operator.Scheme()})
	if err != nil {
		return "", "", err
	}
	s := &corev1.Secret{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, s); err != nil {
		if client.IgnoreNotFound(err) == nil {
			return "", "", nil
		}
		return "", "", fmt.Errorf("reading the bootstrap administrator Secret %s/%s: %w", namespace, name, err)
	}
	return string(s.Data["login"]), string(s.Data["password"]), nil
}
