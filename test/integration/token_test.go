package integration

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/keys"
	"github.com/tessera-dev/tessera/internal/verify"
)

// jwtOf waits until the Token's Secret holds a JWT and returns it.
func jwtOf(ctx context.Context, tok *tenancyv1alpha1.Token) string {
	GinkgoHelper()
	var raw string
	Eventually(func(g Gomega) {
		s := &corev1.Secret{}
		g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: tok.Namespace, Name: tok.Name + "-jwt"}, s)).To(Succeed())
		raw = string(s.Data["token"])
		g.Expect(raw).NotTo(BeEmpty())
	}, 20*time.Second, 50*time.Millisecond).Should(Succeed())
	return raw
}

// publicKeyFromJWKS fetches the served JWKS and rebuilds the ES256 key named kid, as a third
// party verifying offline would.
func publicKeyFromJWKS(kid string) *ecdsa.PublicKey {
	GinkgoHelper()
	resp, err := http.Get(restURL + "/.well-known/jwks.json")
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	var set struct {
		Keys []struct{ Kty, Crv, X, Y, Kid, Alg string } `json:"keys"`
	}
	Expect(json.NewDecoder(resp.Body).Decode(&set)).To(Succeed())
	for _, k := range set.Keys {
		if k.Kid == kid {
			Expect(k.Kty).To(Equal("EC"))
			Expect(k.Alg).To(Equal("ES256"))
			x, _ := base64.RawURLEncoding.DecodeString(k.X)
			y, _ := base64.RawURLEncoding.DecodeString(k.Y)
			// RFC 7518 §6.2.1: x and y are the coordinates' full 32 bytes each.
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
			Expect(err).NotTo(HaveOccurred())
			return pub
		}
	}
	Fail("kid " + kid + " is not in the served JWKS")
	return nil
}

