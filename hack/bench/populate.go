package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/operator"
	"github.com/tessera-dev/tessera/internal/password"
)

// populated names the i-th Account of populate (and its Token) and its login.
func populated(i int) string      { return "p-" + strconv.Itoa(i) }
func populatedLogin(i int) string { return populated(i) + "@bench.example" }

// populate makes sure the Accounts p-0 … p-(n-1) exist in ns, each with one Token of its name,
// waits until every Token's JWT (and, prehashed, every Account's hash Secret) is stored, and
// prints the memory of the local Tessera's processes. Objects already there are kept, so a
// population grows in steps (1,000, then 10,000, then 100,000). After deadline (0: none) no
// more creates start; the run then reports the size it reached.
func populate(ctx context.Context, c client.Client, cfg *rest.Config, kubeconfig, url, ns string, n, concurrency int,
	prehashed bool, deadline time.Duration) {
	began := time.Now()
	var ref *tenancyv1alpha1.PasswordSecretReference
	if prehashed {
		ref = benchPasswordHash(ctx, c, ns)
	}
	accounts := existing(ctx, c, ns, &tenancyv1alpha1.AccountList{})
	tokens := existing(ctx, c, ns, &tenancyv1alpha1.TokenList{})
	issued := watchPopulated(ctx, cfg, ns, n)
	defer issued.stop()

	var created, next atomic.Int64
	stopAt := time.Time{}
	if deadline > 0 {
		stopAt = began.Add(deadline)
	}
	progress := time.NewTicker(30 * time.Second)
	defer progress.Stop()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for {
				// The deadline comes before taking an index, so that every index taken is
				// created: the population is then p-0 … p-(next-1), without a gap.
				if !stopAt.IsZero() && time.Now().After(stopAt) {
					return
				}
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				name := populated(i)
				if !accounts[name] {
					createRetrying(ctx, c, &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
						Spec: tenancyv1alpha1.AccountSpec{Login: populatedLogin(i), PasswordSecretRef: ref}})
				}
				if !tokens[name] {
					createRetrying(ctx, c, &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
						Spec: tenancyv1alpha1.TokenSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: name}}})
				}
				created.Add(1)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for waiting := true; waiting; {
		select {
		case <-done:
			waiting = false
		case <-progress.C:
			fmt.Printf("progress after=%s accounts=%d %s load=%s\n", time.Since(began).Round(time.Second),
				created.Load(), issued.progress(), loadavg())
		}
	}
	reached := int(min(next.Load(), int64(n)))
	createdIn := time.Since(began)
	fmt.Printf("created accounts=%d tokens=%d (had %d and %d) in=%s rate=%.0f/s load=%s\n", reached, reached,
		len(accounts), len(tokens), createdIn.Round(time.Second),
		float64(reached-min(len(accounts), reached))/createdIn.Seconds(), loadavg())
	if reached < n {
		fmt.Printf("deadline %s reached: populated %d of %d\n", deadline, reached, n)
	}
	for !issued.complete(reached, prehashed) {
		select {
		case <-progress.C:
			fmt.Printf("progress after=%s %s load=%s\n", time.Since(began).Round(time.Second), issued.progress(), loadavg())
		case <-time.After(time.Second):
		}
	}
	ready := time.Since(began)
	fmt.Printf("populated=%d ready_after=%s %s load=%s\n", reached, ready.Round(time.Second), issued.progress(), loadavg())
	issued.stop()
	time.Sleep(10 * time.Second) // let the caches and the last reconciles settle before reading memory
	row(fmt.Sprintf("populate %d", n), "Accounts and Tokens created; all JWTs and hashes stored after",
		fmt.Sprintf("%d (had %d), %.0f/s; %s", reached, min(len(accounts), reached),
			float64(reached-min(len(accounts), reached))/createdIn.Seconds(), ready.Round(time.Second)), "")
	if procs, err := localProcs(kubeconfig); err == nil {
		fmt.Printf("memory %s %s load=%s\n", memoryLine(procs), goHeap(url), loadavg())
	}
}

// benchPasswordHash makes sure ns holds the Secret bench-password-hash with the hash of
// benchPassword, and returns the reference to it with format hash: hashed once, not per Account.
func benchPasswordHash(ctx context.Context, c client.Client, ns string) *tenancyv1alpha1.PasswordSecretReference {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bench-password-hash"}}
	if err := c.Get(ctx, client.ObjectKeyFromObject(s), s); apierrors.IsNotFound(err) {
		hash, err := password.Hash(benchPassword)
		check(err)
		s.Data = map[string][]byte{tenancyv1alpha1.DefaultPasswordKey: []byte(hash)}
		check(c.Create(ctx, s))
	} else {
		check(err)
	}
	return &tenancyv1alpha1.PasswordSecretReference{Name: s.Name, Format: tenancyv1alpha1.PasswordFormatHash}
}

