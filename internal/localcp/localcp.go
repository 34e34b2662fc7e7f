// Package localcp runs a persistent local Kubernetes control plane — etcd, kube-apiserver and a
// kube-controller-manager for garbage collection — as child processes for `tessera local`. State (etcd data, certificates, kubeconfig, logs)
// lives in one directory, so stopping and starting again keeps every object.
package localcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"
)

// Options configures Start. Zero values get the defaults noted on each field.
type Options struct {
	// Dir holds the state: etcd/ (data), pki/, kubeconfig, logs/{etcd,kube-apiserver}.log, lock.
	Dir string
	// BinDir holds the etcd and kube-apiserver binaries (`make control-plane` builds them into bin/).
	BinDir string
	// APIServerPort is the HTTPS port on 127.0.0.1; default 6443.
	APIServerPort int
	// EtcdClientPort is etcd's client port on 127.0.0.1; default 2379.
	EtcdClientPort int
	// EtcdPeerPort is etcd's peer port on 127.0.0.1; default EtcdClientPort+1 (2380).
	EtcdPeerPort int
	// ReadyTimeout bounds the wait for each of etcd and kube-apiserver; default 60s.
	ReadyTimeout time.Duration
	// APIServerArgs are appended to kube-apiserver's flags; a repeated flag overrides ours.
	APIServerArgs []string
	// Log receives one line per step; nil discards them.
	Log io.Writer
}

func (o *Options) setDefaults() {
	if o.Dir == "" {
		o.Dir = ".tessera"
	}
	if o.APIServerPort == 0 {
		o.APIServerPort = 6443
	}
	if o.EtcdClientPort == 0 {
		o.EtcdClientPort = 2379
	}
	if o.EtcdPeerPort == 0 {
		o.EtcdPeerPort = o.EtcdClientPort + 1
	}
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 60 * time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

// ControlPlane is a running etcd, kube-apiserver and kube-controller-manager. Stop it when done.
type ControlPlane struct {
	opts       Options
	dir        string // absolute Dir
	lock       *dirLock
	etcd       *child
	apiserver  *child
	controller *child // nil until StartControllerManager
	kcmBin     string // kube-controller-manager's path, for StartControllerManager
	creds      adminCredentials
	url        string
	kubeconfig string

	mu       sync.Mutex
	stopping bool
	err      error         // why the control plane stopped on its own, if it did
	done     chan struct{} // closed when Stop ends or a child exits unexpectedly
	doneOnce sync.Once
	stopOnce sync.Once
	stopErr  error
}

// Start brings up etcd, then kube-apiserver, and returns once the apiserver is ready;
// kube-controller-manager waits for StartControllerManager. ctx bounds only the start-up; the
// processes run until Stop. On any failure, whatever was started is stopped again and the lock
// released.
func Start(ctx context.Context, o Options) (cp *ControlPlane, err error) {
	o.setDefaults()
	bins, err := findBinaries(o.BinDir)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return nil, err
	}
	c := &ControlPlane{
		opts:       o,
		dir:        dir,
		url:        "https://127.0.0.1:" + strconv.Itoa(o.APIServerPort),
		kubeconfig: filepath.Join(dir, "kubeconfig"),
		done:       make(chan struct{}),
	}
	// The lock comes first: a running instance must be reported as such, not as busy ports.
	if c.lock, err = lockDir(filepath.Join(dir, "lock"), o.Dir); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = c.Stop()
		}
	}()
	if err := checkPorts([]namedPort{
		{o.APIServerPort, "kube-apiserver"},
		{o.EtcdClientPort, "etcd client"},
		{o.EtcdPeerPort, "etcd peer"},
	}); err != nil {
		return nil, err
	}

	p := pki{dir: filepath.Join(dir, "pki")}
	if err := p.ensure(); err != nil {
		return nil, fmt.Errorf("certificates in %s: %w", p.dir, err)
	}
	if c.creds, err = loadAdminCredentials(p); err != nil {
		return nil, err
	}

	if err := c.startEtcd(ctx, bins[0]); err != nil {
		return nil, err
	}
	if err := c.startAPIServer(ctx, bins[1], p); err != nil {
		return nil, err
	}
	if err := writeKubeconfig(c.kubeconfig, c.url, c.creds); err != nil {
		return nil, fmt.Errorf("write kubeconfig: %w", err)
	}
	c.logf("kubeconfig written to %s", filepath.Join(o.Dir, "kubeconfig"))
	c.kcmBin = bins[2]
	go c.watch(c.etcd)
	go c.watch(c.apiserver)
	return c, nil
}

