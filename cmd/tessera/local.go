package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/tessera-dev/tessera/internal/localcp"
	"github.com/tessera-dev/tessera/internal/operator"
)

// runLocal runs Tessera on its embedded control plane: etcd and kube-apiserver from the binary
// directory, state under --dir, the manager and the REST server in this process.
func runLocal(args []string) error {
	fs := flag.NewFlagSet("tessera local", flag.ContinueOnError)
	dir := fs.String("dir", ".tessera", "state directory: etcd data, certificates, kubeconfig, logs")
	binDir := fs.String("bin-dir", defaultBinDir(), "directory holding etcd, kube-apiserver and kube-controller-manager")
	apiPort := fs.Int("apiserver-port", 6443, "kube-apiserver port on 127.0.0.1")
	etcdPort := fs.Int("etcd-port", 2379, "etcd client port on 127.0.0.1")
	etcdPeerPort := fs.Int("etcd-peer-port", 0, "etcd peer port on 127.0.0.1; 0 means the port after --etcd-port")
	webhookPort := fs.Int("webhook-port", 9443, "admission webhook port on 127.0.0.1")
	restAddr := fs.String("rest-addr", defaultRESTAddr(), "REST API listen address (env TESSERA_REST_ADDR)")
	var apiserverArgs []string
	fs.Func("apiserver-arg", "an extra kube-apiserver flag, repeatable; it overrides Tessera's own. For example "+
		"--apiserver-arg=--watch-cache=false: at 100,000 Accounts and Tokens the API server's watch cache "+
		"holds about 7 GiB, and a local start is no slower without it (docs/benchmarks.md)",
		func(s string) error {
			if !strings.HasPrefix(s, "--") {
				return fmt.Errorf("%q is not a kube-apiserver flag (--name=value)", s)
			}
			apiserverArgs = append(apiserverArgs, s)
			return nil
		})
	var signing operator.Options
	signingFlags(fs, &signing)
	if err := proxyFlags(fs, &signing); err != nil {
		return err
	}
	logging := setupLogging(fs, true)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logging()
	log := ctrl.Log.WithName("local")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cp, err := localcp.Start(ctx, localcp.Options{
		Dir: *dir, BinDir: *binDir, APIServerPort: *apiPort, EtcdClientPort: *etcdPort, EtcdPeerPort: *etcdPeerPort,
		APIServerArgs: apiserverArgs, Log: os.Stderr,
	})
	if err != nil {
		return err
	}
	defer func() {
		log.Info("stopping the control plane")
		if err := cp.Stop(); err != nil {
			log.Error(err, "stopping the control plane")
		}
	}()

	// The state lock is held now, so a taken port means some other program: say which.
	for _, addr := range []string{*restAddr, net.JoinHostPort("127.0.0.1", strconv.Itoa(*webhookPort))} {
		if err := portFree(addr); err != nil {
			return err
		}
	}

	o := operator.Options{
		Namespace:         "tessera-system",
		RESTAddr:          *restAddr,
		MetricsAddr:       "0",
		ProbeAddr:         "0",
		PprofAddr:         cmp.Or(os.Getenv("TESSERA_PPROF_ADDR"), "0"),
		WebhookHost:       "127.0.0.1",
		WebhookPort:       *webhookPort,
		WebhookCertDir:    filepath.Join(*dir, "webhook-certs"),
		WebhookCertHosts:  []string{"127.0.0.1"},
		WebhookURL:        "https://127.0.0.1:" + strconv.Itoa(*webhookPort),
		InstallCRDs:       true,
		AdminLogin:        os.Getenv("TESSERA_ADMIN_LOGIN"),
		AdminPassword:     os.Getenv("TESSERA_ADMIN_PASSWORD"),
		Issuer:            cmp.Or(signing.Issuer, defaultIssuer(*restAddr)),
		SigningAlgorithm:  signing.SigningAlgorithm,
		KeyRotationPeriod: signing.KeyRotationPeriod,
		OutboxDir:         filepath.Join(*dir, "outbox"),
		TrustedProxies:    signing.TrustedProxies,
	}
	if err := operator.Prepare(ctx, cp.RESTConfig(), o); err != nil {
		return err
	}
	mgr, err := operator.NewManager(cp.RESTConfig(), o)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- mgr.Start(ctx) }()
	// Announce only what works: the first sign-in with the administrator must succeed.
	if err := waitReady(ctx, mgr, errc); errors.Is(err, context.Canceled) {
		return nil // Ctrl-C while starting
	} else if err != nil {
		return err
	}
	// Garbage collection and namespace deletion start now, not with the control plane: their
	// first lists of every resource would compete with the manager's (localcp says by how much).
	if err := cp.StartControllerManager(); err != nil {
		return err
	}
	abs, _ := filepath.Abs(cp.KubeconfigPath())
	fmt.Fprintf(os.Stderr, `
Tessera is running locally.
  REST APIs:      http://%s  (try: curl http://%s/healthcheck)
  API server:     %s
  kubeconfig:     %s  (try: kubectl --kubeconfig %s get tessera)
  state and logs: %s
  e-mails:        %s  (one .eml file each, instead of sending)
Press Ctrl-C to stop; the data stays in %s.

`, *restAddr, *restAddr, cp.APIServerURL(), abs, cp.KubeconfigPath(), *dir, o.OutboxDir, *dir)
	if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// waitReady waits until the operator is ready, the manager stops, or ctx ends; it says what it
// still waits for every 10 seconds, so that a bootstrap that cannot finish is not silent.
func waitReady(ctx context.Context, op *operator.Operator, errc <-chan error) error {
	log := ctrl.Log.WithName("local")
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for start, said := time.Now(), time.Now(); ; {
		err := op.Ready(ctx)
		if err == nil {
			return nil
		}
		if time.Since(said) >= 10*time.Second {
			log.Info("waiting until Tessera is ready",
				"waiting", err.Error(), "for", time.Since(start).Round(time.Second).String())
			said = time.Now()
		}
		select {
		case err := <-errc:
			if err == nil {
				return context.Canceled
			}
			return err
		case <-ctx.Done():
			if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
				return err // the manager drained and failed
			}
			return context.Canceled
		case <-tick.C:
		}
	}
}

// defaultBinDir is the directory of the running binary when etcd lies beside it (bin/tessera
// from `make build`), otherwise ./bin.
func defaultBinDir() string {
	if exe, err := os.Executable(); err == nil {
		d := filepath.Dir(exe)
		if _, err := os.Stat(filepath.Join(d, "etcd")); err == nil {
			return d
		}
	}
	return "bin"
}

func portFree(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s is already in use (%v); stop what listens there or choose another address", addr, err)
	}
	return ln.Close()
}
