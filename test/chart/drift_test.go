package chart

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// chartOnly are the objects the chart's defaults add to config/'s, and why.
var chartOnly = map[string]string{
	"PodDisruptionBudget/" + namespace + "/tessera-controller-manager": "a node drain evicts one manager pod at a time",
}

// TestCRDsAreConfigs: crds/ holds config/crd/bases byte for byte (`make manifests` copies them).
func TestCRDsAreConfigs(t *testing.T) {
	want, _ := filepath.Glob(filepath.Join(root, "config", "crd", "bases", "*.yaml"))
	got, _ := filepath.Glob(filepath.Join(chartDir, "crds", "*.yaml"))
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("chart CRDs %q, config CRDs %q: run `make manifests`", got, want)
	}
	for _, w := range want {
		wb, _ := os.ReadFile(w)
		gb, err := os.ReadFile(filepath.Join(chartDir, "crds", filepath.Base(w)))
		if err != nil {
			t.Errorf("%v: run `make manifests`", err)
		} else if !bytes.Equal(wb, gb) {
			t.Errorf("charts/tessera/crds/%s differs from config/crd/bases: run `make manifests`", filepath.Base(w))
		}
	}
}

// TestDefaultsDeployWhatConfigDeploys: with its default values the chart renders every object
// `kubectl kustomize config/default` renders, and each one the same but for its labels (Helm's
// own) and the image (a placeholder that `make deploy IMG=...` replaces): RBAC rules, webhook
// rules and paths, Services, the Deployment's args, ports, probes and security.
func TestDefaultsDeployWhatConfigDeploys(t *testing.T) {
	config := byKey(t, objects(t, mustRun(t, kubectl, "kustomize", "config/default")))
	chart := byKey(t, objects(t, render(t)))
	crds := byKey(t, objects(t, chartCRDs(t)))
	for k, want := range config {
		got, ok := chart[k]
		switch want.GetKind() {
		case "Namespace": // helm install --create-namespace
			continue
		case "CustomResourceDefinition": // crds/, which helm template leaves out
			got, ok = crds[k]
		}
		if !ok {
			t.Errorf("config/ deploys %s, the chart does not", k)
			continue
		}
		if w, g := comparable(want), comparable(got); !reflect.DeepEqual(w, g) {
			wy, _ := yaml.Marshal(w)
			gy, _ := yaml.Marshal(g)
			t.Errorf("%s differs.\nconfig/:\n%s\nchart:\n%s", k, wy, gy)
		}
	}
	for k := range chart {
		if _, ok := config[k]; !ok && chartOnly[k] == "" {
			t.Errorf("the chart's defaults deploy %s, config/ does not", k)
		}
	}
}

// chartCRDs is the chart's crds/ as one YAML stream.
func chartCRDs(t *testing.T) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(chartDir, "crds", "*.yaml"))
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("\n---\n")
		b.Write(data)
	}
	return b.String()
}

// comparable is what must match: the object without its labels, except the RBAC aggregation
// labels, and without the manager's image.
func comparable(u *unstructured.Unstructured) map[string]any {
	c := u.DeepCopy()
	labels := map[string]string{}
	for k, v := range c.GetLabels() {
		if strings.HasPrefix(k, "rbac.authorization.k8s.io/") {
			labels[k] = v
		}
	}
	c.SetLabels(labels)
	if c.GetKind() == "Deployment" {
		cs, _, _ := unstructured.NestedSlice(c.Object, "spec", "template", "spec", "containers")
		for _, ct := range cs {
			delete(ct.(map[string]any), "image")
		}
		_ = unstructured.SetNestedSlice(c.Object, cs, "spec", "template", "spec", "containers")
	}
	return c.Object
}
