package jwt

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tessera-dev/tessera/internal/keys"
)

// DefaultCacheSize bounds a Cache whose Max is 0: about 10 MiB of tokens and claims.
const DefaultCacheSize = 16384

// Cache remembers tokens that verified, so that a token presented again (API tokens come with
// every request) costs a map lookup instead of a signature check, which is most of Verify's
// cost for ES256 and EdDSA. An entry answers only for the very key set and issuer it was
// verified with, so any rotation, prune or reload starts afresh, and expiry is checked on every
// hit: the answer is always the one Verify would give. Failures are never cached, so invalid
// tokens cannot fill it. The zero Cache is ready to use and safe for concurrent use.
type Cache struct {
	// Max bounds the entries (concurrent misses may overshoot it by the calls in flight); when
	// it is reached the cache is emptied. 0 means DefaultCacheSize.
	Max int

	entries sync.Map // token string → *cacheEntry
	size    atomic.Int64
}

type cacheEntry struct {
	// set is held, so its address cannot be reused by another set while the entry lives.
	set    *keys.Set
	issuer string
	claims Claims
}

// Verify is Verify, remembered. The returned Claims are the caller's own copy.
func (c *Cache) Verify(token string, set *keys.Set, issuer string, now time.Time) (*Claims, error) {
	if v, ok := c.entries.Load(token); ok {
		if e := v.(*cacheEntry); e.set == set && e.issuer == issuer {
			if exp := e.claims.ExpiresAt; exp != nil && !now.Before(*exp) {
				return nil, fmt.Errorf("%w at %s", ErrExpired, exp.Format(time.RFC3339))
			}
			claims := e.claims
			return &claims, nil
		}
	}
	claims, err := Verify(token, set, issuer, now)
	if err != nil {
		return nil, err
	}
	max := int64(c.Max)
	if max <= 0 {
		max = DefaultCacheSize
	}
	if c.size.Add(1) > max {
		// Emptying beats tracking recency here: it is rare, and costs one signature check per
		// live token afterwards.
		c.entries.Clear()
		c.size.Store(1)
	}
	c.entries.Store(token, &cacheEntry{set: set, issuer: issuer, claims: *claims})
	return claims, nil
}
