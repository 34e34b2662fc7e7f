package chart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// TestAPIServerTakesTheRenders: a real etcd and kube-apiserver take every object of both
// renders in a server-side dry-run apply, once the chart's CRDs (and stand-ins for
// cert-manager's and the Prometheus Operator's) are installed; and helm installs and upgrades
// the chart there.
func TestAPIServerTakesTheRenders(t *testing.T) {
	kubeconfig := startAPIServer(t)
	k := func(args ...string) string {
		t.Helper()
		return mustRun(t, kubectl, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	}
	k("apply", "--server-side", "-f", filepath.Join(chartDir, "crds"), "-f", filepath.Join("test", "chart", "testdata", "external-crds.yaml"))
	k("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all")
	k("create", "namespace", namespace)

	for name, extra := range map[string][]string{"defaults": nil, "all-on": {"-f", allOn}} {
		t.Run(name, func(t *testing.T) {
			rendered := render(t, extra...)
			f := filepath.Join(t.TempDir(), "rendered.yaml")
			if err := os.WriteFile(f, []byte(rendered), 0o600); err != nil {
				t.Fatal(err)
			}
			out := k("apply", "--server-side", "--dry-run=server", "--field-manager=tessera-chart-test", "-f", f)
			if got, want := strings.Count(out, "serverside-applied (server dry run)"), len(objects(t, rendered)); got != want {
				t.Errorf("the API server took %d objects of %d:\n%s", got, want, out)
			}
		})
	}

	// Last, as it keeps what it installs: the chart installs, upgrades to every option on, and
	// its notes say where the REST APIs are and how to sign in.
	t.Run("install and upgrade", func(t *testing.T) {
		helmArgs := []string{"--namespace", namespace, "--kubeconfig", kubeconfig}
		notes := mustRun(t, helm, append([]string{"install", "tessera", chartDir}, helmArgs...)...)
		for _, want := range []string{
			"kubectl -n tessera-system port-forward service/tessera-rest 5170:5170",
			"curl http://127.0.0.1:5170/healthcheck",
			"create secret generic tessera-bootstrap-admin",
			`curl -u "$LOGIN:$PASSWORD" http://127.0.0.1:5170/1/accounts`,
		} {
			if !strings.Contains(notes, want) {
				t.Errorf("NOTES lack %q:\n%s", want, notes)
			}
		}
		notes = mustRun(t, helm, append([]string{"upgrade", "tessera", chartDir, "-f", allOn}, helmArgs...)...)
		for _, want := range []string{"https://tessera.example.com/healthcheck", "secret first-admin"} {
			if !strings.Contains(notes, want) {
				t.Errorf("NOTES of all-on lack %q:\n%s", want, notes)
			}
		}
		if strings.Contains(notes, "create secret generic") {
			t.Errorf("NOTES of all-on ask for the Secret the chart creates:\n%s", notes)
		}
		if got := k("-n", namespace, "get", "deployment", "tessera-controller-manager", "-o", "jsonpath={.spec.replicas}"); got != "3" {
			t.Errorf("after the upgrade the Deployment has %s replicas, want 3", got)
		}
	})
}

// startAPIServer starts etcd and kube-apiserver for this test and returns an admin kubeconfig.
func startAPIServer(t *testing.T) string {
	t.Helper()
	env := &envtest.Environment{BinaryAssetsDirectory: assets}
	if _, err := env.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Error(err)
		}
	})
	f := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(f, env.KubeConfig, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}
