package rest

import (
	"errors"
	"testing"
	"time"
)

func TestLimiterRefusesBeyondTheSlots(t *testing.T) {
	l := newLoginLimiter()
	var releases []func()
	for range cap(l.slots) {
		release, err := l.acquire("a")
		if err != nil {
			t.Fatalf("acquire within the slots: %v", err)
		}
		releases = append(releases, release)
	}
	_, err := l.acquire("b")
	var th *ThrottledError
	if !errors.As(err, &th) || th.RetryAfter <= 0 {
		t.Fatalf("acquire beyond the slots = %v, want a ThrottledError with Retry-After", err)
	}
	releases[0]()
	if _, err := l.acquire("b"); err != nil {
		t.Fatalf("acquire after a release: %v", err)
	}
}

func TestLimiterLocksOutAFailingLogin(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLoginLimiter()
	l.now = func() time.Time { return now }
	for range lockoutFailures {
		release, err := l.acquire("mallory")
		if err != nil {
			t.Fatalf("locked out too early: %v", err)
		}
		release()
		l.result("mallory", false)
	}
	_, err := l.acquire("mallory")
	var th *ThrottledError
	if !errors.As(err, &th) || th.RetryAfter != lockoutFor {
		t.Fatalf("after %d failures acquire = %v, want a lockout of %s", lockoutFailures, err, lockoutFor)
	}
	if release, err := l.acquire("alice"); err != nil {
		t.Fatalf("another login is locked out too: %v", err)
	} else {
		release()
	}
	now = now.Add(lockoutFor)
	if release, err := l.acquire("mallory"); err != nil {
		t.Fatalf("still locked out after %s: %v", lockoutFor, err)
	} else {
		release()
	}
}

func TestLimiterSuccessClearsFailures(t *testing.T) {
	l := newLoginLimiter()
	for range lockoutFailures - 1 {
		l.result("bob", false)
	}
	l.result("bob", true)
	l.result("bob", false)
	if _, err := l.acquire("bob"); err != nil {
		t.Fatalf("a success did not clear the failure count: %v", err)
	}
}

func TestRetryAfterHeaderRoundsUpToWholeSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "1", 300 * time.Millisecond: "1", time.Second: "1",
		1500 * time.Millisecond: "2", time.Minute: "60"} {
		if got := RetryAfterHeader(d); got != want {
			t.Errorf("RetryAfterHeader(%s) = %s, want %s", d, got, want)
		}
	}
}
