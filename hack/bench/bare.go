package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/controllers"
)

// bareGroup is the API group of the bench's copy of the Token CRD: the same schema, printer
// columns and status subresource, but no webhook and no controller.
const bareGroup = "bare.bench.tessera.dev"

var crdGVK = schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}

// createBareCRD installs the bench's copy of the Token CRD and returns a function that deletes it
// again, with its objects and their Secrets in ns (in one call: left to the garbage collector,
// which has stopped watching the kind by then, each would cost it a GET). It is created before
// the runs it is compared with, so that the garbage collector has discovered it (every 30 s)
// when the bare objects' Secrets name them as owners: an owner of a kind it does not watch yet
// costs it a GET each too.
func createBareCRD(ctx context.Context, c client.Client, ns string) (remove func()) {
	crd := &unstructured.Unstructured{}
	crd.SetGroupVersionKind(crdGVK)
	check(c.Get(ctx, client.ObjectKey{Name: "tokens." + tenancyv1alpha1.GroupVersion.Group}, crd))
	bare := &unstructured.Unstructured{Object: map[string]any{"spec": crd.Object["spec"]}}
	bare.SetGroupVersionKind(crdGVK)
	bare.SetName("tokens." + bareGroup)
	spec := bare.Object["spec"].(map[string]any)
	spec["group"] = bareGroup
	delete(spec, "conversion")
	if err := c.Create(ctx, bare); err != nil && !apierrors.IsAlreadyExists(err) {
		check(err)
	}
	waitEstablished(ctx, c, bare)
	return func() {
		check(c.DeleteAllOf(ctx, &corev1.Secret{}, client.InNamespace(ns), client.HasLabels{labelBenchSecret}))
		check(client.IgnoreNotFound(c.Delete(ctx, bare)))
		for c.Get(ctx, client.ObjectKeyFromObject(bare), bare) == nil {
			time.Sleep(500 * time.Millisecond)
		}
	}
}

// benchBareTokens measures the platform's own floor for what a Token needs: n objects of the
// controller-less copy of the Token CRD (createBareCRD), each created with an issued Token's spec
// and metadata, status-patched with its status, and given a copy of its JWT Secret — the three
// writes a Token costs. It returns Token-equivalents per second.
func benchBareTokens(ctx context.Context, c client.Client, ns string, template *tenancyv1alpha1.Token,
	n, concurrency int) float64 {
	jwtSecret := &corev1.Secret{}
	check(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: template.Status.SecretName}, jwtSecret))
	status, err := json.Marshal(map[string]any{"status": template.Status})
	check(err)
	gvk := schema.GroupVersionKind{Group: bareGroup, Version: tenancyv1alpha1.GroupVersion.Version, Kind: "Token"}
	run := strconv.FormatInt(time.Now().Unix(), 36)
	yes := true
	// As with Tokens: concurrency clients create, and as many workers as the Token controller
	// has write the status and the Secret of each object as it is created.
	created := make(chan *unstructured.Unstructured, n)
	var writers sync.WaitGroup
	for range controllers.TokenWorkers {
		writers.Go(func() {
			for obj := range created {
				check(c.Status().Patch(ctx, obj, client.RawPatch(types.MergePatchType, status)))
				// The Token's Secret as the controller writes it, but with the bench's label
				// instead of Tessera's, so that the manager neither caches nor watches it.
				name := obj.GetName()
				s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-jwt",
					Labels:      map[string]string{labelBenchSecret: "true", "bench.tessera.dev/token": name},
					Annotations: jwtSecret.Annotations,
					OwnerReferences: []metav1.OwnerReference{{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind,
						Name: name, UID: obj.GetUID(), Controller: &yes, BlockOwnerDeletion: &yes}}},
					Type: jwtSecret.Type, Data: jwtSecret.Data}
				check(c.Create(ctx, s))
			}
		})
	}
	began := time.Now()
	forEach(n, concurrency, func(i int) {
		spec := template.Spec.DeepCopy()
		spec.TokenID = uuid.NewString() // unique, as a Token's
		raw, err := json.Marshal(spec)
		check(err)
		var specMap map[string]any
		check(json.Unmarshal(raw, &specMap))
		obj := &unstructured.Unstructured{Object: map[string]any{"spec": specMap}}
		obj.SetGroupVersionKind(gvk)
		obj.SetNamespace(ns)
		obj.SetName(fmt.Sprintf("b-%s-%d", run, i))
		obj.SetLabels(template.Labels)
		obj.SetAnnotations(template.Annotations)
		check(c.Create(ctx, obj))
		created <- obj
	})
	close(created)
	writers.Wait()
	return float64(n) / time.Since(began).Seconds()
}

// waitEstablished waits until the API server serves the CRD's resource.
func waitEstablished(ctx context.Context, c client.Client, crd *unstructured.Unstructured) {
	for {
		check(c.Get(ctx, client.ObjectKeyFromObject(crd), crd))
		conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
		for _, cond := range conds {
			if m, ok := cond.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
}
