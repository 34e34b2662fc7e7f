// Command bench measures a running Tessera (`make run`) through its kubeconfig and its REST
// server on loopback:
//
//	go run ./hack/bench tokens -n 1000          # Token applied → JWT in its Secret, p50/p99
//	go run ./hack/bench populate -n 100000      # Accounts p-0…p-N-1, a Token each, pre-hashed passwords; memory
//	go run ./hack/bench scale -d 10s            # at the size there is: memory, list/filter p99, verifier ÷ /healthcheck
//	go run ./hack/bench signin -d 10s           # sign-ins alone and at concurrency 8: admitted p99, 429s
//	go run ./hack/bench peak -d 30s             # manager VmHWM under lists, verifier and sign-ins together
//	go run ./hack/bench startup -- bin/tessera local # starts a Tessera: time to /healthcheck 200 and the banner
//	go run ./hack/bench cache-cost             # live heap per object of the manager's caches, rebuilt in this process
//	go run ./hack/bench verify -c 1,8,64 -d 10s # POST /1/verifier with a token: requests/s, p50, p99
//	go run ./hack/bench login -c 1,2,8 -d 10s   # POST /1/verifier with login and password
//	go run ./hack/bench basic-vs-bearer -c 8 -d 10s # GET /1/accounts/{id}: Basic vs Bearer, rates and ratio
//	go run ./hack/bench rest-create -c 8 -d 10s # POST /1/accounts and POST /1/tokens (JWT in the answer)
//	go run ./hack/bench rest-tokens -c 8 -d 10s # POST /1/tokens with a Bearer token (JWT in the answer)
//	go run ./hack/bench tokens-vs-secrets -n 2000 # Token rate vs Secrets and a controller-less Token CRD
//	go run ./hack/bench portal -url URL -c 8 -d 10s # portal /api/1: partner, companies, users; lists, login
//
// REST runs sign in as $TESSERA_ADMIN_LOGIN / $TESSERA_ADMIN_PASSWORD where they need to. Lines
// starting with "row" are the rows of make bench's table (hack/bench.sh).
//
// It creates its objects in the Group "bench" (created when missing) and deletes nothing, so that
// memory can be read afterwards; `kubectl annotate group bench tenancy.tessera.dev/cascade-delete=true
// && kubectl delete group bench` cleans up.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/operator"
)

const group = "bench"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bench MODE [flags] (the modes are listed in hack/bench/main.go)")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	n := fs.Int("n", 1000, "how many objects")
	kubeconfig := fs.String("kubeconfig", ".tessera/kubeconfig", "kubeconfig of the running Tessera")
	concurrency := fs.Int("concurrency", 16, "parallel creates")
	levels := fs.String("c", "1,8,64", "REST runs: comma-separated concurrency levels")
	duration := fs.Duration("d", 10*time.Second, "REST runs: duration of each level")
	url := fs.String("url", "http://127.0.0.1:5170", "REST server (loopback only)")
	prehashed := fs.Bool("prehashed", true, "populate: give every Account the password "+benchPassword+
		" through one Secret holding its hash (spec.passwordSecretRef.format: hash), hashed once, not per Account")
	companies := fs.Int("companies", 1000, "portal: companies under the partner")
	users := fs.Int("users", 10000, "portal: service users, the first -crowd of them in one company")
	crowd := fs.Int("crowd", 1000, "portal: service users of the crowded company")
	reuse := fs.String("reuse", "",
		"portal: measure an earlier run's tree (partner,company,prefix, as it printed) instead of building one")
	deadline := fs.Duration("deadline", 0,
		"populate: start no create after this long (0: no limit); the run reports the size reached")
	samples := fs.Int("samples", 200, "scale: requests per list query, one at a time")
	profile := fs.String("profile", "", "cache-cost: write a heap profile of all the caches here")
	logPath := fs.String("log", "/tmp/tessera-startup.log", "startup: where the started Tessera's output goes")
	_ = fs.Parse(os.Args[2:])

	// The bench's informers log through controller-runtime: errors only.
	ctrllog.SetLogger(zap.New(zap.Level(zapcore.ErrorLevel)))
	ctx := context.Background()
	if os.Args[1] == "startup" {
		// Before any client: the Tessera it starts writes the kubeconfig.
		_, ready := startup(fs.Args(), *logPath, *url)
		c, _, _ := connect(*kubeconfig)
		startupRows(ctx, c, *kubeconfig, *url, fs.Args(), ready)
		return
	}
	c, cfg, ns := connect(*kubeconfig)
	size := func() string {
		return fmt.Sprintf("%d Accounts, %d Tokens", countKind(ctx, c, &tenancyv1alpha1.AccountList{}),
			countKind(ctx, c, &tenancyv1alpha1.TokenList{}))
	}

	switch os.Args[1] {
	case "tokens":
		r := benchTokens(ctx, c, cfg, ns, *n, *concurrency)
		r.print()
		l := r.latencies
		row(size(), fmt.Sprintf("%d Tokens applied, %d in flight: Token → JWT in its Secret, p50 / p99 / max",
			r.n, r.concurrency),
			fmt.Sprintf("%s / %s / %s (%.0f Tokens/s)", pct(l, 50), pct(l, 99), pct(l, 100), r.rate()), "")
	case "tokens-vs-secrets":
		tokensVsSecrets(ctx, c, cfg, ns, *n, *concurrency)
	case "populate":
		populate(ctx, c, cfg, *kubeconfig, *url, ns, *n, *concurrency, *prehashed, *deadline)
	case "scale":
		scale(ctx, c, ns, *kubeconfig, *url, *duration, *samples)
	case "signin":
		signin(ctx, c, ns, *url, size(), *duration)
	case "cache-cost":
		cacheCost(ctx, c, cfg, size(), *profile)
	case "peak":
		peak(ctx, c, ns, *kubeconfig, *url, size(), *duration)
	case modeVerify, modeLogin, modeRESTCreate, modeBasic, "rest-tokens":
		restBench(ctx, c, ns, os.Args[1], *url, size(), parseLevels(*levels), *duration)
	case "portal":
		portalBench(*url, *companies, *users, *crowd, *concurrency, parseLevels(*levels)[0], *duration, *reuse)
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}

