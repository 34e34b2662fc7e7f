package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// labelBenchSecret marks the bench's plain Secrets. It is not Tessera's managed-by label, so the
// manager neither caches nor watches them: the run measures the API server alone.
const labelBenchSecret = "bench.tessera.dev/plain"

// tokensVsSecrets measures, in one run against the same API server with the same client, QPS
// and concurrency: how fast n plain Secrets the size of a Token's Secret are created (the API
// server's write rate for a comparable object), how fast n Tokens get their JWT, and how many
// writes each Token cost, counted from the API server's apiserver_request_total; then the same
// three writes on a controller-less copy of the Token CRD (benchBareTokens), the platform's own
// rate for a Token-shaped custom resource.
func tokensVsSecrets(ctx context.Context, c client.WithWatch, cfg *rest.Config, ns string, n, concurrency int) {
	removeBare := createBareCRD(ctx, c, ns)
	defer removeBare()
	secretsPerSec := benchSecrets(ctx, c, ns, n, concurrency)
	fmt.Printf("secrets=%d concurrency=%d throughput=%.0f/s (API server writes/s for a Token-sized Secret)\n",
		n, concurrency, secretsPerSec)
	// Removed again in one call, before the Token run, so that etcd holds what it held before.
	check(c.DeleteAllOf(ctx, &corev1.Secret{}, client.InNamespace(ns), client.HasLabels{labelBenchSecret}))
	time.Sleep(3 * time.Second)

	before := scrapeWrites(cfg)
	run := benchTokens(ctx, c, cfg, ns, n, concurrency)
	time.Sleep(2 * time.Second) // status patches and Events trail the Secret
	after := scrapeWrites(cfg)
	run.print()

	total, lines := 0.0, []string{}
	for k, v := range after {
		if d := v - before[k]; d > 0 {
			total += d
			lines = append(lines, fmt.Sprintf("  %-40s %8.0f  %.2f/Token", k, d, d/float64(n)))
		}
	}
	slices.Sort(lines)
	perToken := total / float64(n)
	fmt.Printf("API server writes during the Token run (apiserver_request_total, verb/resource[/subresource]):\n%s\n",
		strings.Join(lines, "\n"))
	fmt.Printf("writes/Token=%.2f ratio Tokens/s ÷ Secrets/s=%.3f goal Tokens/s ≥ 0.8×%.0f÷%.2f=%.0f/s: %s\n",
		perToken, run.rate()/secretsPerSec, secretsPerSec, perToken, 0.8*secretsPerSec/perToken,
		verdict(run.rate() >= 0.8*secretsPerSec/perToken))
	label := fmt.Sprintf("tokens-vs-secrets %d", n)
	goal := 0.8 * secretsPerSec / perToken
	row(label, fmt.Sprintf("Tokens/s against Secrets/s ÷ writes per Token (%d in flight)", concurrency),
		fmt.Sprintf("%.0f/s against %.0f/s ÷ %.2f", run.rate(), secretsPerSec, perToken),
		fmt.Sprintf("≥ %.0f/s: %s", goal, verdict(run.rate() >= goal)))

	// The platform's floor for the same three writes: a Token-shaped custom resource with no
	// webhook and no controller, which the API server decodes, validates and stores as JSON.
	tokens := &tenancyv1alpha1.TokenList{}
	check(c.List(ctx, tokens, client.InNamespace(ns), client.Limit(1)))
	if len(tokens.Items) == 0 || tokens.Items[0].Status.SecretName == "" {
		return
	}
	barePerSec := benchBareTokens(ctx, c, ns, &tokens.Items[0], n, concurrency)
	fmt.Printf("bare=%d concurrency=%d throughput=%.0f/s (a controller-less copy of the Token CRD: "+
		"create, status patch, Secret)\n", n, concurrency, barePerSec)
	met := verdict(run.rate() >= 0.8*barePerSec)
	fmt.Printf("ratio Tokens/s ÷ bare/s=%.3f goal ≥ 0.8: %s\n", run.rate()/barePerSec, met)
	row(label, "Tokens/s against a controller-less copy of the Token CRD (create, status, Secret)",
		fmt.Sprintf("%.0f/s against %.0f/s = %.2f", run.rate(), barePerSec, run.rate()/barePerSec), "≥ 0.8: "+met)
}

// forEach calls f(0) … f(n-1), at most concurrency at a time, and returns when all have.
func forEach(n, concurrency int, f func(i int)) {
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// benchSecrets creates n Secrets holding a JWT-sized value, labelled and annotated like a
// Token's, and returns creates per second.
func benchSecrets(ctx context.Context, c client.Client, ns string, n, concurrency int) float64 {
	raw := make([]byte, 480)
	_, _ = rand.Read(raw)
	value := []byte(base64.RawURLEncoding.EncodeToString(raw)) // ≈ 640 bytes, an ES256 JWT's size
	run := strconv.FormatInt(time.Now().Unix(), 36)
	began := time.Now()
	forEach(n, concurrency, func(i int) {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("s-%s-%d-jwt", run, i),
			Labels:      map[string]string{labelBenchSecret: "true", "bench.tessera.dev/token": fmt.Sprintf("s-%s-%d", run, i)},
			Annotations: map[string]string{"bench.tessera.dev/issued-at": time.Now().UTC().Format(time.RFC3339)}},
			Type: corev1.SecretTypeOpaque, Data: map[string][]byte{tenancyv1alpha1.TokenSecretKey: value}}
		check(c.Create(ctx, s))
	})
	return float64(n) / time.Since(began).Seconds()
}

// scrapeWrites reads the API server's /metrics through the kubeconfig's credentials and sums
// apiserver_request_total of the writing verbs by verb and resource.
func scrapeWrites(cfg *rest.Config) map[string]float64 {
	hc, err := rest.HTTPClientFor(cfg)
	check(err)
	resp, err := hc.Get(strings.TrimSuffix(cfg.Host, "/") + "/metrics")
	check(err)
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		check(fmt.Errorf("GET /metrics: %s", resp.Status))
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "apiserver_request_total{") {
			continue
		}
		labels, value, _ := strings.Cut(strings.TrimPrefix(line, "apiserver_request_total{"), "} ")
		l := parseLabels(labels)
		switch l["verb"] {
		case "POST", "PUT", "PATCH", "DELETE", "APPLY":
		default:
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		check(err)
		key := l["verb"] + " " + l["resource"]
		if l["subresource"] != "" {
			key += "/" + l["subresource"]
		}
		out[key] += v
	}
	check(sc.Err())
	return out
}

// parseLabels splits a Prometheus label set (a="x",b="y"); values here hold no commas or quotes.
func parseLabels(s string) map[string]string {
	out := map[string]string{}
	for kv := range strings.SplitSeq(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = strings.Trim(v, `"`)
	}
	return out
}
