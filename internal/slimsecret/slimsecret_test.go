package slimsecret

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tessera-dev/tessera/internal/memtest"
)

func same(s string) string { return s }

func jwtSecret(i int) *corev1.Secret {
	yes := true
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "tenant", Name: fmt.Sprintf("t-%06d-jwt", i), UID: "5e490647-52ac-4762-ad21-8122c6a8b7dc",
			ResourceVersion: "437", CreationTimestamp: metav1.Unix(1796278269, 0),
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "tenancy.tessera.dev/v1alpha1", Kind: "Token", Name: fmt.Sprintf("t-%06d", i),
				UID: "20656bc0-9f5c-4b8e-898a-9d5ecb6ebc3d", Controller: &yes, BlockOwnerDeletion: &yes}}},
		Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{"jwt": []byte(fmt.Sprintf("eyJhbGciOiJFUzI1NiIsImtpZCI6IlJEeHJiaFhDUlB2UXJ0QkxtTDZTMlEiLCJ0eXAiOiJKV1QifQ.%0440d.sig", i))},
	}
}

// A Secret of one key comes back whole and equal from its slim form, and a copy shares nothing
// with the cache's.
func TestSlimSecretsComeBackWhole(t *testing.T) {
	labelled := jwtSecret(1)
	labelled.Labels, labelled.Annotations = map[string]string{"team": "a"}, map[string]string{"note": "kept"}
	for _, in := range []*corev1.Secret{jwtSecret(0), labelled} {
		want := in.DeepCopy()
		held, ok := Of(in, same).(*Secret)
		if !ok {
			t.Fatalf("a Secret of one key is not held slim")
		}
		got := held.DeepCopyObject().(*corev1.Secret)
		if !equality.Semantic.DeepEqual(got, want) {
			t.Fatalf("came back as %+v, want %+v", got, want)
		}
		view := &corev1.Secret{}
		held.ViewInto(view)
		if !equality.Semantic.DeepEqual(view, want) {
			t.Fatalf("viewed as %+v, want %+v", view, want)
		}
		got.Data["jwt"][0] = 'X'
		got.OwnerReferences[0].Name = "other"
		if again := held.Whole(); again.Data["jwt"][0] == 'X' || again.OwnerReferences[0].Name == "other" {
			t.Fatalf("a copy shares its data or owner references with the cache's Secret")
		}
	}
}

// A Secret that holds more than one key, or anything slim does not, is kept as it is.
func TestSecretsSlimWouldChangeAreKept(t *testing.T) {
	yes := true
	two := jwtSecret(0)
	two.Data["more"] = []byte("x")
	immutable := jwtSecret(0)
	immutable.Immutable = &yes
	stringData := jwtSecret(0)
	stringData.StringData = map[string]string{"a": "b"}
	typed := jwtSecret(0)
	typed.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}
	for what, in := range map[string]*corev1.Secret{"two keys": two, "no data": {}, "immutable": immutable,
		"string data": stringData, "a TypeMeta": typed} {
		if got := Of(in, same); got != in {
			t.Errorf("%s: held as %T", what, got)
		}
	}
}

// BenchmarkSecretMemory is the live heap per Secret of 100,000 JWT Secrets, as decoded and as
// held slim, in one run.
//
//	go test ./internal/slimsecret -run XXX -bench SecretMemory
func BenchmarkSecretMemory(b *testing.B) {
	const n = 100_000
	for range b.N {
		whole := memtest.HeapHeldBy(func() any {
			out := make([]any, n)
			for i := range out {
				out[i] = jwtSecret(i)
			}
			return out
		})
		slim := memtest.HeapHeldBy(func() any {
			out := make([]any, n)
			for i := range out {
				out[i] = Of(jwtSecret(i), same)
			}
			return out
		})
		b.ReportMetric(float64(whole)/n, "B/secret(whole)")
		b.ReportMetric(float64(slim)/n, "B/secret(slim)")
		b.ReportMetric(float64(slim)/float64(whole), "slim/whole")
	}
}
