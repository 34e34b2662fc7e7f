// Package operator wires Tessera together: the manager with its cache rules, the controllers,
// the admission webhooks, the REST server and the bootstrap. Cluster mode and local mode both
// run through Run; they differ only in Options.
package operator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	ctrlwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/controllers"
	"github.com/tessera-dev/tessera/internal/bootstrap"
	"github.com/tessera-dev/tessera/internal/claims"
	"github.com/tessera-dev/tessera/internal/crds"
	"github.com/tessera-dev/tessera/internal/ids"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/keys"
	"github.com/tessera-dev/tessera/internal/listindex"
	restserver "github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/tree"
	"github.com/tessera-dev/tessera/internal/verify"
	"github.com/tessera-dev/tessera/internal/version"
	"github.com/tessera-dev/tessera/internal/webhookinstall"
	"github.com/tessera-dev/tessera/webhook"
)

// Options configure one Tessera process.
type Options struct {
	// Namespace is the operator's own namespace: webhook certificate, id counters, signing keys.
	Namespace string
	// RESTAddr is the REST server's listen address.
	RESTAddr string
	// MetricsAddr serves controller metrics; "0" disables it.
	MetricsAddr string
	// ProbeAddr serves /healthz and /readyz; "0" disables it.
	ProbeAddr string
	// PprofAddr serves Go's /debug/pprof/ profiles, for benchmarks and incidents; "" or "0"
	// disables it (the default: profiles show internals and cost CPU while taken).
	PprofAddr string
	// LeaderElection makes one replica run the controllers and the bootstrap.
	LeaderElection bool
	// LeaseDuration, RenewDeadline and RetryPeriod tune leader election; zero keeps
	// controller-runtime's 15s, 10s and 2s. A leader that dies without releasing its lease is
	// replaced once the lease has gone unrenewed for LeaseDuration (plus up to a RetryPeriod);
	// a leader that cannot renew for RenewDeadline steps down. Shorter means a faster handover
	// and more lease writes (one per RetryPeriod).
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration

	// WebhookHost and WebhookPort are where the admission webhook server binds.
	WebhookHost string
	WebhookPort int
	// WebhookCertDir receives the webhook server's certificate.
	WebhookCertDir string
	// WebhookCertHosts are the names the webhook certificate carries.
	WebhookCertHosts []string
	// WebhookURL, in local mode, is the base URL the API server calls; the webhook
	// configurations are then created by Tessera. Empty in a cluster, where config/ deploys them.
	WebhookURL string
	// ExternalWebhookCert leaves the webhook certificate and the CA bundle of the webhook
	// configurations to someone else (cert-manager mounts the certificate into WebhookCertDir
	// and injects the CA); Prepare then writes neither, so it never overwrites theirs.
	ExternalWebhookCert bool

	// InstallCRDs applies the embedded CRDs before starting (local mode and tests).
	InstallCRDs bool

	// AdminLogin and AdminPassword create the bootstrap administrator on first start.
	AdminLogin, AdminPassword string

	// Issuer is the iss claim of the JWTs Tessera signs and the issuer of its discovery document.
	Issuer string
	// SigningAlgorithm is the algorithm of new signing keys: ES256 (default), EdDSA or HS256.
	SigningAlgorithm keys.Algorithm
	// KeyRotationPeriod is how long a signing key stays active; 0 never rotates on schedule.
	KeyRotationPeriod time.Duration

	// OutboxDir, when set (local mode), receives every e-mail the portal sends as an RFC 5322
	// .eml file instead of sending it through the brand's SMTP server.
	OutboxDir string
	// TrustedProxies are the reverse proxies in front of the REST server whose X-Forwarded-For
	// and X-Forwarded-Proto the portal believes (its IP allow-lists, its Secure cookie). None
	// by default: the client is the connection's peer.
	TrustedProxies []netip.Prefix
}

// FieldManager is the field manager of every write Tessera's binary makes, its user agent's
// name.
const FieldManager = "tessera"

// asTessera is a copy of cfg whose requests say they are Tessera's. The API server names the
// field manager of a write after the user agent, which client-go derives from the binary's file
// name: a renamed or test binary would own the same fields under another name. One name, in
// managedFields and in audit logs.
func asTessera(cfg *rest.Config) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = FieldManager + "/" + version.Version
	return cfg
}

