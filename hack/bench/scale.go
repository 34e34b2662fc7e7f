package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// scale measures the local Tessera at the size it has (populate first): the objects there,
// the memory of its processes, the p99 of REST lists and filters, and the verifier's rate
// against /healthcheck's on the same server in the same run.
func scale(ctx context.Context, c client.Client, ns, kubeconfig, url string, d time.Duration, samples int) {
	accounts := countKind(ctx, c, &tenancyv1alpha1.AccountList{})
	size := fmt.Sprintf("%d Accounts, %d Tokens", accounts, countKind(ctx, c, &tenancyv1alpha1.TokenList{}))
	fmt.Printf("objects %s load=%s\n", size, loadavg())
	memoryRows(kubeconfig, url, size+", at rest", accounts)
	lists(ctx, c, ns, url, size, samples)
	verifierVsHealth(ctx, c, ns, url, size, d)
}

// countKind counts the objects of list's kind in the cluster: one List of one item, plus the
// API server's remainingItemCount.
func countKind(ctx context.Context, c client.Client, list client.ObjectList) int {
	gvk, err := c.GroupVersionKindFor(list)
	check(err)
	meta := &metav1.PartialObjectMetadataList{}
	meta.SetGroupVersionKind(gvk)
	check(c.List(ctx, meta, client.Limit(1)))
	n := len(meta.Items)
	if r := meta.RemainingItemCount; r != nil {
		n += int(*r)
	}
	return n
}

// memoryRows prints the memory of the local Tessera's processes, and two rows of the table: the
// manager's, whose goal (< 1 GiB) applies from 100,000 Accounts, and the control plane's.
func memoryRows(kubeconfig, url, run string, accounts int) {
	procs, err := localProcs(kubeconfig)
	if err != nil {
		fmt.Println("memory:", err)
		return
	}
	heap := goHeap(url)
	fmt.Printf("memory %s %s load=%s\n", memoryLine(procs), heap, loadavg())
	m := tesseraProc(procs)
	goal := "< 1 GiB: applies from 100,000 Accounts"
	if accounts >= 100_000 {
		goal = "< 1 GiB: " + verdict(m.hwm < 1<<30)
	}
	row(run, "manager (tessera) VmRSS / VmHWM; Go heap", fmt.Sprintf("%s / %s; %s", mib(m.rss), mib(m.hwm), heap), goal)
	others := make([]string, 0, len(procs)-1)
	for _, p := range procs[1:] {
		others = append(others, fmt.Sprintf("%s %s (%s)", p.name, mib(p.rss), mib(p.hwm)))
	}
	row(run, "control plane VmRSS (VmHWM)", strings.Join(others, ", "), "")
}

// lists times GET /1/accounts and /1/tokens pages and filters one request at a time, signed in
// as the bootstrap admin (Basic, remembered after the first), samples each.
func lists(ctx context.Context, c client.Client, ns, url, size string, samples int) {
	h := adminHeader()
	names := existing(ctx, c, ns, &tenancyv1alpha1.AccountList{})
	n := 0
	for n < len(names) && names[populated(n)] {
		n++
	}
	if n == 0 {
		fmt.Println("lists: no populated Accounts (run populate first)")
		return
	}
	mid := &tenancyv1alpha1.Account{}
	check(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: populated(n / 2)}, mid))
	since := mid.CreationTimestamp.UTC().Format(time.RFC3339)
	queries := []struct{ name, path string }{
		{"GET /1/accounts, first page of 100", "/1/accounts?page_size=100"},
		{"GET /1/accounts, a page of 100 in the middle", fmt.Sprintf("/1/accounts?page_size=100&page=%d", max(1, n/200))},
		{"GET /1/accounts, login filter", "/1/accounts?login=" + neturl.QueryEscape(populatedLogin(n/2))},
		{"GET /1/accounts, time filter, page of 100",
			"/1/accounts?page_size=100&create_time__gte=" + neturl.QueryEscape(since)},
		{"GET /1/accounts, type filter, a page of 100 in the middle",
			fmt.Sprintf("/1/accounts?account_type=user&page_size=100&page=%d", max(1, n/200))},
		{"GET /1/tokens, first page of 100", "/1/tokens?page_size=100"},
	}
	for _, q := range queries {
		l, items := sequential(url+q.path, h, samples)
		fmt.Printf("list %q concurrency=1 requests=%d items=%d p50=%s p99=%s max=%s load=%s\n", q.name, len(l), items,
			pctMicro(l, 50), pctMicro(l, 99), pctMicro(l, 100), loadavg())
		row(size, q.name+fmt.Sprintf(" (%d items), p50 / p99", items), pctMicro(l, 50)+" / "+pctMicro(l, 99),
			"p99 < 50 ms: "+verdict(quantile(l, 99) < 50*time.Millisecond))
	}
}

// sequential sends GET url samples times, one at a time, after one unmeasured request (which
// signs in), and returns the latencies, sorted, and how many items the answer listed.
func sequential(url string, h http.Header, samples int) ([]time.Duration, int) {
	hc := &http.Client{Timeout: 30 * time.Second}
	items := 0
	one := func() time.Duration {
		req, err := get(url, h)()
		check(err)
		start := time.Now()
		resp, err := hc.Do(req)
		check(err)
		body, err := io.ReadAll(resp.Body)
		took := time.Since(start)
		_ = resp.Body.Close()
		check(err)
		if resp.StatusCode != http.StatusOK {
			check(fmt.Errorf("GET %s: %s: %s", url, resp.Status, body))
		}
		var page map[string]json.RawMessage
		check(json.Unmarshal(body, &page))
		for _, k := range []string{"accounts", "tokens"} {
			var l []json.RawMessage
			if json.Unmarshal(page[k], &l) == nil && l != nil {
				items = len(l)
			}
		}
		return took
	}
	one()
	l := make([]time.Duration, 0, samples)
	for range samples {
		l = append(l, one())
	}
	slices.Sort(l)
	return l, items
}

// verifierVsHealth runs POST /1/verifier with a token and GET /healthcheck at concurrency 8 in
// alternating rounds, and prints both rates and their ratio (goal ≥ 0.7).
func verifierVsHealth(ctx context.Context, c client.Client, ns, url, size string, d time.Duration) {
	body := tokenBody(benchJWT(ctx, c, ns))
	verifier, health := alternate(8, d, 5, http.StatusOK,
		"verifier/token", jsonPost(url+"/1/verifier", body, http.Header{}),
		"healthcheck", get(url+"/healthcheck", http.Header{}))
	ratio := verifier / health
	fmt.Printf("verifier-vs-healthcheck concurrency=8 verifier=%.0f/s healthcheck=%.0f/s ratio=%.2f load=%s\n",
		verifier, health, ratio, loadavg())
	row(size, "POST /1/verifier (token) ÷ GET /healthcheck, concurrency 8",
		fmt.Sprintf("%.0f/s ÷ %.0f/s = %.2f", verifier, health, ratio), "≥ 0.7: "+verdict(ratio >= 0.7))
}
