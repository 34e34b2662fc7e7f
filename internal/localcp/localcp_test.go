package localcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/tessera-dev/tessera/internal/testenv"
)

// assets finds the control-plane binaries. Missing binaries are a failure, never a skip: a
// skipped test here would hide that local mode is untested.
func assets(t *testing.T) string {
	t.Helper()
	dir, err := testenv.AssetsDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports, err := testenv.FreePorts(n)
	if err != nil {
		t.Fatal(err)
	}
	return ports
}

func assertGone(t *testing.T, dir string, pids ...int) {
	t.Helper()
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d still exists after Stop (kill -0: %v)", pid, err)
		}
	}
	if left := testenv.ProcessesMentioning(dir); len(left) > 0 {
		t.Errorf("processes still running with %s on their command line: %v", dir, left)
	}
}

// expectNoRuntimeTuning fails when a child runs with GOMEMLIMIT or GOGC in its environment.
func expectNoRuntimeTuning(t *testing.T, children ...*child) {
	t.Helper()
	for _, c := range children {
		environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", c.pid()))
		if err != nil {
			t.Fatalf("%s's environment: %v", c.name, err)
		}
		for kv := range strings.SplitSeq(string(environ), "\x00") {
			if strings.HasPrefix(kv, "GOMEMLIMIT=") || strings.HasPrefix(kv, "GOGC=") {
				t.Errorf("%s runs with %s, meant for Tessera's process only", c.name, kv)
			}
		}
	}
}

func TestControlPlaneLifecycle(t *testing.T) {
	bin := assets(t)
	dir := t.TempDir()
	ports := freePorts(t, 3)
	opts := Options{
		Dir: dir, BinDir: bin,
		APIServerPort: ports[0], EtcdClientPort: ports[1], EtcdPeerPort: ports[2],
		Log: testWriter{t},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	// A lock file left by a crashed run must not block.
	if err := os.WriteFile(filepath.Join(dir, "lock"), []byte("999999\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// A memory limit meant for Tessera's own process (GOMEMLIMIT=460MiB make run) must not
	// reach the control plane: this one would starve the API server.
	t.Setenv("GOMEMLIMIT", "16MiB")
	t.Setenv("GOGC", "10")
	cp, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("first Start: %v", err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	if cp.controller != nil {
		t.Fatal("kube-controller-manager started with the control plane; it waits for StartControllerManager")
	}
	if err := cp.StartControllerManager(); err != nil {
		t.Fatalf("StartControllerManager: %v", err)
	}
	expectNoRuntimeTuning(t, cp.etcd, cp.apiserver, cp.controller)

	cs := kubernetes.NewForConfigOrDie(cp.RESTConfig())
	want := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "persisted", Namespace: "default"},
		Data:       map[string]string{"key": "value"},
	}
	if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, want, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create ConfigMap: %v", err)
	}

	// The kubeconfig alone is enough for kubectl.
	out, err := exec.CommandContext(ctx, filepath.Join(bin, "kubectl"), "--kubeconfig", cp.KubeconfigPath(), "get", "ns", "-o", "name").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "namespace/default") {
		t.Fatalf("kubectl get ns: %v\n%s", err, out)
	}

	for _, f := range []string{"pki/ca.key", "pki/apiserver.key", "pki/admin.key", "pki/sa.key", "kubeconfig"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: want mode 0600, got %v (%v)", f, st.Mode().Perm(), err)
		}
	}
	caBefore, _ := os.ReadFile(filepath.Join(dir, "pki", "ca.crt"))

	pids := []int{cp.etcd.pid(), cp.apiserver.pid(), cp.controller.pid()}
	if err := cp.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := cp.Stop(); err != nil {
		t.Fatalf("second Stop (must be a no-op): %v", err)
	}
	select {
	case <-cp.Done():
	default:
		t.Error("Done not closed after Stop")
	}
	if cp.Err() != nil {
		t.Errorf("Err after a clean Stop: %v", cp.Err())
	}
	assertGone(t, dir, pids...)

	// A child that dies during Start fails it with its log tail, and nothing is left behind.
	bad := opts
	bad.APIServerArgs = []string{"--no-such-flag-for-tessera"}
	if _, err := Start(ctx, bad); err == nil || !strings.Contains(err.Error(), "kube-apiserver exited") || !strings.Contains(err.Error(), "no-such-flag-for-tessera") {
		t.Fatalf("Start with a bad apiserver flag: want an exit error quoting the log, got: %v", err)
	}
	assertGone(t, dir)

	cp2, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("second Start: %v", err)
	}
	t.Cleanup(func() { _ = cp2.Stop() })

	cs = kubernetes.NewForConfigOrDie(cp2.RESTConfig())
	got, err := cs.CoreV1().ConfigMaps("default").Get(ctx, "persisted", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("ConfigMap did not survive a restart: %v", err)
	}
	if got.Data["key"] != "value" {
		t.Errorf("ConfigMap data after restart = %v", got.Data)
	}
	if caAfter, _ := os.ReadFile(filepath.Join(dir, "pki", "ca.crt")); !bytes.Equal(caBefore, caAfter) {
		t.Error("CA was regenerated on restart; certificates must be reused")
	}

	// Same Dir while running: refused by the lock, before touching ports or children.
	_, err = Start(ctx, opts)
	if !errors.Is(err, ErrAlreadyRunning) || !strings.Contains(err.Error(), "already running (pid "+strconv.Itoa(os.Getpid())+")") {
		t.Fatalf("concurrent Start on the same Dir: want ErrAlreadyRunning naming pid %d, got: %v", os.Getpid(), err)
	}
	// Another Dir on the same ports: refused naming the port.
	other := opts
	other.Dir = t.TempDir()
	_, err = Start(ctx, other)
	if err == nil || !strings.Contains(err.Error(), "port "+strconv.Itoa(ports[0])+" (kube-apiserver)") {
		t.Fatalf("Start on taken ports: want an error naming port %d, got: %v", ports[0], err)
	}
	// Neither refusal disturbed the running instance.
	if _, err := cs.CoreV1().ConfigMaps("default").Get(ctx, "persisted", metav1.GetOptions{}); err != nil {
		t.Fatalf("running control plane broken by the refused Starts: %v", err)
	}

	pids = []int{cp2.etcd.pid(), cp2.apiserver.pid()}
	if err := cp2.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	assertGone(t, dir, pids...)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