// existing lists the names of the objects of list's kind in ns, a page at a time, metadata only.
func existing(ctx context.Context, c client.Client, ns string, list client.ObjectList) map[string]bool {
	gvk, err := c.GroupVersionKindFor(list)
	check(err)
	out := map[string]bool{}
	for cont := ""; ; {
		meta := &metav1.PartialObjectMetadataList{}
		meta.SetGroupVersionKind(gvk)
		check(c.List(ctx, meta, client.InNamespace(ns), client.Limit(5000), client.Continue(cont)))
		for _, o := range meta.Items {
			out[o.Name] = true
		}
		if cont = meta.Continue; cont == "" {
			return out
		}
	}
}

// createRetrying creates obj; an object of that name already there counts as created, and
// failures the API server may recover from (timeouts, throttling, a webhook that timed out) are
// retried with a growing pause.
func createRetrying(ctx context.Context, c client.Client, obj client.Object) {
	pause := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := c.Create(ctx, obj.DeepCopyObject().(client.Object))
		if err == nil || apierrors.IsAlreadyExists(err) {
			return
		}
		passing := apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) || apierrors.IsTooManyRequests(err) ||
			apierrors.IsInternalError(err) || apierrors.IsServiceUnavailable(err) || strings.Contains(err.Error(), "webhook")
		if attempt == 10 || !passing {
			check(fmt.Errorf("creating %T %s: %w", obj, obj.GetName(), err))
		}
		time.Sleep(pause)
		pause = min(2*pause, 5*time.Second)
	}
}

// populatedSecrets tracks which of the populated Accounts' hash Secrets and Tokens' JWT Secrets
// the API server holds, from a watch of ns's Secrets that keeps nothing but names.
type populatedSecrets struct {
	mu           sync.Mutex
	jwts, hashes []bool
	nJWT, nHash  int
	stop         func()
}

func watchPopulated(ctx context.Context, cfg *rest.Config, ns string, n int) *populatedSecrets {
	p := &populatedSecrets{jwts: make([]bool, n), hashes: make([]bool, n)}
	names := func(o any) (any, error) { // keep the name only: 200,000 Secrets would weigh
		m, err := metaOf(o)
		if err != nil {
			return o, nil //nolint:nilerr // a tombstone passes as it is
		}
		return &metav1.PartialObjectMetadata{TypeMeta: m.TypeMeta,
			ObjectMeta: metav1.ObjectMeta{Namespace: m.Namespace, Name: m.Name, ResourceVersion: m.ResourceVersion}}, nil
	}
	ca, err := cache.New(cfg, cache.Options{Scheme: operator.Scheme(), DefaultNamespaces: map[string]cache.Config{ns: {}},
		DefaultTransform: names})
	check(err)
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	inf, err := ca.GetInformer(ctx, m)
	check(err)
	_, err = inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{AddFunc: func(o any) {
		if m, err := metaOf(o); err == nil {
			p.add(m.Name)
		}
	}})
	check(err)
	ctx, cancel := context.WithCancel(ctx)
	var once sync.Once
	p.stop = func() { once.Do(cancel) }
	go func() { check(ca.Start(ctx)) }()
	if !ca.WaitForCacheSync(ctx) {
		check(fmt.Errorf("the Secret informer did not sync"))
	}
	return p
}

func metaOf(o any) (*metav1.PartialObjectMetadata, error) {
	m, ok := o.(*metav1.PartialObjectMetadata)
	if !ok {
		return nil, fmt.Errorf("%T is no metadata", o)
	}
	return m, nil
}

// add marks the Secret name if it is a populated Account's hash or Token's JWT.
func (p *populatedSecrets) add(name string) {
	for _, s := range []struct {
		suffix string
		set    []bool
		n      *int
	}{{tenancyv1alpha1.TokenSecretSuffix, p.jwts, &p.nJWT}, {credential.SecretName(""), p.hashes, &p.nHash}} {
		base, ok := strings.CutSuffix(name, s.suffix)
		if !ok || !strings.HasPrefix(base, "p-") {
			continue
		}
		i, err := strconv.Atoi(strings.TrimPrefix(base, "p-"))
		if err != nil || i < 0 || i >= len(s.set) {
			continue
		}
		p.mu.Lock()
		if !s.set[i] {
			s.set[i] = true
			*s.n++
		}
		p.mu.Unlock()
	}
}

// complete reports whether the first n populated Tokens have their JWT (and, with hashes, the
// Accounts their hash Secret).
func (p *populatedSecrets) complete(n int, hashes bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.nJWT >= n && (!hashes || p.nHash >= n)
}

func (p *populatedSecrets) progress() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("jwts=%d hashes=%d", p.nJWT, p.nHash)
}

// loadavg is the machine's 1-, 5- and 15-minute load average.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], "/")
}