// etcdQuotaBytes is the local etcd's backend quota (--quota-backend-bytes).
const etcdQuotaBytes = 8 << 30

func (c *ControlPlane) startEtcd(ctx context.Context, bin string) error {
	client := "http://127.0.0.1:" + strconv.Itoa(c.opts.EtcdClientPort)
	peer := "http://127.0.0.1:" + strconv.Itoa(c.opts.EtcdPeerPort)
	args := []string{
		"--name=default",
		"--data-dir=" + filepath.Join(c.dir, "etcd"),
		"--listen-client-urls=" + client,
		"--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=default=" + peer,
		// etcd's default backend quota (2 GiB) is reached near 100,000 Accounts and Tokens with
		// their Secrets and claims; past it etcd raises a space alarm and refuses every write.
		// 8 GiB is etcd's own suggested maximum.
		"--quota-backend-bytes=" + strconv.FormatInt(etcdQuotaBytes, 10),
	}
	began := time.Now()
	var err error
	if c.etcd, err = startChild("etcd", bin, args, filepath.Join(c.dir, "logs", "etcd.log")); err != nil {
		return err
	}
	hc := &http.Client{}
	defer hc.CloseIdleConnections()
	healthy := func(body string) bool { return strings.Contains(body, `"health":"true"`) }
	if err := waitReady(ctx, c.etcd, c.opts.ReadyTimeout, httpCheck(hc, client+"/health", healthy)); err != nil {
		return err
	}
	c.logf("etcd ready on %s (pid %d, %s)", client, c.etcd.pid(), time.Since(began).Round(100*time.Millisecond))
	return nil
}

func (c *ControlPlane) startAPIServer(ctx context.Context, bin string, p pki) error {
	args := slices.Concat([]string{
		"--etcd-servers=http://127.0.0.1:" + strconv.Itoa(c.opts.EtcdClientPort),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(c.opts.APIServerPort),
		"--cert-dir=" + p.dir, // never fall back to /var/run/kubernetes
		"--tls-cert-file=" + p.servingCert(),
		"--tls-private-key-file=" + p.servingKey(),
		"--client-ca-file=" + p.caCert(),
		"--service-account-key-file=" + p.saPublicKey(),
		"--service-account-signing-key-file=" + p.saPrivateKey(),
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--authorization-mode=RBAC",
		// The default lease reconciler refuses a loopback advertise address.
		"--endpoint-reconciler-type=none",
		"--allow-privileged=true",
		// The controller-manager runs only garbage collection and namespace deletion, so nothing
		// would create the service-account tokens the ServiceAccount admission plugin waits for.
		"--disable-admission-plugins=ServiceAccount",
		// The watch cache's consistency check (beta, on by default since 1.34) lists every
		// resource from etcd and from the cache every 5 minutes to compare digests. At 44,970
		// Accounts and Tokens (with their Secrets and claims) it was half of the idle API
		// server's CPU on a 2-core machine; a local control plane over one etcd does without.
		"--feature-gates=DetectCacheInconsistency=false",
	}, c.opts.APIServerArgs)
	hc, err := adminHTTPClient(c.creds)
	if err != nil {
		return err
	}
	defer hc.CloseIdleConnections()
	began := time.Now()
	if c.apiserver, err = startChild("kube-apiserver", bin, args, filepath.Join(c.dir, "logs", "kube-apiserver.log")); err != nil {
		return err
	}
	if err := waitReady(ctx, c.apiserver, c.opts.ReadyTimeout, httpCheck(hc, c.url+"/readyz?verbose", nil)); err != nil {
		return err
	}
	c.logf("kube-apiserver ready on %s (pid %d, %s)", c.url, c.apiserver.pid(), time.Since(began).Round(100*time.Millisecond))
	return nil
}

// StartControllerManager runs kube-controller-manager with only the controllers a cluster
// without nodes needs: the garbage collector (owner references) and namespace deletion. Without
// them a deleted Group's namespace would stay Terminating forever. Call it once the API
// server's main client is ready, not with Start: the garbage collector lists and watches every
// resource as it starts, and the restarted API server rebuilds its watch caches at the same
// time, so it competes with that client's own first lists. At 100,000 Accounts and Tokens,
// Tessera's start took 2 min 21 s and 2 min 59 s with it, 1 min 54 s and 1 min 57 s without
// (docs/benchmarks.md). Calling it again, or after Stop, does nothing more.
func (c *ControlPlane) StartControllerManager() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopping || c.controller != nil {
		return nil
	}
	if err := c.startControllerManager(c.kcmBin); err != nil {
		return err
	}
	go c.watch(c.controller)
	return nil
}

