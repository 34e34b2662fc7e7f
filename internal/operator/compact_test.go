package operator

import (
	"fmt"
	"testing"
	"unsafe"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// decodedToken is a Token as a decoder returns it: every string a copy of its own.
func decodedToken(name string) *tenancyv1alpha1.Token {
	fresh := func(s string) string { return string([]byte(s)) }
	t := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{
		Name: name, Namespace: fresh("tessera-bench"),
		Labels:          map[string]string{fresh(tenancyv1alpha1.LabelManagedBy): fresh("tessera")},
		Annotations:     map[string]string{fresh("kubectl.kubernetes.io/last-applied-configuration"): fresh(`{"apiVersion":"x"}`)},
		Finalizers:      []string{fresh("tenancy.tessera.dev/cleanup")},
		ManagedFields:   []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
		OwnerReferences: []metav1.OwnerReference{{APIVersion: fresh("tenancy.tessera.dev/v1alpha1"), Kind: fresh("Account"), Name: name}},
	}}
	t.Spec.AccountRef.Name = fresh("owner")
	t.Status.Conditions = []metav1.Condition{{Type: fresh("Ready"), Status: metav1.ConditionStatus(fresh("True")),
		Reason: fresh("Issued"), Message: fresh("the object is ready")}}
	return t
}

func sameBytes(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }

func TestCacheTransformKeepsEveryValueAndSharesRepeatedStrings(t *testing.T) {
	transform := cacheTransform()
	out := make([]*tenancyv1alpha1.Token, 0, 2)
	for i := range 2 {
		in := decodedToken(fmt.Sprintf("t-%d", i))
		want := in.DeepCopy()
		want.ManagedFields = nil
		got, err := transform(in)
		if err != nil {
			t.Fatal(err)
		}
		tok := got.(*tenancyv1alpha1.Token)
		if !equality.Semantic.DeepEqual(tok, want) {
			t.Fatalf("the transform changed a value:\n got %+v\nwant %+v", tok, want)
		}
		out = append(out, tok)
	}
	a, b := out[0], out[1]
	for what, pair := range map[string][2]string{
		"namespace":       {a.Namespace, b.Namespace},
		"condition":       {a.Status.Conditions[0].Message, b.Status.Conditions[0].Message},
		"owner kind":      {a.OwnerReferences[0].Kind, b.OwnerReferences[0].Kind},
		"finalizer":       {a.Finalizers[0], b.Finalizers[0]},
		"account":         {a.Spec.AccountRef.Name, b.Spec.AccountRef.Name},
		"label value":     {a.Labels[tenancyv1alpha1.LabelManagedBy], b.Labels[tenancyv1alpha1.LabelManagedBy]},
		"annotation (kv)": {a.Annotations["kubectl.kubernetes.io/last-applied-configuration"], b.Annotations["kubectl.kubernetes.io/last-applied-configuration"]},
	} {
		if !sameBytes(pair[0], pair[1]) {
			t.Errorf("the %s of two Tokens is two copies", what)
		}
	}
	if sameBytes(a.Name, b.Name) {
		t.Error("different names share bytes")
	}
}

func TestInternerStaysBounded(t *testing.T) {
	in := &interner{}
	for i := range 3 * maxShared {
		in.s(fmt.Sprintf("message %d", i))
	}
	if len(in.seen) > maxShared {
		t.Fatalf("the table holds %d strings, more than %d", len(in.seen), maxShared)
	}
	long := string(make([]byte, maxSharedLen+1))
	if got := in.s(long); !sameBytes(got, long) || len(in.seen) > maxShared {
		t.Fatal("a long string was stored")
	}
}
