package notify

import (
	"testing"
	"time"
)

func TestSignalWakesOnlyWaitersOfTheKey(t *testing.T) {
	var b Broadcaster
	a, stopA := b.Wait("ns/a")
	other, stopOther := b.Wait("ns/b")
	b.Signal("ns/a")
	b.Signal("ns/a") // a second signal before the wake-up is read is not queued
	select {
	case <-a:
	case <-time.After(time.Second):
		t.Fatal("the waiter on ns/a was not woken")
	}
	select {
	case <-a:
		t.Fatal("two wake-ups for one wait")
	case <-other:
		t.Fatal("the waiter on ns/b was woken")
	default:
	}
	stopA()
	stopOther()
	if n := b.Waiters(); n != 0 {
		t.Fatalf("%d waiters left after stop", n)
	}
	b.Signal("ns/a") // nobody waits: dropped
	if len(b.waiters) != 0 {
		t.Fatal("a signal without waiters kept memory")
	}
}
