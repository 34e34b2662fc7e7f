// Package integration runs the whole operator — CRDs, webhooks, controllers, bootstrap and REST
// server, wired exactly as local mode wires them — against a real etcd and kube-apiserver.
package integration

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/operator"
	"github.com/tessera-dev/tessera/internal/testenv"
)

const (
	adminLogin    = "admin@tessera.example"
	adminPassword = "s3cret-Passw0rd"
)

var (
	env     *envtest.Environment
	cfg     *rest.Config
	k8s     client.Client
	restURL string
	cancel  context.CancelFunc
	// op is the running operator, for its Verifier and key Store.
	op *operator.Operator
	// outboxDir receives the portal's e-mails, as local mode's .tessera/outbox/ does.
	outboxDir string
)

func TestIntegration(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Integration Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	assets, err := testenv.AssetsDir()
	Expect(err).NotTo(HaveOccurred())

	env = &envtest.Environment{BinaryAssetsDirectory: assets}
	cfg, err = env.Start()
	Expect(err).NotTo(HaveOccurred())

	ports, err := testenv.FreePorts(2)
	Expect(err).NotTo(HaveOccurred())
	webhookPort, restPort := ports[0], ports[1]
	restAddr := "127.0.0.1:" + strconv.Itoa(restPort)
	restURL = "http://" + restAddr
	outboxDir = filepath.Join(GinkgoT().TempDir(), "outbox")

	o := operator.Options{
		Namespace:        "tessera-system",
		RESTAddr:         restAddr,
		MetricsAddr:      "0",
		ProbeAddr:        "0",
		WebhookHost:      "127.0.0.1",
		WebhookPort:      webhookPort,
		WebhookCertDir:   filepath.Join(GinkgoT().TempDir(), "webhook-certs"),
		WebhookCertHosts: []string{"127.0.0.1"},
		WebhookURL:       fmt.Sprintf("https://127.0.0.1:%d", webhookPort),
		InstallCRDs:      true,
		AdminLogin:       adminLogin,
		AdminPassword:    adminPassword,
		Issuer:           restURL,
		OutboxDir:        outboxDir,
	}
	var ctx context.Context
	ctx, cancel = context.WithCancel(context.Background())
	Expect(operator.Prepare(ctx, cfg, o)).To(Succeed())
	op, err = operator.NewManager(cfg, o)
	Expect(err).NotTo(HaveOccurred())
	go func() {
		defer GinkgoRecover()
		Expect(op.Start(ctx)).To(Succeed())
	}()

	k8s, err = client.New(cfg, client.Options{Scheme: operator.Scheme()})
	Expect(err).NotTo(HaveOccurred())
	// The webhook server must answer before tests create objects.
	Eventually(func() error {
		return op.GetWebhookServer().StartedChecker()(nil)
	}, 30*time.Second, 100*time.Millisecond).Should(Succeed())
	// Specs build under the root Group, which the bootstrap creates.
	Eventually(func() error {
		return k8s.Get(ctx, client.ObjectKey{Namespace: "tessera-root", Name: "bootstrap-admin"}, &tenancyv1alpha1.Admin{})
	}, 60*time.Second, 100*time.Millisecond).Should(Succeed())
	// And the REST server serves it: caches synced, the administrator can sign in.
	Eventually(func() error { return op.Ready(ctx) }, 60*time.Second, 100*time.Millisecond).Should(Succeed())
})

var _ = AfterSuite(func() {
	if cancel != nil {
		cancel()
	}
	if env != nil {
		Expect(env.Stop()).To(Succeed())
	}
})
