// Package plugin drives kubectl-tessera against a real kube-apiserver with the Tessera operator
// running (CRDs, webhooks, controllers, bootstrap), so that Group status, Admin roles and Token
// Secrets are the operator's own. The plugin runs in-process with a kubeconfig file, as a user
// runs it; one spec builds the binary and runs it through kubectl's plugin discovery.
package plugin

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/kubectlplugin"
	"github.com/tessera-dev/tessera/internal/operator"
	"github.com/tessera-dev/tessera/internal/testenv"
)

// The kubeconfig's current context points at a dead server, so every run must select the live
// one with --context (as kubectl would); that context's namespace is tessera-acme.
const (
	liveContext    = "envtest"
	contextNS      = "tessera-acme"
	operatorNS     = "tessera-system"
	bootstrapLogin = "admin@plugin.example"
)

var (
	env        *envtest.Environment
	k8s        client.Client
	kubeconfig string
	assets     string
	cancel     context.CancelFunc
)

func TestPlugin(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "kubectl-tessera Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	var err error
	assets, err = testenv.AssetsDir()
	Expect(err).NotTo(HaveOccurred())
	env = &envtest.Environment{BinaryAssetsDirectory: assets}
	cfg, err := env.Start()
	Expect(err).NotTo(HaveOccurred())

	ports, err := testenv.FreePorts(2)
	Expect(err).NotTo(HaveOccurred())
	restAddr := "127.0.0.1:" + strconv.Itoa(ports[1])
	o := operator.Options{
		Namespace: operatorNS, RESTAddr: restAddr, MetricsAddr: "0", ProbeAddr: "0",
		WebhookHost: "127.0.0.1", WebhookPort: ports[0],
		WebhookCertDir:   filepath.Join(GinkgoT().TempDir(), "webhook-certs"),
		WebhookCertHosts: []string{"127.0.0.1"}, WebhookURL: fmt.Sprintf("https://127.0.0.1:%d", ports[0]),
		InstallCRDs: true, AdminLogin: bootstrapLogin, AdminPassword: "plugin-Passw0rd", Issuer: "http://" + restAddr,
	}
	var ctx context.Context
	ctx, cancel = context.WithCancel(context.Background())
	Expect(operator.Prepare(ctx, cfg, o)).To(Succeed())
	op, err := operator.NewManager(cfg, o)
	Expect(err).NotTo(HaveOccurred())
	go func() {
		defer GinkgoRecover()
		Expect(op.Start(ctx)).To(Succeed())
	}()
	k8s, err = client.New(cfg, client.Options{Scheme: operator.Scheme()})
	Expect(err).NotTo(HaveOccurred())
	Eventually(func() error { return op.GetWebhookServer().StartedChecker()(nil) }, 30*time.Second, 100*time.Millisecond).
		Should(Succeed())
	Eventually(func() error {
		return k8s.Get(ctx, client.ObjectKey{Namespace: "tessera-root", Name: "bootstrap-admin"}, &tenancyv1alpha1.Admin{})
	}, 60*time.Second, 100*time.Millisecond).Should(Succeed())

	kubeconfig = writeKubeconfig()
	buildFixtures(ctx)
})

var _ = AfterSuite(func() {
	if cancel != nil {
		cancel()
	}
	if env != nil {
		Expect(env.Stop()).To(Succeed())
	}
})

// writeKubeconfig writes a kubeconfig for a cluster-admin user with the live context (namespace
// tessera-acme) and a current context that leads nowhere.
func writeKubeconfig() string {
	user, err := env.AddUser(envtest.User{Name: "plugin-user", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	raw, err := user.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	kc, err := clientcmd.Load(raw)
	Expect(err).NotTo(HaveOccurred())
	Expect(kc.Contexts).To(HaveKey(liveContext))
	kc.Contexts[liveContext].Namespace = contextNS
	kc.Clusters["dead"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1", InsecureSkipTLSVerify: true}
	kc.Contexts["dead"] = &clientcmdapi.Context{Cluster: "dead", AuthInfo: liveContext}
	kc.CurrentContext = "dead"
	path := filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(clientcmd.WriteToFile(*kc, path)).To(Succeed())
	return path
}

// result is one run of the plugin.
type result struct {
	out, err string
	code     int
}

// plugin runs kubectl-tessera in-process with the test kubeconfig and the live context.
func plugin(args ...string) result {
	return pluginIn(liveContext, args...)
}

// pluginIn runs kubectl-tessera with the given kubeconfig context ("" leaves --context out).
func pluginIn(kubeContext string, args ...string) result {
	GinkgoHelper()
	var out, errOut bytes.Buffer
	flags := []string{"--kubeconfig", kubeconfig}
	if kubeContext != "" {
		flags = append(flags, "--context", kubeContext)
	}
	ctx, done := context.WithTimeout(context.Background(), 90*time.Second)
	defer done()
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: &out, ErrOut: &errOut}
	code := kubectlplugin.Run(ctx, append(flags, args...), streams)
	GinkgoWriter.Printf("kubectl tessera %v → %d\n%s%s", args, code, out.String(), errOut.String())
	return result{out: out.String(), err: errOut.String(), code: code}
}

// succeed runs the plugin and expects exit 0 and an empty stderr; it returns stdout.
func succeed(args ...string) string {
	GinkgoHelper()
	r := plugin(args...)
	Expect(r.code).To(Equal(0), "stderr: %s", r.err)
	Expect(r.err).To(BeEmpty())
	return r.out
}

// fail runs the plugin and expects exit 1, no stdout and one "error: …" line on stderr, which
// it returns without the prefix.
func fail(args ...string) string {
	GinkgoHelper()
	r := plugin(args...)
	Expect(r.code).To(Equal(1))
	Expect(r.out).To(BeEmpty())
	Expect(r.err).To(MatchRegexp(`^error: [^\n]+\n$`))
	return r.err[len("error: ") : len(r.err)-1]
}