var _ = Describe("Tokens", Ordered, func() {
	ctx := context.Background()
	var ns string
	var acct *tenancyv1alpha1.Account

	BeforeAll(func() {
		ns = groupNamespace(ctx, "tok-group")
		acct = newAccount(ns, "owner", "owner@tok.example")
		Expect(k8s.Create(ctx, acct)).To(Succeed())
	})

	It("signs a JWT into the Token's Secret that verifies against the served JWKS with the right claims", func() {
		tok := newToken(ns, "signed", "owner")
		tok.Spec.VisibilityArea = tenancyv1alpha1.VisibilityAccount
		exp := metav1.NewTime(time.Now().Add(time.Hour).Truncate(time.Second).UTC())
		tok.Spec.ExpirationTime = &exp
		Expect(k8s.Create(ctx, tok)).To(Succeed())
		raw := jwtOf(ctx, tok)

		parsed, err := gojwt.Parse(raw, func(t *gojwt.Token) (any, error) {
			return publicKeyFromJWKS(t.Header["kid"].(string)), nil
		}, gojwt.WithValidMethods([]string{"ES256"}), gojwt.WithIssuer(restURL))
		Expect(err).NotTo(HaveOccurred())
		claims := parsed.Claims.(gojwt.MapClaims)
		Expect(claims).To(HaveKeyWithValue("tokenId", tok.Spec.TokenID))
		Expect(claims).To(HaveKeyWithValue("jti", tok.Spec.TokenID))
		Expect(claims).To(HaveKeyWithValue("accountId", acct.Spec.AccountID))
		Expect(claims).To(HaveKeyWithValue("sub", acct.Spec.AccountID))
		Expect(claims).To(HaveKeyWithValue("visibilityArea", "account"))
		Expect(claims).To(HaveKeyWithValue("expirationTime", exp.UTC().Format(time.RFC3339)))
		Expect(claims).To(HaveKeyWithValue("exp", BeNumerically("==", exp.Unix())))
		Expect(claims).To(HaveKey("iat"))

		Eventually(func(g Gomega) {
			got := &tenancyv1alpha1.Token{}
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(tok), got)).To(Succeed())
			g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, tenancyv1alpha1.ConditionReady)).To(BeTrue())
			g.Expect(got.Status.KeyID).To(Equal(parsed.Header["kid"]))
			g.Expect(got.Status.TokenID).To(Equal(tok.Spec.TokenID))
			g.Expect(got.Status.ExpiresAt.Unix()).To(Equal(exp.Unix()))
			g.Expect(got.Status.SecretName).To(Equal("signed-jwt"))
			g.Expect(got.Spec.SecretName).To(BeEmpty(), "the controller never writes spec")
		}, 10*time.Second, 50*time.Millisecond).Should(Succeed())

		p, err := op.Verifier.VerifyToken(ctx, raw)
		Expect(err).NotTo(HaveOccurred())
		Expect(p.Account.Spec.Login).To(Equal("owner@tok.example"))

		// A Ready Token carries Ready alone: Locked and Expired are reported only while True.
		// What an earlier version wrote (both False) goes at the next reconcile, which the
		// status patch below triggers.
		got := &tenancyv1alpha1.Token{}
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(tok), got)).To(Succeed())
		Expect(conditionTypes(got.Status.Conditions)).To(ConsistOf(tenancyv1alpha1.ConditionReady))
		patch := client.MergeFrom(got.DeepCopy())
		for _, typ := range []string{tenancyv1alpha1.ConditionLocked, tenancyv1alpha1.ConditionExpired} {
			meta.SetStatusCondition(&got.Status.Conditions, metav1.Condition{Type: typ, Status: metav1.ConditionFalse,
				Reason: "Not" + typ, Message: "written by an earlier version", ObservedGeneration: got.Generation})
		}
		Expect(k8s.Status().Patch(ctx, got, patch)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(tok), got)).To(Succeed())
			g.Expect(conditionTypes(got.Status.Conditions)).To(ConsistOf(tenancyv1alpha1.ConditionReady))
		}, 10*time.Second, 50*time.Millisecond).Should(Succeed())
	})

	It("keeps a Token's JWT across a key rotation asked for with the annotation, and signs new Tokens with the new key", func() {
		tok := newToken(ns, "rotating", "owner")
		Expect(k8s.Create(ctx, tok)).To(Succeed())
		before := jwtOf(ctx, tok)
		oldKid := kidOf(before)

		secret := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "tessera-system", Name: keys.SecretName}, secret)).To(Succeed())
		patch := client.MergeFrom(secret.DeepCopy())
		secret.Annotations = map[string]string{"tenancy.tessera.dev/rotate": time.Now().String()}
		Expect(k8s.Patch(ctx, secret, patch)).To(Succeed())
		Eventually(func() string { return op.Keys.Load().Active().ID }, 30*time.Second, 100*time.Millisecond).ShouldNot(Equal(oldKid))

		// Applications keep the JWT they were given: it is not re-signed, and still verifies.
		Consistently(func() string { return jwtOf(ctx, tok) }, 3*time.Second, 100*time.Millisecond).Should(Equal(before))
		_, err := op.Verifier.VerifyToken(ctx, before)
		Expect(err).NotTo(HaveOccurred())
		got := &tenancyv1alpha1.Token{}
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(tok), got)).To(Succeed())
		Expect(got.Status.KeyID).To(Equal(oldKid))

		fresh := newToken(ns, "after-rotation", "owner")
		Expect(k8s.Create(ctx, fresh)).To(Succeed())
		Expect(kidOf(jwtOf(ctx, fresh))).To(Equal(op.Keys.Load().Active().ID))
	})

	It("marks a Token Expired at its expiration time and refuses it", func() {
		tok := newToken(ns, "short", "owner")
		exp := metav1.NewTime(time.Now().Add(3 * time.Second))
		tok.Spec.ExpirationTime = &exp
		Expect(k8s.Create(ctx, tok)).To(Succeed())
		raw := jwtOf(ctx, tok)
		Eventually(func(g Gomega) {
			got := &tenancyv1alpha1.Token{}
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(tok), got)).To(Succeed())
			g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, tenancyv1alpha1.ConditionExpired)).To(BeTrue())
		}, 15*time.Second, 100*time.Millisecond).Should(Succeed())
		_, err := op.Verifier.VerifyToken(ctx, raw)
		Expect(err).To(MatchError(verify.ErrExpired))
	})

	It("refuses tokens of disabled accounts, of locked groups, and revoked tokens", func() {
		tok := newToken(ns, "checked", "owner")
		Expect(k8s.Create(ctx, tok)).To(Succeed())
		raw := jwtOf(ctx, tok)
		Eventually(func() error { _, err := op.Verifier.VerifyToken(ctx, raw); return err }, 5*time.Second).Should(Succeed())

		setLock(ctx, "tok-group", true, "audit")
		Eventually(func() error { _, err := op.Verifier.VerifyToken(ctx, raw); return err }, 2*time.Second, 20*time.Millisecond).
			Should(MatchError(ContainSubstring("Group tok-group is locked (audit)")))
		_, err := op.Verifier.VerifyToken(ctx, raw)
		Expect(err).To(MatchError(verify.ErrLocked))
		Eventually(func(g Gomega) {
			got := &tenancyv1alpha1.Token{}
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(tok), got)).To(Succeed())
			locked := meta.FindStatusCondition(got.Status.Conditions, tenancyv1alpha1.ConditionLocked)
			g.Expect(locked).NotTo(BeNil())
			g.Expect(locked.Status).To(Equal(metav1.ConditionTrue))
			g.Expect(locked.Reason).To(Equal(tenancyv1alpha1.ReasonGroupLocked))
			g.Expect(locked.Message).To(Equal("locked by Group tok-group: audit"))
		}, 5*time.Second, 50*time.Millisecond).Should(Succeed())
		setLock(ctx, "tok-group", false, "")
		Eventually(func() error { _, err := op.Verifier.VerifyToken(ctx, raw); return err }, 2*time.Second, 20*time.Millisecond).Should(Succeed())
		Eventually(func(g Gomega) {
			got := &tenancyv1alpha1.Token{}
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(tok), got)).To(Succeed())
			g.Expect(meta.FindStatusCondition(got.Status.Conditions, tenancyv1alpha1.ConditionLocked)).To(BeNil(),
				"Locked goes with the lock")
		}, 5*time.Second, 50*time.Millisecond).Should(Succeed())

		Eventually(func() error {
			a := &tenancyv1alpha1.Account{}
			if err := k8s.Get(ctx, client.ObjectKeyFromObject(acct), a); err != nil {
				return err
			}
			a.Spec.Disabled = true
			return k8s.Update(ctx, a)
		}, 5*time.Second).Should(Succeed())
		Eventually(func() error { _, err := op.Verifier.VerifyToken(ctx, raw); return err }, 2*time.Second, 20*time.Millisecond).
			Should(MatchError(verify.ErrDisabled))
		Eventually(func() error {
			a := &tenancyv1alpha1.Account{}
			if err := k8s.Get(ctx, client.ObjectKeyFromObject(acct), a); err != nil {
				return err
			}
			a.Spec.Disabled = false
			return k8s.Update(ctx, a)
		}, 5*time.Second).Should(Succeed())

		// The Secret goes with its Token through the garbage collector (envtest runs none, so
		// the owner reference is what is checked); the JWT stops verifying without waiting for it.
		secret := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "checked-jwt"}, secret)).To(Succeed())
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(tok), tok)).To(Succeed())
		Expect(metav1.IsControlledBy(secret, tok)).To(BeTrue(), "the JWT Secret is owned by its Token")
		Expect(tok.Finalizers).To(BeEmpty(), "a Token needs no finalizer")
		Expect(k8s.Delete(ctx, tok)).To(Succeed())
		Eventually(func() error { _, err := op.Verifier.VerifyToken(ctx, raw); return err }, 5*time.Second, 20*time.Millisecond).
			Should(MatchError(verify.ErrTokenGone))
	})
})

// kidOf reads the kid from a JWT's header without verifying it.
func kidOf(raw string) string {
	head, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	Expect(err).NotTo(HaveOccurred())
	var h struct{ Kid string }
	Expect(json.Unmarshal(b, &h)).To(Succeed())
	return h.Kid
}
