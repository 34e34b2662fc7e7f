// Command bench measures a running Tessera (`make run`) through its kubeconfig and its REST
// server on loopback:
//
//	go run ./hack/bench tokens -n 1000          # Token applied → JWT in its Secret, p50/p99
//	go run ./hack/bench populate -n 10000       # N Accounts with one Token each, then the manager's RSS
//	go run ./hack/bench populate -prehashed     # … each signing in with the password "bench-Passw0rd"
//	go run ./hack/bench verify -c 1,8,64 -d 10s # POST /1/verifier with a token: requests/s, p50, p99
//	go run ./hack/bench login -c 1,2,8 -d 10s   # POST /1/verifier with login and password
//	go run ./hack/bench basic-vs-bearer -c 8 -d 10s # GET /1/accounts/{id}: Basic vs Bearer, rates and ratio
//	go run ./hack/bench rest-create -c 8 -d 10s # POST /1/accounts and POST /1/tokens (JWT in the answer)
//	go run ./hack/bench rest-tokens -c 8 -d 10s # POST /1/tokens with a Bearer token (JWT in the answer)
//	go run ./hack/bench tokens-vs-secrets -n 2000 # API server's Secret create rate vs Token rate, writes per Token
//	go run ./hack/bench portal -url URL -c 8 -d 10s # portal /api/1: partner, companies, users; lists, login
//
// REST runs sign in as $TESSERA_ADMIN_LOGIN / $TESSERA_ADMIN_PASSWORD where they need to.
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
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/operator"
	"github.com/tessera-dev/tessera/internal/password"
)

const group = "bench"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bench tokens|populate [-n N] [-kubeconfig PATH] [-concurrency C]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	n := fs.Int("n", 1000, "how many objects")
	kubeconfig := fs.String("kubeconfig", ".tessera/kubeconfig", "kubeconfig of the running Tessera")
	concurrency := fs.Int("concurrency", 16, "parallel creates")
	levels := fs.String("c", "1,8,64", "REST runs: comma-separated concurrency levels")
	duration := fs.Duration("d", 10*time.Second, "REST runs: duration of each level")
	url := fs.String("url", "http://127.0.0.1:5170", "REST server (loopback only)")
	prehashed := fs.Bool("prehashed", false, "populate: give every Account the password "+benchPassword+
		" through one Secret holding its hash (spec.passwordSecretRef.format: hash), hashed once, not per Account")
	companies := fs.Int("companies", 1000, "portal: companies under the partner")
	users := fs.Int("users", 10000, "portal: service users, the first -crowd of them in one company")
	crowd := fs.Int("crowd", 1000, "portal: service users of the crowded company")
	_ = fs.Parse(os.Args[2:])

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	check(err)
	cfg.QPS, cfg.Burst = 1000, 2000
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: operator.Scheme()})
	check(err)
	ctx := context.Background()
	ns := ensureGroup(ctx, c)

	switch os.Args[1] {
	case "tokens":
		benchTokens(ctx, c, cfg, ns, *n, *concurrency).print()
	case "tokens-vs-secrets":
		tokensVsSecrets(ctx, c, cfg, ns, *n, *concurrency)
	case "populate":
		populate(ctx, c, ns, *n, *concurrency, *prehashed)
	case modeVerify, modeLogin, modeRESTCreate, modeBasic, "rest-tokens":
		restBench(ctx, c, ns, os.Args[1], *url, parseLevels(*levels), *duration)
	case "portal":
		portalBench(*url, *companies, *users, *crowd, *concurrency, parseLevels(*levels)[0], *duration)
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
		if start, ok := created[name]; ok && len(s.Data["token"]) > 0 {
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
	sem := make(chan struct{}, concurrency)
	for i := range n {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			name := fmt.Sprintf("t-%s-%d", run, i)
			tok := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
				Spec: tenancyv1alpha1.TokenSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: acct.Name}}}
			start := time.Now()
			mu.Lock()
			created[name] = start
			mu.Unlock()
			check(c.Create(ctx, tok))
		}()
	}
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

// populate creates n Accounts with one Token each, waits until every Token is Ready, and prints
// the resident memory of the tessera process.
func populate(ctx context.Context, c client.Client, ns string, n, concurrency int, prehashed bool) {
	began := time.Now()
	var ref *tenancyv1alpha1.PasswordSecretReference
	if prehashed {
		hash, err := password.Hash(benchPassword)
		check(err)
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bench-password-hash"},
			Data: map[string][]byte{tenancyv1alpha1.DefaultPasswordKey: []byte(hash)}}
		if err := c.Create(ctx, s); err != nil && !apierrors.IsAlreadyExists(err) {
			check(err)
		}
		ref = &tenancyv1alpha1.PasswordSecretReference{Name: s.Name, Format: tenancyv1alpha1.PasswordFormatHash}
	}
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			name := fmt.Sprintf("p-%d", i)
			acct := &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
				Spec: tenancyv1alpha1.AccountSpec{Login: name + "@bench.example", PasswordSecretRef: ref}}
			if err := c.Create(ctx, acct); err != nil && !apierrors.IsAlreadyExists(err) {
				check(err)
			}
			tok := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
				Spec: tenancyv1alpha1.TokenSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: name}}}
			if err := c.Create(ctx, tok); err != nil && !apierrors.IsAlreadyExists(err) {
				check(err)
			}
		}()
	}
	wg.Wait()
	fmt.Printf("created %d accounts and %d tokens in %s\n", n, n, time.Since(began).Round(time.Millisecond))
	for {
		secrets := &corev1.SecretList{}
		check(c.List(ctx, secrets, client.InNamespace(ns), client.HasLabels{tenancyv1alpha1.LabelToken}))
		if len(secrets.Items) >= n {
			break
		}
		time.Sleep(2 * time.Second)
	}
	fmt.Printf("all %d JWTs issued after %s\n", n, time.Since(began).Round(time.Millisecond))
	time.Sleep(5 * time.Second) // let the caches settle before reading memory
	fmt.Println(rss())
}

// rss reads the resident memory of the local tessera process from ps.
func rss() string {
	out, err := exec.Command("ps", "-C", "tessera", "-o", "pid=,rss=,args=").Output()
	if err != nil {
		return "tessera process not found: " + err.Error()
	}
	var lines []string
	for l := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 {
			kib, _ := strconv.Atoi(f[1])
			lines = append(lines, fmt.Sprintf("tessera pid %s RSS %.0f MiB (%s)", f[0], float64(kib)/1024, filepath.Base(f[2])))
		}
	}
	return strings.Join(lines, "\n")
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

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)].Round(time.Millisecond)
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
