package jwt

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tessera-dev/tessera/internal/keys"
)

func TestCacheAnswersAsVerify(t *testing.T) {
	set := newSet(t, keys.ES256)
	exp := t0.Add(time.Hour)
	tok := sign(t, set, claims(&exp))
	var c Cache

	for range 2 { // a miss, then a hit
		got, err := c.Verify(tok, set, issuer, t0)
		if err != nil || got.TokenID != claims(nil).TokenID || !got.ExpiresAt.Equal(exp) {
			t.Fatalf("Cache.Verify = %+v, %v", got, err)
		}
		got.TokenID = "changed by the caller"
	}
	if got, _ := c.Verify(tok, set, issuer, t0); got.TokenID != claims(nil).TokenID {
		t.Fatal("a caller's change reached the cache")
	}
	// Expiry is checked on a hit.
	if _, err := c.Verify(tok, set, issuer, exp); !errors.Is(err, ErrExpired) {
		t.Fatalf("cached token after exp: %v", err)
	}
	// Another issuer is another question.
	if _, err := c.Verify(tok, set, "https://other.example", t0); !errors.Is(err, ErrIssuer) {
		t.Fatalf("cached token, other issuer: %v", err)
	}
	// A pruned set no longer verifies the token, cached or not.
	rotated, _ := set.Rotate(keys.ES256, t0)
	if _, err := c.Verify(tok, rotated, issuer, t0); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	pruned := rotated.Prune(func(string) bool { return false })
	if _, err := c.Verify(tok, pruned, issuer, t0); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("after prune: %v", err)
	}
	// Failures are not cached: a tampered token fails every time.
	bad := tok[:strings.LastIndexByte(tok, '.')+1]
	for range 2 {
		if _, err := c.Verify(bad, set, issuer, t0); !errors.Is(err, ErrSignature) {
			t.Fatalf("tampered token: %v", err)
		}
	}
}

func TestCacheIsBounded(t *testing.T) {
	set := newSet(t, keys.HS256)
	toks := make([]string, 0, 100)
	for i := range 100 {
		cl := claims(nil)
		cl.TokenID = strings.Repeat("x", i+1)
		toks = append(toks, sign(t, set, cl))
	}
	count := func(c *Cache) (n int) {
		c.entries.Range(func(any, any) bool { n++; return true })
		return n
	}
	c := &Cache{Max: 8}
	for _, tok := range toks {
		if _, err := c.Verify(tok, set, issuer, t0); err != nil {
			t.Fatal(err)
		}
		if n := count(c); n > 8 {
			t.Fatalf("the cache holds %d entries, Max is 8", n)
		}
	}
	// Concurrent misses and clears, for the race detector.
	c = &Cache{Max: 8}
	var wg sync.WaitGroup
	for _, tok := range toks {
		wg.Go(func() {
			if _, err := c.Verify(tok, set, issuer, t0); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
