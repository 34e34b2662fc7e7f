package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/controllers"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/listindex"
	"github.com/tessera-dev/tessera/internal/operator"
)

// cachePart is one part of what the manager keeps per object, built in this process as the
// manager builds it.
type cachePart struct {
	name string
	// start builds and syncs the part on a fresh cache (or two) and returns what stops it.
	start func(ctx context.Context) func()
}

// cacheCost measures what the manager's caches hold per object without profiling the manager
// (it serves no pprof): it builds, in this process, caches configured as operator.NewManager's
// and the Account reconciler's, one part at a time, and reads the live heap (after a GC) while
// each part is up. The manager holds more besides (work queues, the verifier's bounded caches,
// the webhook's and REST server's buffers): its own heap, read from /metrics, is the total to
// compare with. A heap profile of the whole set goes to profile (none when "").
func cacheCost(ctx context.Context, c client.Client, cfg *rest.Config, size, profile string) {
	nAccounts := countKind(ctx, c, &tenancyv1alpha1.AccountList{})
	nTokens := countKind(ctx, c, &tenancyv1alpha1.TokenList{})
	secrets := countKind(ctx, c, &corev1.SecretList{})
	managed := labels.SelectorFromSet(labels.Set{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue})
	tessera := countSelected(ctx, c, &corev1.SecretList{}, managed)
	fmt.Printf("cache-cost accounts=%d tokens=%d secrets=%d tessera_secrets=%d load=%s\n",
		nAccounts, nTokens, secrets, tessera, loadavg())

	// newCache is the manager's cache, with the options operator.NewManager gives it.
	newCache := func() cache.Cache {
		opts := operator.CacheOptions()
		opts.Scheme = operator.Scheme()
		ca, err := index.NewCache(cfg, opts)
		check(err)
		return ca
	}
	// informers starts ca with an informer for each of objs and waits for it to sync.
	informers := func(ctx context.Context, ca cache.Cache, objs ...client.Object) func() {
		ctx, cancel := context.WithCancel(ctx)
		for _, o := range objs {
			_, err := ca.GetInformer(ctx, o)
			check(err)
		}
		go func() { check(ca.Start(ctx)) }()
		if !ca.WaitForCacheSync(ctx) {
			check(fmt.Errorf("cache-cost: the cache did not sync"))
		}
		return cancel
	}
	secretMeta := &metav1.PartialObjectMetadata{}
	secretMeta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	// allMeta is the Account reconciler's metadata-only cache of the Secrets that are not
	// Tessera's, with the options the reconciler gives it.
	allMeta := func(ctx context.Context) func() {
		ca, err := cache.New(cfg, controllers.PasswordSecretCacheOptions(operator.Scheme(), nil))
		check(err)
		return informers(ctx, ca, secretMeta)
	}
	kinds := []client.Object{&tenancyv1alpha1.Account{}, &tenancyv1alpha1.Token{}, &tenancyv1alpha1.Group{},
		&tenancyv1alpha1.Admin{}, &corev1.Secret{}, &corev1.Namespace{}}
	parts := []cachePart{
		{fmt.Sprintf("Account informer (%d)", nAccounts), func(ctx context.Context) func() {
			return informers(ctx, newCache(), &tenancyv1alpha1.Account{})
		}},
		{fmt.Sprintf("Token informer (%d)", nTokens), func(ctx context.Context) func() {
			return informers(ctx, newCache(), &tenancyv1alpha1.Token{})
		}},
		{fmt.Sprintf("Secret informer, Tessera's (%d)", tessera), func(ctx context.Context) func() {
			return informers(ctx, newCache(), &corev1.Secret{})
		}},
		{fmt.Sprintf("Secret metadata informer, not Tessera's (%d)", secrets-tessera), allMeta},
		{"every informer of the manager's cache", func(ctx context.Context) func() {
			return informers(ctx, newCache(), kinds...)
		}},
		{"… with the field indexes (internal/index)", func(ctx context.Context) func() {
			ca := newCache()
			check(index.Setup(ctx, ca))
			return informers(ctx, ca, kinds...)
		}},
		{"… and the list indexes (internal/listindex)", func(ctx context.Context) func() {
			ca := newCache()
			check(index.Setup(ctx, ca))
			lists, err := listindex.Register(ctx, ca)
			check(err)
			stop := informers(ctx, ca, kinds...)
			for !lists.Synced() {
				time.Sleep(100 * time.Millisecond)
			}
			return stop
		}},
		{"… and the Secret metadata cache: all the manager's caches", func(ctx context.Context) func() {
			ca := newCache()
			check(index.Setup(ctx, ca))
			lists, err := listindex.Register(ctx, ca)
			check(err)
			stop, stopMeta := informers(ctx, ca, kinds...), allMeta(ctx)
			for !lists.Synced() {
				time.Sleep(100 * time.Millisecond)
			}
			if profile != "" {
				liveHeap()
				f, err := os.Create(profile)
				check(err)
				check(pprof.WriteHeapProfile(f))
				check(f.Close())
				fmt.Printf("cache-cost heap profile of all the caches: %s (go tool pprof -sample_index=inuse_space -top %s)\n",
					profile, profile)
			}
			return func() { stop(); stopMeta() }
		}},
	}
	base := liveHeap()
	perPair := max(1, min(nAccounts, nTokens))
	for _, p := range parts {
		began := time.Now()
		stop := p.start(ctx)
		synced := time.Since(began)
		up := liveHeap() - base
		stop()
		time.Sleep(time.Second) // let the reflectors end
		fmt.Printf("cache-cost part=%q heap=%s per_account_and_token=%.0fB synced_in=%s load=%s\n", p.name,
			mib(int64(up)), float64(up)/float64(perPair), synced.Round(100*time.Millisecond), loadavg())
		row(size, "live heap of "+p.name+" (built in hack/bench as the manager builds it), synced in",
			fmt.Sprintf("%s, %.1f KiB per Account+Token; %s", mib(int64(up)), float64(up)/float64(perPair)/1024,
				synced.Round(100*time.Millisecond)), "")
		base = min(base, liveHeap())
	}
}

// liveHeap is the heap in use after two full collections: what is reachable.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// countSelected counts the objects of list's kind that sel selects, a page at a time.
func countSelected(ctx context.Context, c client.Client, list client.ObjectList, sel labels.Selector) int {
	gvk, err := c.GroupVersionKindFor(list)
	check(err)
	n := 0
	for cont := ""; ; {
		meta := &metav1.PartialObjectMetadataList{}
		meta.SetGroupVersionKind(gvk)
		check(c.List(ctx, meta, client.MatchingLabelsSelector{Selector: sel}, client.Limit(5000), client.Continue(cont)))
		n += len(meta.Items)
		if cont = meta.Continue; cont == "" {
			return n
		}
	}
}
