package integration

import (
	"context"
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/controllers"
	"github.com/tessera-dev/tessera/internal/keys"
	"github.com/tessera-dev/tessera/internal/notify"
)

// verifierAnswer is what POST /1/verifier says of a JWT: 200, or the Luna error code.
func verifierAnswer(jwt string) string {
	GinkgoHelper()
	r := luna("POST", "/1/verifier", anon, map[string]any{"token": jwt})
	if r.Status == http.StatusOK {
		return "ok"
	}
	return fmt.Sprintf("%d %v", r.Status, r.Body["error_code"])
}

// refused is the verifier's answer to a JWT that does not (or no longer) exist.
const refused = "401 41005"

// tokenCR finds the Token CR with a token id (through the API server).
func tokenCR(ctx context.Context, id string) *tenancyv1alpha1.Token {
	GinkgoHelper()
	l := &tenancyv1alpha1.TokenList{}
	Expect(k8s.List(ctx, l)).To(Succeed())
	for i := range l.Items {
		if l.Items[i].Spec.TokenID == id {
			return &l.Items[i]
		}
	}
	Fail("no Token with tokenID " + id)
	return nil
}

// lunaJWT is the JWT GET /1/tokens/{id} shows, i.e. the one in the Token's Secret.
func lunaJWT(id string) string {
	GinkgoHelper()
	r := luna("GET", "/1/tokens/"+id, asAdmin, nil)
	Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
	return r.Body["token"].(string)
}

// annotateKeys does what `kubectl -n tessera-system annotate secret tessera-signing-keys NAME=VALUE --overwrite` does.
func annotateKeys(ctx context.Context, name, value string) {
	GinkgoHelper()
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "tessera-system", Name: keys.SecretName}}
	patch := fmt.Appendf(nil, `{"metadata":{"annotations":{%q:%q}}}`, name, value)
	Expect(k8s.Patch(ctx, sec, client.RawPatch(types.MergePatchType, patch))).To(Succeed())
}

func hasKey(kid string) bool {
	_, ok := op.Keys.Load().Lookup(kid)
	return ok
}