// tokenRun is the outcome of a burst of Tokens.
type tokenRun struct {
	n, concurrency int
	elapsed        time.Duration
	latencies      []time.Duration // sorted
}

func (r tokenRun) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r tokenRun) print() {
	l := r.latencies
	fmt.Printf("tokens=%d concurrency=%d total=%s throughput=%.0f/s p50=%s p90=%s p99=%s max=%s\n",
		r.n, r.concurrency, r.elapsed.Round(time.Millisecond), r.rate(),
		pct(l, 50), pct(l, 90), pct(l, 99), l[len(l)-1].Round(time.Millisecond))
}

// benchTokens creates n Tokens for one Account, one after another at the given concurrency, and
// measures from each create's return to the moment a watch shows its Secret holding a JWT.
func benchTokens(ctx context.Context, c client.WithWatch, cfg *rest.Config, ns string, n, concurrency int) tokenRun {
	acct := &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bench-tokens"},
		Spec: tenancyv1alpha1.AccountSpec{Login: "bench-tokens@bench.example"}}
	if err := c.Create(ctx, acct); err != nil && !apierrors.IsAlreadyExists(err) {
		check(err)
	}
	run := strconv.FormatInt(time.Now().Unix(), 36)
	var mu sync.Mutex
	created := map[string]time.Time{}
	var latencies []time.Duration
	done := make(chan struct{})
	// seen counts s when it holds the JWT of a Token of this run, and closes done at n.
	seen := func(o any) {
		s, ok := o.(*corev1.Secret)
		if !ok {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		name := strings.TrimSuffix(s.Name, "-jwt")
		if start, ok := created[name]; ok && len(s.Data[tenancyv1alpha1.TokenSecretKey]) > 0 {
			latencies = append(latencies, time.Since(start))
			delete(created, name)
			if len(latencies) == n {
				close(done)
			}
		}
	}
	// An informer, not a bare watch: a loaded API server ends slow watchers, and the informer
	// resumes (or relists) by itself.
	stop := watchSecrets(ctx, cfg, ns, toolscache.ResourceEventHandlerFuncs{
		AddFunc: seen, UpdateFunc: func(_, o any) { seen(o) }})
	defer stop()

	began := time.Now()
	forEach(n, concurrency, func(i int) {
		name := fmt.Sprintf("t-%s-%d", run, i)
		tok := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: tenancyv1alpha1.TokenSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: acct.Name}}}
		start := time.Now()
		mu.Lock()
		created[name] = start
		mu.Unlock()
		check(c.Create(ctx, tok))
	})
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		fmt.Fprintln(os.Stderr, "timed out waiting for JWTs")
		os.Exit(1)
	}
	elapsed := time.Since(began)
	slices.Sort(latencies)
	return tokenRun{n: n, concurrency: concurrency, elapsed: elapsed, latencies: latencies}
}

// connect builds the client of kubeconfig (QPS 1000, burst 2000: the API server should be the
// limit, not the bench) and makes sure the Group "bench" exists; ns is its namespace.
func connect(kubeconfig string) (client.WithWatch, *rest.Config, string) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	check(err)
	cfg.QPS, cfg.Burst = 1000, 2000
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: operator.Scheme()})
	check(err)
	return c, cfg, ensureGroup(context.Background(), c)
}

func ensureGroup(ctx context.Context, c client.Client) string {
	g := &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: group},
		Spec: tenancyv1alpha1.GroupSpec{Parent: tenancyv1alpha1.RootGroupName, Kind: tenancyv1alpha1.GroupKindEndUserCompany}}
	if err := c.Create(ctx, g); err != nil && !apierrors.IsAlreadyExists(err) {
		check(err)
	}
	ns := tenancyv1alpha1.GroupNamespace(group)
	for c.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{}) != nil {
		time.Sleep(100 * time.Millisecond)
	}
	return ns
}

// quantile is the p-th percentile of sorted (0 when empty; 100 is the maximum).
func quantile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

func pct(sorted []time.Duration, p int) time.Duration {
	return quantile(sorted, p).Round(time.Millisecond)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// watchSecrets runs an informer on the Token Secrets of ns until the returned stop is called.
func watchSecrets(ctx context.Context, cfg *rest.Config, ns string, h toolscache.ResourceEventHandler) func() {
	sel, err := labels.Parse("tenancy.tessera.dev/token")
	check(err)
	ca, err := cache.New(cfg, cache.Options{Scheme: operator.Scheme(), DefaultNamespaces: map[string]cache.Config{ns: {}},
		DefaultLabelSelector: sel})
	check(err)
	inf, err := ca.GetInformer(ctx, &corev1.Secret{})
	check(err)
	_, err = inf.AddEventHandler(h)
	check(err)
	ctx, cancel := context.WithCancel(ctx)
	go func() { check(ca.Start(ctx)) }()
	if !ca.WaitForCacheSync(ctx) {
		check(fmt.Errorf("the Secret informer did not sync"))
	}
	return cancel
}

// row prints one row of make bench's table (hack/bench.sh collects the lines that start with
// "row"): what ran, what was measured, the result, and the goal with its verdict ("" for none).
func row(run, measure, result, goal string) {
	fmt.Printf("row\t%s\t%s\t%s\t%s\n", run, measure, result, goal)
}
