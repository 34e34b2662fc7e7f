// Package e2e drives the tessera binary as a user does: `tessera local` on its embedded control
// plane, kubectl against the kubeconfig it writes, curl against its REST server, Ctrl-C to stop.
package e2e

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tessera-dev/tessera/internal/testenv"
)

// instance is one running `tessera local`.
type instance struct {
	t        *testing.T
	cmd      *exec.Cmd
	dir      string
	restURL  string
	output   *syncBuffer
	exited   chan struct{}
	exitErr  error
	kubectl  string
	binaries string
}

// syncBuffer collects the process's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type ports struct{ api, etcd, etcdPeer, webhook, rest int }

// freePorts draws every port, etcd's peer port too: the port after a free one may be any
// process's (an outgoing connection's ephemeral port, in a busy test run).
func freePorts(t *testing.T) ports {
	t.Helper()
	p, err := testenv.FreePorts(5)
	if err != nil {
		t.Fatal(err)
	}
	return ports{api: p[0], etcd: p[1], etcdPeer: p[2], webhook: p[3], rest: p[4]}
}

func buildTessera(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "tessera")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/tessera")
	cmd.Dir = testenv.RepoRoot()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

func start(t *testing.T, bin, dir, assets string, p ports) *instance {
	t.Helper()
	cmd := exec.Command(bin, "local", "--dir", dir, "--bin-dir", assets,
		"--apiserver-port", strconv.Itoa(p.api), "--etcd-port", strconv.Itoa(p.etcd), "--etcd-peer-port", strconv.Itoa(p.etcdPeer),
		"--webhook-port", strconv.Itoa(p.webhook), "--rest-addr", "127.0.0.1:"+strconv.Itoa(p.rest))
	cmd.Env = append(os.Environ(), "TESSERA_ADMIN_LOGIN=admin@e2e.example", "TESSERA_ADMIN_PASSWORD=e2e-Passw0rd")
	in := &instance{t: t, cmd: cmd, dir: dir, restURL: "http://127.0.0.1:" + strconv.Itoa(p.rest),
		output: &syncBuffer{}, exited: make(chan struct{}), kubectl: filepath.Join(assets, "kubectl"), binaries: assets}
	cmd.Stdout, cmd.Stderr = in.output, in.output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { in.exitErr = cmd.Wait(); close(in.exited) }()
	t.Cleanup(func() { in.interrupt() })
	return in
}

// waitHealthy waits for /healthcheck to answer 200.
func (in *instance) waitHealthy() {
	in.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-in.exited:
			in.t.Fatalf("tessera local exited early: %v\n%s", in.exitErr, in.output)
		default:
		}
		resp, err := http.Get(in.restURL + "/healthcheck?include_luna_services=1")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	in.t.Fatalf("/healthcheck never answered 200\n%s", in.output)
}

// waitBanner waits for the "Tessera is running" banner, then signs in as the administrator at
// once, without retrying: the banner promises that this works.
func (in *instance) waitBanner() {
	in.t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for !strings.Contains(in.output.String(), "Tessera is running locally") {
		select {
		case <-in.exited:
			in.t.Fatalf("tessera local exited early: %v\n%s", in.exitErr, in.output)
		default:
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("tessera local never printed its banner\n%s", in.output)
		}
		time.Sleep(20 * time.Millisecond)
	}
	req, _ := http.NewRequest("GET", in.restURL+"/1/accounts", nil)
	req.SetBasicAuth("admin@e2e.example", "e2e-Passw0rd")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatalf("signing in right after the banner: %v\n%s", err, in.output)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		in.t.Fatalf("signing in right after the banner answered %d\n%s", resp.StatusCode, in.output)
	}
	resp, err = http.Get(in.restURL + "/healthcheck")
	if err != nil || resp.StatusCode != http.StatusOK {
		in.t.Fatalf("/healthcheck right after the banner: %v %v", err, resp)
	}
	_ = resp.Body.Close()
}

