// Package replicas runs two Tessera replicas against one API server, as a Deployment with two
// pods does: both serve REST and admission, one leads the controllers, and the leader crashes
// or stops.
//
// Topology. One etcd and kube-apiserver of the suite's own (the integration suite's operator
// would be a third replica). Replicas a and b are processes with their own REST port, webhook
// port and certificate directory, the same Issuer (the Service name clients and tokens use in a
// cluster) and the same webhook certificate (one Secret, as in a cluster).
//
// Webhooks. The configuration points at testenv.Failover, which stands in for the webhook
// Service: each connection goes to a replica that accepts it, alternating, so both replicas
// serve admission and the one that dies may be serving it. This is kinder than a cluster in one
// way: a dead pod stays among a Service's endpoints until its readiness probe fails, and the API
// server's calls to it fail meanwhile; here the dead replica's port refuses at once and the
// proxy moves on. Calls in flight to the dying replica do fail (the burst counts them; such a
// create was refused, nothing was stored). Pointing the configuration at the survivor only would
// have hidden that the leader serves admission too.
package replicas

import (
	"context"
	"fmt"
	"os"
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
	namespace     = "tessera-system"
	// Short leases, so that a handover takes seconds (production: 15s, 10s, 2s).
	leaseDuration = 4 * time.Second
	renewDeadline = 3 * time.Second
	retryPeriod   = 500 * time.Millisecond
)

var (
	env    *envtest.Environment
	cfg    *rest.Config
	k8s    client.Client
	proxy  *testenv.Failover
	logDir string
	// a leads at the start and is killed; b takes over; a is then restarted as a follower.
	a, b *replica
	// leader is the one of them that leads.
	leader *replica
	// specs are the replicas' specs by name, to restart one with the same ports.
	specs = map[string]replicaSpec{}
)

func TestMain(m *testing.M) {
	if s := os.Getenv(replicaEnv); s != "" {
		os.Exit(runReplica(s))
	}
	os.Exit(m.Run())
}

func TestReplicas(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Replicas Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	assets, err := testenv.AssetsDir()
	Expect(err).NotTo(HaveOccurred())
	env = &envtest.Environment{BinaryAssetsDirectory: assets}
	cfg, err = env.Start()
	Expect(err).NotTo(HaveOccurred())
	k8s, err = client.New(cfg, client.Options{Scheme: operator.Scheme()})
	Expect(err).NotTo(HaveOccurred())

	ports, err := testenv.FreePorts(4)
	Expect(err).NotTo(HaveOccurred())
	proxy, err = testenv.NewFailover("127.0.0.1:"+strconv.Itoa(ports[2]), "127.0.0.1:"+strconv.Itoa(ports[3]))
	Expect(err).NotTo(HaveOccurred())
	logDir = GinkgoT().TempDir()

	base := operator.Options{
		Namespace: namespace, MetricsAddr: "0", ProbeAddr: "0",
		LeaderElection: true, LeaseDuration: leaseDuration, RenewDeadline: renewDeadline, RetryPeriod: retryPeriod,
		WebhookHost: "127.0.0.1", WebhookCertHosts: []string{"127.0.0.1"}, WebhookURL: "https://" + proxy.Addr(),
		AdminLogin: adminLogin, AdminPassword: adminPassword,
		Issuer: "http://tessera-rest." + namespace + ".svc:5170",
	}
	// The CRDs once, before either replica starts (as config/ installs them in a cluster).
	prep := base
	prep.InstallCRDs, prep.WebhookCertDir = true, filepath.Join(logDir, "certs-prepare")
	Expect(operator.Prepare(context.Background(), cfg, prep)).To(Succeed())

	for i, name := range []string{"a", "b"} {
		o := base
		o.RESTAddr = "127.0.0.1:" + strconv.Itoa(ports[i])
		o.WebhookPort = ports[2+i]
		o.WebhookCertDir = filepath.Join(logDir, "certs-"+name)
		specs[name] = replicaSpec{Host: cfg.Host, TLS: cfg.TLSClientConfig, Options: o}
	}
	// a alone first, so that it is the leader; b then starts as a follower.
	a = startReplica("a", logDir, specs["a"])
	Eventually(a.elected, 30*time.Second).Should(Receive())
	leader = a
	a.waitReady()
	b = startReplica("b", logDir, specs["b"])
	b.waitReady()
	Consistently(b.elected, 2*retryPeriod).ShouldNot(Receive(), "b leads although a holds the lease")
	Eventually(func() error {
		return k8s.Get(context.Background(), client.ObjectKey{Namespace: "tessera-root", Name: "bootstrap-admin"}, &tenancyv1alpha1.Admin{})
	}, 60*time.Second, 100*time.Millisecond).Should(Succeed())
})

var _ = ReportAfterEach(func(r SpecReport) {
	if r.Failed() {
		for _, rep := range []*replica{a, b} {
			if rep != nil {
				_, _ = fmt.Fprintf(GinkgoWriter, "--- log of replica %s (%s):\n%s\n", rep.name, rep.logPath, rep.logTail())
			}
		}
	}
})

var _ = AfterSuite(func() {
	for _, r := range []*replica{a, b} {
		if r != nil {
			r.kill()
		}
	}
	if proxy != nil {
		_ = proxy.Close()
	}
	if env != nil {
		Expect(env.Stop()).To(Succeed())
	}
})
