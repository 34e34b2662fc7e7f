package operator

import (
	"bytes"
	"maps"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/testenv"
)

// The manager's cache, on a real API server, reads Tessera's Secrets whole whether they are held
// slim (one key) or not, with or without a copy asked for; an update from a read keeps the
// data; event handlers see each Secret's metadata.
func TestManagerCacheReadsSecretsWhole(t *testing.T) {
	ctx, cfg, scheme, direct := testenv.APIServer(t)
	opts := CacheOptions()
	opts.Scheme = scheme
	ca, err := index.NewCache(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	inf, err := ca.GetInformer(ctx, &corev1.Secret{})
	if err != nil {
		t.Fatal(err)
	}
	var seen atomic.Int32
	if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{AddFunc: func(o any) {
		if m, ok := o.(client.Object); ok && m.GetName() == "one-key" && m.GetLabels()["team"] == "a" {
			seen.Add(1)
		}
	}}); err != nil {
		t.Fatal(err)
	}
	go func() { _ = ca.Start(ctx) }()
	if !ca.WaitForCacheSync(ctx) {
		t.Fatal("the cache did not sync")
	}

	labels := map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue, "team": "a"}
	oneKey := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "one-key", Labels: labels},
		Data: map[string][]byte{"jwt": []byte("header.claims.signature")}}
	twoKeys := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "two-keys", Labels: labels},
		Data: map[string][]byte{"a": []byte("1"), "b": []byte("2")}}
	for _, s := range []*corev1.Secret{oneKey, twoKeys} {
		if err := direct.Create(ctx, s.DeepCopy()); err != nil {
			t.Fatal(err)
		}
	}
	key := client.ObjectKeyFromObject(oneKey)
	deadline := time.Now().Add(10 * time.Second)
	for ca.Get(ctx, key, &corev1.Secret{}) != nil || ca.Get(ctx, client.ObjectKeyFromObject(twoKeys), &corev1.Secret{}) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the cache never saw the Secrets")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []*corev1.Secret{oneKey, twoKeys} {
		for _, opts := range [][]client.GetOption{nil, {client.UnsafeDisableDeepCopy}} {
			got := &corev1.Secret{}
			if err := ca.Get(ctx, client.ObjectKeyFromObject(want), got, opts...); err != nil {
				t.Fatalf("%s, options %v: %v", want.Name, opts, err)
			}
			if !sameData(got.Data, want.Data) || got.Labels["team"] != "a" || got.Type != corev1.SecretTypeOpaque {
				t.Fatalf("%s read as %+v", want.Name, got)
			}
		}
	}
	if err := ca.Get(ctx, client.ObjectKey{Namespace: "default", Name: "absent"}, &corev1.Secret{}, client.UnsafeDisableDeepCopy); !apierrors.IsNotFound(err) {
		t.Fatalf("an absent Secret read without a copy: %v", err)
	}
	list := &corev1.SecretList{}
	if err := ca.List(ctx, list, client.InNamespace("default"), client.MatchingLabels{"team": "a"}, client.UnsafeDisableDeepCopy); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 2 || !sameData(list.Items[0].Data, oneKey.Data) && !sameData(list.Items[1].Data, oneKey.Data) {
		t.Fatalf("listed %+v", list.Items)
	}

	read := &corev1.Secret{}
	if err := ca.Get(ctx, key, read); err != nil {
		t.Fatal(err)
	}
	read.Annotations = map[string]string{"note": "updated from the cache"}
	if err := direct.Update(ctx, read); err != nil {
		t.Fatal(err)
	}
	stored := &corev1.Secret{}
	if err := direct.Get(ctx, key, stored); err != nil {
		t.Fatal(err)
	}
	if !sameData(stored.Data, oneKey.Data) || stored.Annotations["note"] == "" {
		t.Fatalf("after an update from the cache the Secret is %+v", stored)
	}
	if seen.Load() == 0 {
		t.Fatal("no event handler saw the slim Secret's metadata")
	}
}

func sameData(a, b map[string][]byte) bool { return maps.EqualFunc(a, b, bytes.Equal) }
