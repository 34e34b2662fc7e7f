package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// signIns returns requests POST /1/verifier {login, password} that sign in as the populated
// Accounts in turn, from a random one on: a login comes back only after every other, so no
// sign-in finds its password remembered (2 minutes, 16,384 pairs) and each costs a hash.
func signIns(ctx context.Context, c client.Client, ns, url string) (request, int) {
	n := populatedCount(ctx, c, ns)
	if n == 0 {
		check(fmt.Errorf("no populated Accounts: run populate first"))
	}
	var next atomic.Int64
	next.Store(rand.Int64N(int64(n)))
	return func() (*http.Request, error) {
		i := int(next.Add(1) % int64(n))
		return jsonPost(url+"/1/verifier", passwordBody(populatedLogin(i), benchPassword), http.Header{})()
	}, n
}

// populatedCount is how many of the Accounts p-0, p-1, … exist in ns, without a gap.
func populatedCount(ctx context.Context, c client.Client, ns string) int {
	names := existing(ctx, c, ns, &tenancyv1alpha1.AccountList{})
	n := 0
	for names[populated(n)] {
		n++
	}
	return n
}

// signin runs sign-ins alone (concurrency 1), then at concurrency 8: the admitted ones (200)
// should keep their p99 under 3 × that of one alone, and the excess be refused cheaply (429).
func signin(ctx context.Context, c client.Client, ns, url, size string, d time.Duration) {
	mk, n := signIns(ctx, c, ns, url)
	if n < 10_000 {
		fmt.Printf("signin: %d populated Accounts: a login may repeat within the 2 minutes it is remembered\n", n)
	}
	alone, eight := run(1, d, mk), run(8, d, mk)
	for _, r := range []struct {
		c int
		r loadRun
	}{{1, alone}, {8, eight}} {
		ok, refused := r.r.latencies(http.StatusOK), r.r.latencies(http.StatusTooManyRequests)
		fmt.Printf("signin concurrency=%d statuses=%s admitted=%.1f/s p50=%s p99=%s "+
			"refused=%.0f/s refused_p50=%s refused_p99=%s load=%s\n",
			r.c, r.r.statuses(), r.r.rate(http.StatusOK), pctMicro(ok, 50), pctMicro(ok, 99),
			r.r.rate(http.StatusTooManyRequests), pctMicro(refused, 50), pctMicro(refused, 99), loadavg())
	}
	one, ok8 := alone.latencies(http.StatusOK), eight.latencies(http.StatusOK)
	refused := eight.latencies(http.StatusTooManyRequests)
	if len(one) == 0 || len(ok8) == 0 {
		check(fmt.Errorf("signin: no sign-in succeeded (%s, %s): is the population prehashed?",
			alone.statuses(), eight.statuses()))
	}
	p99one, p99eight := quantile(one, 99), quantile(ok8, 99)
	row(size, "sign-in alone (POST /1/verifier login+password, one argon2id), p50 / p99",
		fmt.Sprintf("%s / %s (%.1f/s)", pct(one, 50), pct(one, 99), alone.rate(http.StatusOK)), "")
	row(size, "sign-ins at concurrency 8: admitted p99 ÷ alone p99",
		fmt.Sprintf("%s ÷ %s = %.2f (%.1f/s admitted)", pct(ok8, 99), pct(one, 99), float64(p99eight)/float64(p99one),
			eight.rate(http.StatusOK)), "< 3: "+verdict(p99eight < 3*p99one))
	// Cheap: a refusal costs no hash, so the server answers many refusals in the time one
	// sign-in takes. Their latency is no measure of their cost: they wait for a core while
	// the admitted hashes hold both.
	refusedRate, admittedRate := eight.rate(http.StatusTooManyRequests), eight.rate(http.StatusOK)
	row(size, "sign-ins at concurrency 8: refused (429), p50 / p99",
		fmt.Sprintf("%.0f/s (%.0f × the admitted rate), %s / %s (other answers: %d)", refusedRate,
			refusedRate/admittedRate, pctMicro(refused, 50), pctMicro(refused, 99), eight.count(0)-len(ok8)-len(refused)),
		"≥ 10 × the admitted rate: "+verdict(refusedRate >= 10*admittedRate))
}

// peak resets the manager's VmHWM, then runs REST lists (4 in flight), token verifications (8)
// and sign-ins (8) together for d, and reads the peak: the goal at 10,000 Accounts and
// Tokens is below 500 MiB.
func peak(ctx context.Context, c client.Client, ns, kubeconfig, url, size string, d time.Duration) {
	procs, err := localProcs(kubeconfig)
	check(err)
	m := tesseraProc(procs)
	before := m.rss
	body := tokenBody(benchJWT(ctx, c, ns))
	logins, _ := signIns(ctx, c, ns, url)
	h := adminHeader()
	pages := countKind(ctx, c, &tenancyv1alpha1.AccountList{}) / 100
	listPage := func() (*http.Request, error) {
		return get(fmt.Sprintf("%s/1/accounts?page_size=100&page=%d", url, 1+rand.IntN(max(1, pages))), h)()
	}
	sequential(url+"/1/accounts?page_size=1", h, 0) // sign the admin in once
	check(m.resetPeak())
	var wg sync.WaitGroup
	runs := make([]loadRun, 3)
	for i, l := range []struct {
		c  int
		mk request
	}{{4, listPage}, {8, jsonPost(url+"/1/verifier", body, http.Header{})}, {8, logins}} {
		wg.Go(func() { runs[i] = run(l.c, d, l.mk) })
	}
	wg.Wait()
	m.read()
	lists, verifier, signIn := runs[0], runs[1], runs[2]
	fmt.Printf("peak lists=%.0f/s (%s) verifier=%.0f/s (%s) sign-ins=%.1f/s (%s) "+
		"manager_rss_before=%s manager_rss=%s manager_hwm=%s %s load=%s\n",
		lists.rate(http.StatusOK), lists.statuses(), verifier.rate(http.StatusOK), verifier.statuses(),
		signIn.rate(http.StatusOK), signIn.statuses(), mib(before), mib(m.rss), mib(m.hwm), goHeap(url), loadavg())
	row(size, fmt.Sprintf("manager VmHWM under lists (%.0f/s), verifier (%.0f/s) and sign-ins (%.1f/s, %.0f/s 429) for %s",
		lists.rate(http.StatusOK), verifier.rate(http.StatusOK), signIn.rate(http.StatusOK),
		signIn.rate(http.StatusTooManyRequests), d),
		fmt.Sprintf("%s (VmRSS %s before)", mib(m.hwm), mib(before)), "< 500 MiB: "+verdict(m.hwm < 500<<20))
}