// Scheme returns a scheme with the Kubernetes and Tessera types.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme, tenancyv1alpha1.AddToScheme} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}

// CacheOptions configure the manager's cache (hack/bench cache-cost builds the same).
func CacheOptions() cache.Options {
	managed := labels.SelectorFromSet(labels.Set{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue})
	return cache.Options{
		DefaultTransform: cacheTransform(),
		// Only Tessera's own Secrets and namespaces are cached, whatever else the cluster holds.
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Secret{}:    {Label: managed},
			&corev1.Namespace{}: {Label: managed},
		},
	}
}

// Prepare does what must precede the manager: CRDs (when asked), the operator namespace and the
// webhook certificate and configurations.
func Prepare(ctx context.Context, cfg *rest.Config, o Options) error {
	c, err := client.New(asTessera(cfg), client.Options{Scheme: Scheme()})
	if err != nil {
		return err
	}
	if o.InstallCRDs {
		if err := crds.Install(ctx, c); err != nil {
			return err
		}
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: o.Namespace}}
	if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating the operator namespace %s: %w", o.Namespace, err)
	}
	if o.ExternalWebhookCert {
		return nil
	}
	return webhookinstall.Ensure(ctx, c, webhookinstall.Options{
		Namespace: o.Namespace, SecretName: "tessera-webhook-tls", Hosts: o.WebhookCertHosts,
		CertDir: o.WebhookCertDir, URL: o.WebhookURL,
	})
}

// Operator is a built manager and the shared parts the REST APIs and tests use.
type Operator struct {
	ctrl.Manager
	// Verifier checks tokens and passwords from memory.
	Verifier *verify.Verifier
	// Keys holds the current signing key set.
	Keys *keys.Store
	// Ready reports nil once Tessera serves what it announces: the REST listener is bound, the
	// signing keys are loaded, the caches have synced and the bootstrap is done (see
	// bootstrap.Readiness). Local mode prints its banner only then.
	Ready func(context.Context) error
}

