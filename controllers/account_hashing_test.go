package controllers

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The Account reconciler's many workers compute at most maxAccountHashes hashes at once, and a
// worker whose reconcile is cancelled while every slot is taken gives up without hashing.
func TestWhileHashingBoundsConcurrentHashes(t *testing.T) {
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range 4 * maxAccountHashes {
		wg.Go(func() {
			_ = whileHashing(context.Background(), func() error {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(20 * time.Millisecond)
				running.Add(-1)
				return nil
			})
		})
	}
	wg.Wait()
	if got := most.Load(); got != maxAccountHashes {
		t.Fatalf("%d hashes ran at once, want %d", got, maxAccountHashes)
	}

	release := make(chan struct{})
	for range maxAccountHashes {
		wg.Go(func() { _ = whileHashing(context.Background(), func() error { <-release; return nil }) })
	}
	for len(accountHashes) < maxAccountHashes {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if err := whileHashing(ctx, func() error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
		t.Errorf("with every slot taken and the context cancelled: err %v, ran %v; want context.Canceled and no hash", err, ran)
	}
	close(release)
	wg.Wait()
}
