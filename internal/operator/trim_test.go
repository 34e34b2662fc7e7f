package operator

import (
	"maps"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/claims"
	"github.com/tessera-dev/tessera/internal/credential"
)

func controlledBy(kind, name string) []metav1.OwnerReference {
	yes := true
	return []metav1.OwnerReference{{APIVersion: tenancyv1alpha1.GroupVersion.String(), Kind: kind, Name: name, UID: "u", Controller: &yes}}
}

func cached(t *testing.T, obj any) any {
	t.Helper()
	out, err := cacheTransform()(obj)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCacheLeavesOutTheCreateProofOnly(t *testing.T) {
	alone := &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Name: "a",
		Annotations: map[string]string{claims.AnnotationGeneratedProof: "v1.1.x"}}}
	if got := cached(t, alone).(*tenancyv1alpha1.Account).Annotations; got != nil {
		t.Errorf("an Account whose only annotation is the proof keeps %v", got)
	}
	withOthers := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Name: "t",
		Annotations: map[string]string{claims.AnnotationGeneratedProof: "v1.1.x", tenancyv1alpha1.AnnotationReissue: "1"}}}
	got := cached(t, withOthers).(*tenancyv1alpha1.Token).Annotations
	if want := map[string]string{tenancyv1alpha1.AnnotationReissue: "1"}; !maps.Equal(got, want) {
		t.Errorf("a Token's annotations are %v in the cache, want %v", got, want)
	}
}

func TestCacheLeavesOutTheLayoutOfTesseraSecretsOnly(t *testing.T) {
	managed := map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue}
	with := func(m map[string]string, kv ...string) map[string]string {
		m = maps.Clone(m)
		if m == nil {
			m = map[string]string{}
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, c := range []struct {
		what             string
		in               corev1.Secret
		labels, annotate map[string]string
	}{{
		what: "a fresh JWT Secret",
		in: corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "t-jwt", OwnerReferences: controlledBy("Token", "t"),
			Labels:      with(managed, tenancyv1alpha1.LabelToken, "t"),
			Annotations: map[string]string{tenancyv1alpha1.AnnotationIssuedAt: "2026-12-02T10:00:00Z", tenancyv1alpha1.AnnotationReissued: ""}}},
	}, {
		what: "a re-issued JWT Secret someone labelled",
		in: corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "t-jwt", OwnerReferences: controlledBy("Token", "t"),
			Labels:      with(managed, tenancyv1alpha1.LabelToken, "t", "team", "a"),
			Annotations: map[string]string{tenancyv1alpha1.AnnotationIssuedAt: "2026-12-02T10:00:00Z", tenancyv1alpha1.AnnotationReissued: "2", "mirror": "yes"}}},
		labels:   map[string]string{"team": "a"},
		annotate: map[string]string{tenancyv1alpha1.AnnotationReissued: "2", "mirror": "yes"},
	}, {
		what: "a JWT Secret whose token label names another Token",
		in: corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "t-jwt", OwnerReferences: controlledBy("Token", "t"),
			Labels: with(managed, tenancyv1alpha1.LabelToken, "u")}},
		labels: map[string]string{tenancyv1alpha1.LabelToken: "u"},
	}, {
		what: "an owned hash Secret",
		in: corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: credential.SecretName("a"), OwnerReferences: controlledBy("Account", "a"),
			Labels:      with(managed, tenancyv1alpha1.LabelAccount, "a"),
			Annotations: map[string]string{tenancyv1alpha1.AnnotationPasswordFingerprint: "f"}}},
		annotate: map[string]string{tenancyv1alpha1.AnnotationPasswordFingerprint: "f"},
	}, {
		what: "a pending hash Secret",
		in: corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: credential.SecretName("a"),
			Labels:      with(managed, tenancyv1alpha1.LabelAccount, "a"),
			Annotations: map[string]string{tenancyv1alpha1.AnnotationPendingAccount: "a"}}},
		annotate: map[string]string{tenancyv1alpha1.AnnotationPendingAccount: "a"},
	}, {
		what: "a signing key Secret",
		in: corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "tessera-signing-keys", Labels: managed,
			Annotations: map[string]string{tenancyv1alpha1.AnnotationIssuedAt: "kept"}}},
		labels:   managed,
		annotate: map[string]string{tenancyv1alpha1.AnnotationIssuedAt: "kept"},
	}, {
		what: "a Secret named like a hash Secret, controlled by something else",
		in: corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: credential.SecretName("a"), OwnerReferences: controlledBy("Group", "a"),
			Labels: with(managed, tenancyv1alpha1.LabelAccount, "a"), Annotations: map[string]string{tenancyv1alpha1.AnnotationPendingAccount: "a"}}},
		labels:   with(managed, tenancyv1alpha1.LabelAccount, "a"),
		annotate: map[string]string{tenancyv1alpha1.AnnotationPendingAccount: "a"},
	}} {
		in := c.in.DeepCopy()
		got := cached(t, in).(*corev1.Secret)
		if !maps.Equal(got.Labels, c.labels) || (got.Labels == nil) != (c.labels == nil) {
			t.Errorf("%s: labels %v in the cache, want %v", c.what, got.Labels, c.labels)
		}
		if !maps.Equal(got.Annotations, c.annotate) || (got.Annotations == nil) != (c.annotate == nil) {
			t.Errorf("%s: annotations %v in the cache, want %v", c.what, got.Annotations, c.annotate)
		}
	}
}
