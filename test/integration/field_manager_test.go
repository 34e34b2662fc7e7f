package integration

import (
	"context"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/operator"
)

// managers are the field managers of obj's managedFields, each with the subresource it wrote
// ("" for the object itself).
func managers(obj metav1.Object) map[string][]string {
	out := map[string][]string{}
	for _, mf := range obj.GetManagedFields() {
		out[mf.Manager] = append(out[mf.Manager], mf.Subresource)
	}
	return out
}

var _ = Describe("Field managers", func() {
	ctx := context.Background()

	It("writes status and JWT Secrets as field manager tessera, whatever its binary is called", func() {
		ns := groupNamespace(ctx, "fm-group")
		acct := newAccount(ns, "owner", "owner@fm.example")
		Expect(k8s.Create(ctx, acct)).To(Succeed())
		tok := newToken(ns, "fm", "owner")
		Expect(k8s.Create(ctx, tok)).To(Succeed())
		jwtOf(ctx, tok)

		// The operator runs inside this test binary, after which client-go would have named it
		// (this test's own client, which created the Account and the Token, still is).
		binary := filepath.Base(os.Args[0])
		Eventually(func(g Gomega) {
			t, a := &tenancyv1alpha1.Token{}, &tenancyv1alpha1.Account{}
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(tok), t)).To(Succeed())
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(acct), a)).To(Succeed())
			g.Expect(meta.IsStatusConditionTrue(t.Status.Conditions, tenancyv1alpha1.ConditionReady)).To(BeTrue())
			for _, o := range []metav1.Object{t, a} {
				g.Expect(managers(o)).To(HaveKeyWithValue(operator.FieldManager, ContainElement("status")), "%s", o.GetName())
				g.Expect(managers(o)).To(HaveKeyWithValue(binary, Not(ContainElement("status"))), "%s", o.GetName())
			}
			jwt := &corev1.Secret{}
			g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: t.Status.SecretName}, jwt)).To(Succeed())
			g.Expect(managers(jwt)).To(HaveKey(operator.FieldManager))
			g.Expect(managers(jwt)).NotTo(HaveKey(binary))
		}, 20*time.Second, 100*time.Millisecond).Should(Succeed())
	})
})