// kubectlRun runs kubectl with the kubeconfig tessera wrote.
func (in *instance) kubectlRun(stdin string, args ...string) (string, error) {
	cmd := exec.Command(in.kubectl, append([]string{"--kubeconfig", filepath.Join(in.dir, "kubeconfig")}, args...)...)
	cmd.Dir = testenv.RepoRoot()
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// eventually retries kubectl until its output contains want.
func (in *instance) eventually(want string, args ...string) string {
	in.t.Helper()
	var out string
	for range 100 {
		out, _ = in.kubectlRun("", args...)
		if strings.Contains(out, want) {
			return out
		}
		time.Sleep(200 * time.Millisecond)
	}
	in.t.Fatalf("kubectl %v never showed %q; last output:\n%s", args, want, out)
	return out
}

// interrupt sends Ctrl-C and waits for a clean exit.
func (in *instance) interrupt() {
	select {
	case <-in.exited:
		return
	default:
	}
	_ = in.cmd.Process.Signal(os.Interrupt)
	select {
	case <-in.exited:
	case <-time.After(60 * time.Second):
		_ = in.cmd.Process.Kill()
		in.t.Errorf("tessera local did not stop within 60s of SIGINT\n%s", in.output)
	}
}

func TestLocalMode(t *testing.T) {
	assets, err := testenv.AssetsDir()
	if err != nil {
		t.Fatal(err)
	}
	bin := buildTessera(t)
	dir := filepath.Join(t.TempDir(), "state")
	p := freePorts(t)

	first := start(t, bin, dir, assets, p)
	first.waitBanner()
	first.waitHealthy()

	// The root Group exists and `kubectl get tessera` shows it.
	first.eventually("group.tenancy.tessera.dev/root", "get", "tessera", "-A")

	// The samples apply as they are.
	if out, err := first.kubectlRun("", "apply", "--server-side", "-k", "config/samples"); err != nil {
		t.Fatalf("kubectl apply --server-side -k config/samples: %v\n%s", err, out)
	}
	first.eventually("tessera-acme", "get", "group", "acme", "-o", "jsonpath={.status.namespace}")

	// An invalid Account is refused by the API server with a message naming the field.
	bad := `{"apiVersion":"tenancy.tessera.dev/v1alpha1","kind":"Account",
	  "metadata":{"name":"bad","namespace":"tessera-acme"},"spec":{"login":"has space"}}`
	out, err := first.kubectlRun(bad, "apply", "-f", "-")
	if err == nil || !strings.Contains(out, "spec.login") {
		t.Fatalf("an Account with login %q was not refused naming spec.login: %v\n%s", "has space", err, out)
	}

	// A second start on the same state directory fails clearly while the first runs.
	second := exec.Command(bin, "local", "--dir", dir, "--bin-dir", assets,
		"--apiserver-port", strconv.Itoa(p.api+1), "--rest-addr", "127.0.0.1:0")
	msg, err := second.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "another tessera local is already running") {
		t.Fatalf("a second start did not fail clearly: %v\n%s", err, msg)
	}

	// Ctrl-C stops everything: no etcd or kube-apiserver is left behind.
	first.interrupt()
	if first.exitErr != nil {
		t.Fatalf("tessera local exited with %v after SIGINT\n%s", first.exitErr, first.output)
	}
	if left := testenv.ProcessesMentioning(dir); len(left) > 0 {
		t.Fatalf("processes left behind after Ctrl-C:\n%s", strings.Join(left, "\n"))
	}

	// A restart keeps everything applied before.
	again := start(t, bin, dir, assets, p)
	again.waitBanner()
	out = again.eventually("alice@acme.example", "get", "accounts", "-n", "tessera-acme")
	if !strings.Contains(out, "advanced_user") {
		t.Fatalf("the Account applied before the restart is not as it was:\n%s", out)
	}
	again.interrupt()
}