// NewManager builds the manager with every controller, webhook and server registered.
func NewManager(cfg *rest.Config, o Options) (*Operator, error) {
	cfg = asTessera(cfg)
	// The API server, not the client, should be the limit (DESIGN.md budgets).
	cfg.QPS, cfg.Burst = 500, 1000

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  Scheme(),
		Cache:                   CacheOptions(),
		NewCache:                index.NewCache,
		Metrics:                 metricsserver.Options{BindAddress: o.MetricsAddr},
		HealthProbeBindAddress:  o.ProbeAddr,
		PprofBindAddress:        o.PprofAddr,
		LeaderElection:          o.LeaderElection,
		LeaderElectionID:        "tessera.tenancy.tessera.dev",
		LeaderElectionNamespace: o.Namespace,
		// A replica that stops (a rolling update, a drain) gives the lease up once its
		// controllers have stopped, so the next leads at once instead of after LeaseDuration.
		// Safe because nothing runs after the manager: Run returns and the binary exits.
		LeaderElectionReleaseOnCancel: true,
		LeaseDuration:                 orDefault(o.LeaseDuration),
		RenewDeadline:                 orDefault(o.RenewDeadline),
		RetryPeriod:                   orDefault(o.RetryPeriod),
		WebhookServer: ctrlwebhook.NewServer(ctrlwebhook.Options{
			Host: o.WebhookHost, Port: o.WebhookPort, CertDir: o.WebhookCertDir,
		}),
	})
	if err != nil {
		return nil, err
	}

	if err := index.Setup(context.Background(), mgr.GetFieldIndexer()); err != nil {
		return nil, err
	}

	// direct reads and writes the API server without the cache, for the few places that need
	// the latest state (id reservations, identifier claims, the bootstrap).
	direct, err := client.New(cfg, client.Options{Scheme: mgr.GetScheme()})
	if err != nil {
		return nil, err
	}
	// forest is the Group reconciler's (leader only); view is everyone else's, on every replica.
	forest, view := &tree.Forest{}, &tree.Forest{}
	if err := mirrorGroups(mgr, view); err != nil {
		return nil, err
	}
	if err := (&controllers.GroupReconciler{
		Client: mgr.GetClient(), Forest: forest, Recorder: mgr.GetEventRecorder("tessera-group"),
	}).SetupWithManager(mgr); err != nil {
		return nil, err
	}
	idClaims := &claims.Claims{Client: direct, Namespace: o.Namespace, Cache: mgr.GetClient()}
	if err := mgr.Add(&claims.Sweeper{Claims: idClaims, Log: ctrl.Log.WithName("claims")}); err != nil {
		return nil, err
	}
	if err := setupAccountControllers(mgr, forest, idClaims); err != nil {
		return nil, err
	}
	keyStore := &keys.Store{}
	if err := setupTokens(mgr, forest, keyStore, o); err != nil {
		return nil, err
	}
	if err := webhook.Setup(mgr, webhook.Deps{
		IDs:    &ids.Allocator{Client: direct, Namespace: o.Namespace},
		Forest: view,
		Cache:  mgr.GetClient(),
		Direct: direct,
		Claims: idClaims,
	}); err != nil {
		return nil, err
	}

	verifier := &verify.Verifier{Keys: keyStore, Cache: mgr.GetClient(), Forest: view, Issuer: o.Issuer}
	booted := &bootstrap.Readiness{Cache: mgr.GetClient(), Synced: mgr.GetCache().WaitForCacheSync, Forest: view,
		Admin: o.AdminLogin != ""}
	// The REST lists page through indexes kept from the cache (internal/listindex): a list is
	// right only once they have loaded.
	lists, err := listindex.Register(context.Background(), mgr.GetCache())
	if err != nil {
		return nil, err
	}
	serving := func(ctx context.Context) error {
		if err := keyStore.Check(nil); err != nil {
			return err
		}
		if !lists.Synced() {
			return errors.New("the list indexes are still loading")
		}
		return booted.Check(ctx)
	}
	handler, err := newRESTHandler(mgr, o, keyStore, verifier, lists, serving)
	if err != nil {
		return nil, err
	}
	restServer := restserver.NewServer(o.RESTAddr, handler, ctrl.Log.WithName("rest"))
	if err := mgr.Add(restServer); err != nil {
		return nil, err
	}
	if err := mgr.Add(&bootstrap.Bootstrap{Client: direct, Login: o.AdminLogin, Password: o.AdminPassword}); err != nil {
		return nil, err
	}

	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return nil, err
	}
	if err := mgr.AddReadyzCheck("webhook", mgr.GetWebhookServer().StartedChecker()); err != nil {
		return nil, err
	}
	if err := mgr.AddReadyzCheck("signing-keys", keyStore.Check); err != nil {
		return nil, err
	}
	// With the webhook behind a Service (a cluster), the bootstrap's own writes need this pod's
	// webhook endpoint, which the Service publishes only once the pod is ready: waiting for the
	// bootstrap there would deadlock a fresh install. /readyz then waits for the caches, and
	// /healthcheck (the REST Service's check) for the bootstrap. With a direct webhook URL
	// (local mode, tests) it waits for the bootstrap too.
	name, check := "bootstrap", booted.Checker
	if o.WebhookURL == "" {
		name, check = "caches", func(r *http.Request) error { return cacheSynced(r, mgr) }
	}
	if err := mgr.AddReadyzCheck(name, check); err != nil {
		return nil, err
	}
	ready := func(ctx context.Context) error {
		bindCtx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		defer cancel()
		if _, err := restServer.BoundAddr(bindCtx); err != nil {
			return fmt.Errorf("the REST server is not listening yet")
		}
		return serving(ctx)
	}
	return &Operator{Manager: mgr, Verifier: verifier, Keys: keyStore, Ready: ready}, nil
}

// cacheSynced is the readiness of the informer caches.
func cacheSynced(r *http.Request, mgr ctrl.Manager) error {
	ctx, cancel := context.WithTimeout(r.Context(), 100*time.Millisecond)
	defer cancel()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		return fmt.Errorf("the informer caches have not synced yet")
	}
	return nil
}

// orDefault is nil, controller-runtime's default, for zero.
func orDefault(d time.Duration) *time.Duration {
	if d == 0 {
		return nil
	}
	return &d
}

// Run prepares the cluster, builds the manager and runs it until ctx ends.
func Run(ctx context.Context, cfg *rest.Config, o Options) error {
	if err := Prepare(ctx, cfg, o); err != nil {
		return err
	}
	mgr, err := NewManager(cfg, o)
	if err != nil {
		return err
	}
	return mgr.Start(ctx)
}
