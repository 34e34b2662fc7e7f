package jwt

import (
	"testing"
	"time"
)

// BenchmarkSign measures signing one token: the Token controller's cost per issue or renewal.
func BenchmarkSign(b *testing.B) {
	exp := t0.Add(24 * time.Hour)
	for _, alg := range algs {
		b.Run(string(alg), func(b *testing.B) {
			set := newSet(b, alg)
			c := claims(&exp)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Sign(set, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerify measures verifying one token against a set of three keys, as after a
// rotation: the hot path of every Bearer request (budget: ≥10,000/s per core through HTTP).
func BenchmarkVerify(b *testing.B) {
	exp := t0.Add(24 * time.Hour)
	for _, alg := range algs {
		b.Run(string(alg), func(b *testing.B) {
			set := newSet(b, alg)
			set, _ = set.Rotate(alg, t0.Add(time.Minute))
			set, _ = set.Rotate(alg, t0.Add(2*time.Minute))
			tok := sign(b, set, claims(&exp))
			now := t0.Add(time.Hour)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Verify(tok, set, issuer, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCacheVerify measures a token presented again, as API tokens are on every request.
func BenchmarkCacheVerify(b *testing.B) {
	exp := t0.Add(24 * time.Hour)
	for _, alg := range algs {
		b.Run(string(alg), func(b *testing.B) {
			set := newSet(b, alg)
			tok := sign(b, set, claims(&exp))
			now := t0.Add(time.Hour)
			var c Cache
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Verify(tok, set, issuer, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