var _ = Describe("Signing key rotation, re-issue and revocation", Ordered, func() {
	ctx := context.Background()
	var (
		accountID string
		// km rotates as the operator's key Manager does, on the same Secret and Store.
		km *keys.Manager
		// pruner is the product's pruner with a clock two hours ahead, past the grace period.
		pruner *controllers.KeyPruner
	)
	newJWT := func() (string, string) {
		return createLunaToken(asAdmin, accountID, map[string]any{"permissions": map[string]any{}, "expiration_time": nil})
	}

	BeforeAll(func() {
		accountID = createLunaAccount(newLogin("rot"), "pw-123", "advanced_user")
		km = &keys.Manager{Client: k8s, Namespace: "tessera-system", Store: op.Keys}
		pruner = &controllers.KeyPruner{Client: op.GetClient(), Manager: km, Keys: op.Keys,
			Now: func() time.Time { return time.Now().Add(2 * time.Hour) }}
		// A fresh active key, on which only this container's tokens depend.
		Expect(km.Rotate(ctx)).To(Succeed())
	})

	It("keeps an issued JWT verifying across a rotation and the pruner, signs new Tokens with the new key, and prunes the old key once its Tokens are gone", func() {
		jwtA, idA := newJWT()
		k1 := kidOf(jwtA)
		Expect(k1).To(Equal(op.Keys.Load().Active().ID))

		Expect(km.Rotate(ctx)).To(Succeed())
		k2 := op.Keys.Load().Active().ID
		Expect(k2).NotTo(Equal(k1))
		Expect(pruner.Prune(ctx)).To(Succeed())
		Expect(hasKey(k1)).To(BeTrue(), "a retired key that signed a live Token's JWT is kept")
		Consistently(func() []string { return []string{verifierAnswer(jwtA), lunaJWT(idA)} }, 3*time.Second, 200*time.Millisecond).
			Should(Equal([]string{"ok", jwtA}), "the issued JWT still verifies and is not re-signed")

		jwtB, _ := newJWT()
		Expect(kidOf(jwtB)).To(Equal(k2))
		Expect(verifierAnswer(jwtB)).To(Equal("ok"))

		Expect(luna("DELETE", "/1/tokens/"+idA+"?account_id="+accountID, asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		Eventually(func() string { return verifierAnswer(jwtA) }, 5*time.Second, 50*time.Millisecond).Should(Equal(refused),
			"a deleted Token's JWT is refused")
		Eventually(func() bool {
			Expect(pruner.Prune(ctx)).To(Succeed())
			return hasKey(k1)
		}, 10*time.Second, 200*time.Millisecond).Should(BeFalse(), "the retired key no Token depends on is pruned")
		Expect(verifierAnswer(jwtB)).To(Equal("ok"))
	})

	It("re-issues one Token on request: the new JWT verifies, the old one is refused", func() {
		old, id := newJWT()
		tok := tokenCR(ctx, id)
		// Someone labels the JWT Secret (to mirror it elsewhere, say): a re-issue keeps that.
		secretKey := client.ObjectKey{Namespace: tok.Namespace, Name: tok.Name + "-jwt"}
		secret := &corev1.Secret{}
		Expect(k8s.Get(ctx, secretKey, secret)).To(Succeed())
		patch := client.MergeFrom(secret.DeepCopy())
		metav1.SetMetaDataLabel(&secret.ObjectMeta, "example.com/team", "a")
		metav1.SetMetaDataAnnotation(&secret.ObjectMeta, "example.com/mirror", "yes")
		Expect(k8s.Patch(ctx, secret, patch)).To(Succeed())
		Expect(update(ctx, tok, func(t *tenancyv1alpha1.Token) {
			if t.Annotations == nil {
				t.Annotations = map[string]string{}
			}
			t.Annotations[tenancyv1alpha1.AnnotationReissue] = "1"
		})).To(Succeed())
		var reissued string
		Eventually(func() string { reissued = lunaJWT(id); return reissued }, 10*time.Second, 50*time.Millisecond).ShouldNot(Equal(old))
		Expect(verifierAnswer(reissued)).To(Equal("ok"))
		Expect(verifierAnswer(old)).To(Equal(refused))
		Eventually(func() []string { return eventReasons(ctx, "Token", tok.Name) }, 10*time.Second, 100*time.Millisecond).
			Should(ContainElement("Reissued"))
		// The value acted upon does not re-issue again.
		Consistently(func() string { return lunaJWT(id) }, 2*time.Second, 200*time.Millisecond).Should(Equal(reissued))
		Expect(k8s.Get(ctx, secretKey, secret)).To(Succeed())
		Expect(secret.Labels).To(Equal(map[string]string{"example.com/team": "a",
			tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue, tenancyv1alpha1.LabelToken: tok.Name}))
		Expect(secret.Annotations).To(HaveKeyWithValue("example.com/mirror", "yes"))
		Expect(secret.Annotations).To(HaveKeyWithValue(tenancyv1alpha1.AnnotationReissued, "1"))
		Expect(secret.Annotations).To(HaveKey(tenancyv1alpha1.AnnotationIssuedAt))
	})

	It("wakes a waiter on a Token when only its JWT Secret changes, though the cache keeps none of its labels", func() {
		_, id := newJWT()
		ns := tokenCR(ctx, id).Namespace
		changes, err := notify.TokenChanges(ctx, op.GetCache())
		Expect(err).NotTo(HaveOccurred())
		// A Token no one writes ("ghost"), so that only its Secret can signal its key.
		woken, stop := changes.Wait(notify.Key(ns, "ghost"))
		defer stop()
		yes := true
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ghost-jwt",
			Labels: map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue, tenancyv1alpha1.LabelToken: "ghost"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: tenancyv1alpha1.GroupVersion.String(), Kind: "Token",
				Name: "ghost", UID: "00000000-0000-0000-0000-000000000001", Controller: &yes}}}}
		Expect(k8s.Create(ctx, secret)).To(Succeed())
		defer func() { Expect(k8s.Delete(ctx, secret)).To(Succeed()) }()
		Eventually(woken, 10*time.Second).Should(Receive())
	})

	It("replaces the JWT when the expiration changes: the new one verifies, the previous one is refused", func() {
		old, id := newJWT()
		exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
		r := luna("PUT", "/1/tokens/"+id, asAdmin, map[string]any{"permissions": map[string]any{}, "expiration_time": exp},
			"Luna-Account-Id", accountID)
		Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
		replaced := r.Body["token"].(string)
		Expect(replaced).NotTo(Equal(old))
		Expect(verifierAnswer(replaced)).To(Equal("ok"))
		Expect(verifierAnswer(old)).To(Equal(refused))
	})

	It("refuses a JWT when its Token's Secret holds another one", func() {
		mine, id := newJWT()
		other, _ := newJWT()
		tok := tokenCR(ctx, id)
		secret := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: tok.Namespace, Name: tok.Name + "-jwt"}, secret)).To(Succeed())
		patch := client.MergeFrom(secret.DeepCopy())
		secret.Data["token"] = []byte(other)
		Expect(k8s.Patch(ctx, secret, patch)).To(Succeed())

		Eventually(func() string { return verifierAnswer(mine) }, 5*time.Second, 20*time.Millisecond).Should(Equal(refused))
		// The controller puts a JWT of this Token back, a new one: the replaced JWT stays refused.
		var repaired string
		Eventually(func() string { repaired = lunaJWT(id); return repaired }, 10*time.Second, 50*time.Millisecond).
			ShouldNot(Or(Equal(other), Equal(mine)))
		Expect(verifierAnswer(repaired)).To(Equal("ok"))
		Expect(verifierAnswer(mine)).To(Equal(refused))
		Expect(verifierAnswer(other)).To(Equal("ok"), "the other Token's JWT is still its own")
	})

	It("revokes a retired key with the annotation: its JWTs are refused and its Tokens re-signed with the active key", func() {
		Expect(km.Rotate(ctx)).To(Succeed())
		jwtC, idC := newJWT()
		revoked := kidOf(jwtC)
		Expect(km.Rotate(ctx)).To(Succeed())
		active := op.Keys.Load().Active().ID
		Expect(verifierAnswer(jwtC)).To(Equal("ok"))

		annotateKeys(ctx, tenancyv1alpha1.AnnotationRevokeKey, revoked)
		Eventually(func() bool { return hasKey(revoked) }, 10*time.Second, 50*time.Millisecond).Should(BeFalse())
		Expect(op.Keys.Load().Active().ID).To(Equal(active), "revoking a retired key leaves the active one")
		Eventually(func() string { return verifierAnswer(jwtC) }, 5*time.Second, 20*time.Millisecond).Should(Equal(refused))
		var resigned string
		Eventually(func() string { resigned = lunaJWT(idC); return kidOf(resigned) }, 10*time.Second, 50*time.Millisecond).
			Should(Equal(active))
		Expect(verifierAnswer(resigned)).To(Equal("ok"))
		Eventually(func() []string { return eventReasons(ctx, "Token", tokenCR(ctx, idC).Name) }, 10*time.Second, 100*time.Millisecond).
			Should(ContainElement("Renewed"))
	})

	It("revokes the active key with the annotation: a new key becomes active first and re-signs its Tokens", func() {
		jwtD, idD := newJWT()
		revoked := kidOf(jwtD)
		Expect(revoked).To(Equal(op.Keys.Load().Active().ID))

		annotateKeys(ctx, tenancyv1alpha1.AnnotationRevokeKey, revoked)
		Eventually(func() bool { return hasKey(revoked) }, 10*time.Second, 50*time.Millisecond).Should(BeFalse())
		active := op.Keys.Load().Active().ID
		Expect(active).NotTo(Equal(revoked))
		Expect(verifierAnswer(jwtD)).To(Equal(refused))
		var resigned string
		Eventually(func() string { resigned = lunaJWT(idD); return kidOf(resigned) }, 10*time.Second, 50*time.Millisecond).
			Should(Equal(active))
		Expect(verifierAnswer(resigned)).To(Equal("ok"))
		fresh, _ := newJWT()
		Expect(kidOf(fresh)).To(Equal(active))
	})
})