func (c *ControlPlane) startControllerManager(bin string) error {
	args := []string{
		"--kubeconfig=" + c.kubeconfig,
		"--controllers=garbage-collector-controller,namespace-controller",
		"--leader-elect=false",
		"--use-service-account-credentials=false",
		"--bind-address=127.0.0.1",
		"--secure-port=0", // nothing scrapes it; no port to collide on
	}
	var err error
	if c.controller, err = startChild("kube-controller-manager", bin, args, filepath.Join(c.dir, "logs", "kube-controller-manager.log")); err != nil {
		return err
	}
	// It has no readiness endpoint without a port; an immediate exit (bad flag) is caught here.
	select {
	case <-c.controller.done:
		return c.controller.exitError()
	case <-time.After(500 * time.Millisecond):
	}
	c.logf("kube-controller-manager running (pid %d): garbage collection, namespace deletion", c.controller.pid())
	return nil
}

// RESTConfig returns a fresh admin (system:masters) config; QPS and Burst are the caller's.
func (c *ControlPlane) RESTConfig() *rest.Config { return c.creds.restConfig(c.url) }

// KubeconfigPath is the absolute path of the admin kubeconfig (context "tessera-local").
func (c *ControlPlane) KubeconfigPath() string { return c.kubeconfig }

// APIServerURL is https://127.0.0.1:<APIServerPort>.
func (c *ControlPlane) APIServerURL() string { return c.url }

// Done is closed when the control plane stops serving: after Stop, or as soon as etcd or
// kube-apiserver exits on its own (Err then says which and why; call Stop to clean up).
func (c *ControlPlane) Done() <-chan struct{} { return c.done }

// Err is nil while running and after a clean Stop; otherwise the unexpected exit.
func (c *ControlPlane) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// watch ends the control plane when ch exits on its own.
func (c *ControlPlane) watch(ch *child) {
	select {
	case <-ch.done:
	case <-c.done:
		return
	}
	c.mu.Lock()
	if !c.stopping {
		c.err = ch.exitError()
		c.logf("%v", c.err)
	}
	c.mu.Unlock()
	c.doneOnce.Do(func() { close(c.done) })
}

// Stop terminates kube-apiserver, then etcd (so the apiserver never runs without its store),
// each with SIGTERM and SIGKILL after 10s, then releases the lock. Safe to call repeatedly.
func (c *ControlPlane) Stop() error {
	c.stopOnce.Do(func() {
		c.mu.Lock()
		c.stopping = true
		children := []*child{c.controller, c.apiserver, c.etcd}
		c.mu.Unlock()
		var errs []error
		for _, ch := range children {
			if ch == nil {
				continue
			}
			forced, err := ch.stop()
			if forced {
				c.logf("%s did not stop within %s of SIGTERM; killed it", ch.name, stopGrace)
			}
			errs = append(errs, err)
		}
		errs = append(errs, c.lock.release())
		c.stopErr = errors.Join(errs...)
		if c.apiserver != nil || c.etcd != nil {
			c.logf("control plane stopped")
		}
		c.doneOnce.Do(func() { close(c.done) })
	})
	return c.stopErr
}

func (c *ControlPlane) logf(format string, args ...any) {
	_, _ = fmt.Fprintf(c.opts.Log, format+"\n", args...)
}

// findBinaries returns the paths of etcd, kube-apiserver and kube-controller-manager. It fails
// with the fix when one is missing, instead of a bare exec error later.
func findBinaries(binDir string) ([]string, error) {
	var paths []string
	for _, name := range []string{"etcd", "kube-apiserver", "kube-controller-manager"} {
		p := filepath.Join(binDir, name)
		if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return nil, fmt.Errorf("%s not found in %q: run `make control-plane` to build it", name, binDir)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// checkPorts fails naming the first taken port, rather than letting a child die on it with the
// reason buried in its log.
func checkPorts(ports []namedPort) error {
	seen := map[int]string{}
	for _, p := range ports {
		if other, dup := seen[p.port]; dup {
			return fmt.Errorf("port %d is configured for both %s and %s", p.port, other, p.what)
		}
		seen[p.port] = p.what
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)))
		if err != nil {
			return fmt.Errorf("port %d (%s) on 127.0.0.1 is already in use; free it or choose another port: %w", p.port, p.what, err)
		}
		_ = l.Close()
	}
	return nil
}

type namedPort struct {
	port int
	what string
}
