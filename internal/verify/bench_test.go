package verify

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/verify/verifytest"
)

// BenchmarkVerifyToken measures VerifyToken on the manager's kind of cache (informers, the
// product's field indexes, Tessera-labelled Secrets only) filled from a real API server: a
// signature already checked, then the Token, its Secret and its Account looked up in memory.
func BenchmarkVerifyToken(b *testing.B) {
	ctx, direct, cached := verifytest.Cluster(b)
	raw, store := verifytest.TokenObjects(ctx, b, direct)
	v := &Verifier{Keys: store, Cache: cached, Forest: verifytest.Forest(), Issuer: verifytest.Issuer}
	verifytest.WaitCached(b, func() error { _, err := v.VerifyToken(ctx, raw); return err })

	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.VerifyToken(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyPassword measures VerifyPassword on the same cache: "remembered" a login and
// password that matched before (passwords.go), "hashed" the same pair forgotten before each
// call, so a full argon2id verification.
func BenchmarkVerifyPassword(b *testing.B) {
	ctx, direct, cached := verifytest.Cluster(b)
	const login, plaintext = "owner@a.example", "bench-Passw0rd"
	acct := account("a")
	acct.Spec.Type = tenancyv1alpha1.AccountTypeUser
	for _, o := range []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: acct.Namespace}}, acct} {
		if err := direct.Create(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	if err := credential.Store(ctx, direct, acct, plaintext); err != nil {
		b.Fatal(err)
	}
	v := &Verifier{Cache: cached, Forest: verifytest.Forest()}
	verifytest.WaitCached(b, func() error { _, err := v.VerifyPassword(ctx, login, plaintext); return err })

	b.Run("remembered", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.VerifyPassword(ctx, login, plaintext); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hashed", func(b *testing.B) {
		key := v.passwords.key(login, plaintext)
		b.ReportAllocs()
		for b.Loop() {
			v.passwords.forget(key)
			if _, err := v.VerifyPassword(ctx, login, plaintext); err != nil {
				b.Fatal(err)
			}
		}
	})
}
