package chart

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestLint: helm lint --strict passes with the default values and with every option on.
func TestLint(t *testing.T) {
	mustRun(t, helm, "lint", "--strict", chartDir, "--namespace", namespace)
	mustRun(t, helm, "lint", "--strict", chartDir, "--namespace", namespace, "-f", allOn)
}

// TestSchemaRefusesWrongValues: values.schema.json stops a wrong type or a typo before anything
// renders, naming the value.
func TestSchemaRefusesWrongValues(t *testing.T) {
	dir := t.TempDir() // not the subtests': helm -f splits a path at its commas
	for i, c := range []struct{ values, names string }{
		{`replicas: "three"`, "/replicas"},
		{`leaderElection: "yes"`, "/leaderElection"},
		{`{replicas: 3, leaderElection: false}`, "/leaderElection"},
		{`signing: {algorithm: RS256}`, "/signing/algorithm"},
		{`signing: {keyRotationPeriod: 30 days}`, "/signing/keyRotationPeriod"},
		{`rest: {service: {port: http}}`, "/rest/service/port"},
		{`certManager: {enabled: "true"}`, "/certManager/enabled"},
		{`ingress: {enabled: true, hosts: []}`, "/ingress/hosts"},
		{`replica: 3`, "'replica' not allowed"},
	} {
		t.Run(c.values, func(t *testing.T) {
			f := filepath.Join(dir, strconv.Itoa(i)+".yaml")
			if err := os.WriteFile(f, []byte(c.values), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := run(helm, "template", "tessera", chartDir, "--namespace", namespace, "-f", f)
			if err == nil {
				t.Fatalf("rendered with %s:\n%.300s", c.values, out)
			}
			if !strings.Contains(err.Error(), "values don't meet the specifications of the schema") || !strings.Contains(err.Error(), c.names) {
				t.Errorf("the error does not name %s as a schema violation:\n%v", c.names, err)
			}
		})
	}
}

// TestAllOn renders every optional part and checks each says what its values ask for.
func TestAllOn(t *testing.T) {
	objs := byKey(t, objects(t, render(t, "-f", allOn)))

	d := get(t, objs, "Deployment", "tessera-controller-manager")
	if n, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas"); n != 3 {
		t.Errorf("replicas %d, want 3", n)
	}
	c := container(t, d)
	for _, arg := range []string{"--leader-elect", "--zap-log-level=debug", "--signing-algorithm=EdDSA",
		"--key-rotation-period=240h", "--issuer=https://tessera.example.com",
		"--bootstrap-admin-secret=first-admin", "--webhook-cert-self-managed=false"} {
		if !slices.Contains(args(c), arg) {
			t.Errorf("manager args %q lack %s", args(c), arg)
		}
	}
	if c["image"] != "registry.example.com/tessera:1.2.3" {
		t.Errorf("image %v", c["image"])
	}
	vols, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "volumes")
	if secret, _, _ := unstructured.NestedString(vols[0].(map[string]any), "secret", "secretName"); secret != "tessera-webhook-cert" {
		t.Errorf("the webhook certificate volume is %v, want cert-manager's Secret tessera-webhook-cert", vols[0])
	}

	// cert-manager issues the certificate for the Service the webhooks call and injects its CA.
	cert := get(t, objs, "Certificate", "tessera-webhook-cert")
	dns, _, _ := unstructured.NestedStringSlice(cert.Object, "spec", "dnsNames")
	if !slices.Contains(dns, "tessera-webhook-service."+namespace+".svc") {
		t.Errorf("certificate dnsNames %q lack the webhook Service", dns)
	}
	if issuer, _, _ := unstructured.NestedString(cert.Object, "spec", "issuerRef", "name"); issuer != "tessera-selfsigned-issuer" {
		t.Errorf("issuerRef %q", issuer)
	}
	get(t, objs, "Issuer", "tessera-selfsigned-issuer")
	for _, kind := range []string{"Mutating", "Validating"} {
		cfg := get(t, objs, kind+"WebhookConfiguration", "tessera-"+strings.ToLower(kind)+"-webhook-configuration")
		if a := cfg.GetAnnotations()["cert-manager.io/inject-ca-from"]; a != namespace+"/tessera-webhook-cert" {
			t.Errorf("%s: inject-ca-from %q", cfg.GetName(), a)
		}
	}

	ing := get(t, objs, "Ingress", "tessera-rest")
	rules, _, _ := unstructured.NestedSlice(ing.Object, "spec", "rules")
	paths, _, _ := unstructured.NestedSlice(rules[0].(map[string]any), "http", "paths")
	svc, _, _ := unstructured.NestedString(paths[0].(map[string]any), "backend", "service", "name")
	if host := rules[0].(map[string]any)["host"]; host != "tessera.example.com" || svc != "tessera-rest" {
		t.Errorf("ingress routes %v to %q, want tessera.example.com to tessera-rest", host, svc)
	}

	sm := get(t, objs, "ServiceMonitor", "tessera")
	if sm.GetLabels()["release"] != "prometheus" {
		t.Errorf("ServiceMonitor labels %v lack release=prometheus", sm.GetLabels())
	}
	get(t, objs, "Service", "tessera-metrics")
	get(t, objs, "PodDisruptionBudget", "tessera-controller-manager")

	s := get(t, objs, "Secret", "first-admin")
	if login, _, _ := unstructured.NestedString(s.Object, "stringData", "login"); login != "admin@example.com" {
		t.Errorf("bootstrap Secret login %q", login)
	}
	for _, u := range objs {
		if u.GetLabels()["example.com/part-of"] != "portal" {
			t.Errorf("%s lacks commonLabels", key(u))
		}
	}
}

// container is the Deployment's manager container.
func container(t *testing.T, d *unstructured.Unstructured) map[string]any {
	t.Helper()
	cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	if len(cs) != 1 {
		t.Fatalf("%d containers, want the manager alone", len(cs))
	}
	return cs[0].(map[string]any)
}

func args(c map[string]any) []string {
	in := c["args"].([]any)
	out := make([]string, 0, len(in))
	for _, a := range in {
		out = append(out, a.(string))
	}
	return out
}

// TestCertManagerIssuerRef: with an issuer of the user's, the chart creates none of its own.
func TestCertManagerIssuerRef(t *testing.T) {
	objs := byKey(t, objects(t, render(t, "--set", "certManager.enabled=true",
		"--set", "certManager.issuerRef.kind=ClusterIssuer", "--set", "certManager.issuerRef.name=corp-ca")))
	ref, _, _ := unstructured.NestedStringMap(get(t, objs, "Certificate", "tessera-webhook-cert").Object, "spec", "issuerRef")
	if ref["kind"] != "ClusterIssuer" || ref["name"] != "corp-ca" {
		t.Errorf("issuerRef %v, want ClusterIssuer corp-ca", ref)
	}
	for k := range objs {
		if strings.HasPrefix(k, "Issuer/") {
			t.Errorf("the chart creates %s beside the user's issuer", k)
		}
	}
}
