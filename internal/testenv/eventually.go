package testenv

import (
	"testing"
	"time"
)

// Eventually polls ok every 20 ms until it holds, and fails tb after 30 s, naming what it
// waited for: what a cache or a controller shows follows the API server a moment later.
func Eventually(tb testing.TB, what string, ok func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
	}
}
