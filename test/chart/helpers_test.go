// Package chart checks the Helm chart in charts/tessera with the pinned helm (`make helm`): it
// lints, renders with default and non-default values, refuses values of the wrong type, deploys
// what config/ deploys (`kubectl kustomize config/default`), passes only flags the manager has,
// and a real API server accepts what it renders.
package chart

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"

	"github.com/tessera-dev/tessera/internal/testenv"
)

// namespace is the release namespace of every render: config/default's, so that both compare.
const namespace = "tessera-system"

var (
	root          = testenv.RepoRoot()
	chartDir      = filepath.Join(root, "charts", "tessera")
	assets        string // etcd, kube-apiserver and kubectl
	helm, kubectl string
)

func TestMain(m *testing.M) {
	var err error
	if assets, err = testenv.AssetsDir(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	kubectl = filepath.Join(assets, "kubectl")
	// helm sits with the other binaries ($TESSERA_ASSETS, as `make test` sets it) or in bin/.
	helm = filepath.Join(assets, "helm")
	if _, err := os.Stat(helm); err != nil {
		helm = filepath.Join(root, "bin", "helm")
	}
	if _, err := os.Stat(helm); err != nil {
		fmt.Fprintf(os.Stderr, "helm is missing from %s and %s: run `make helm` (or `make test`, which does it)\n", assets, filepath.Join(root, "bin"))
		os.Exit(1)
	}
	// helm's config, cache and data (repositories, plugins) stay out of the user's home.
	home, err := os.MkdirTemp("", "tessera-chart-helm")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, v := range []string{"HELM_CONFIG_HOME", "HELM_CACHE_HOME", "HELM_DATA_HOME"} {
		// Unset, helm would use the user's home: stop rather than touch it.
		if err := os.Setenv(v, filepath.Join(home, v)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			_ = os.RemoveAll(home)
			os.Exit(1)
		}
	}
	code := m.Run()
	_ = os.RemoveAll(home) // a temporary directory: a leftover is harmless
	os.Exit(code)
}

// run runs a command in the repository and returns its stdout, or its stderr as the error.
func run(bin string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

func mustRun(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := run(bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// allOn is a values file that turns on everything optional (testdata/all-on.yaml).
var allOn = filepath.Join("test", "chart", "testdata", "all-on.yaml")

// render is `helm template` of the chart in the release namespace, with extra helm arguments.
func render(t *testing.T, args ...string) string {
	t.Helper()
	return mustRun(t, helm, append([]string{"template", "tessera", chartDir, "--namespace", namespace}, args...)...)
}

// objects splits a multi-document YAML stream into its objects.
func objects(t *testing.T, stream string) []*unstructured.Unstructured {
	t.Helper()
	dec := yaml.NewYAMLOrJSONDecoder(strings.NewReader(stream), 4096)
	var objs []*unstructured.Unstructured
	for {
		var doc json.RawMessage
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("decoding rendered YAML: %v", err)
		}
		if len(doc) == 0 || string(doc) == "null" {
			continue
		}
		// As the API machinery decodes it: integers stay integers.
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(doc); err != nil {
			t.Fatalf("decoding rendered object: %v\n%s", err, doc)
		}
		objs = append(objs, u)
	}
}

// key names an object as kind/namespace/name.
func key(u *unstructured.Unstructured) string {
	return u.GetKind() + "/" + u.GetNamespace() + "/" + u.GetName()
}

// byKey indexes objects by key, failing on a duplicate.
func byKey(t *testing.T, objs []*unstructured.Unstructured) map[string]*unstructured.Unstructured {
	t.Helper()
	m := map[string]*unstructured.Unstructured{}
	for _, u := range objs {
		if _, dup := m[key(u)]; dup {
			t.Errorf("%s is rendered twice", key(u))
		}
		m[key(u)] = u
	}
	return m
}

// get returns the object of that kind and name in the release namespace (or cluster-scoped),
// failing when it is absent.
func get(t *testing.T, objs map[string]*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, ns := range []string{namespace, ""} {
		if u, ok := objs[kind+"/"+ns+"/"+name]; ok {
			return u
		}
	}
	t.Fatalf("%s %s is not rendered", kind, name)
	return nil
}
