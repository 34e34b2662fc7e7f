package rest

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"
)

func TestLimiterRefusesBeyondTheSlots(t *testing.T) {
	l := newLoginLimiter()
	releases := make([]func(), 0, cap(l.slots))
	for range cap(l.slots) {
		release, err := l.acquire(l.key("a"))
		if err != nil {
			t.Fatalf("acquire within the slots: %v", err)
		}
		releases = append(releases, release)
	}
	_, err := l.acquire(l.key("b"))
	var th *ThrottledError
	if !errors.As(err, &th) || th.RetryAfter <= 0 {
		t.Fatalf("acquire beyond the slots = %v, want a ThrottledError with Retry-After", err)
	}
	releases[0]()
	if _, err := l.acquire(l.key("b")); err != nil {
		t.Fatalf("acquire after a release: %v", err)
	}
}

// fail records n failed sign-ins of login, each through a slot, as Authenticator.Password does.
func fail(t *testing.T, l *loginLimiter, login string, n int) {
	t.Helper()
	for range n {
		release, err := l.acquire(l.key(login))
		if err != nil {
			t.Fatalf("%s locked out too early: %v", login, err)
		}
		release()
		l.result(l.key(login), false)
	}
}

func lockedFor(l *loginLimiter, login string) time.Duration {
	release, err := l.acquire(l.key(login))
	if th, ok := errors.AsType[*ThrottledError](err); ok {
		return th.RetryAfter
	}
	release()
	return 0
}

func TestLimiterLocksOutAFailingLogin(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLoginLimiter()
	l.now = func() time.Time { return now }
	fail(t, l, "mallory", lockoutFailures)
	if got := lockedFor(l, "mallory"); got != lockoutFor {
		t.Fatalf("after %d failures the lockout is %s, want %s", lockoutFailures, got, lockoutFor)
	}
	if got := lockedFor(l, "alice"); got != 0 {
		t.Fatalf("another login is locked out too: %s", got)
	}
	now = now.Add(lockoutFor)
	if got := lockedFor(l, "mallory"); got != 0 {
		t.Fatalf("still locked out after %s: %s", lockoutFor, got)
	}
}

func TestLimiterForgetsFailuresOutsideTheWindow(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLoginLimiter()
	l.now = func() time.Time { return now }
	fail(t, l, "bob", lockoutFailures-1)
	now = now.Add(lockoutWindow + time.Second)
	fail(t, l, "bob", lockoutFailures-1)
	if got := lockedFor(l, "bob"); got != 0 {
		t.Fatalf("failures older than %s still count: locked for %s", lockoutWindow, got)
	}
}

func TestLimiterSuccessClearsFailures(t *testing.T) {
	l := newLoginLimiter()
	for range lockoutFailures - 1 {
		l.result(l.key("bob"), false)
	}
	l.result(l.key("bob"), true)
	l.result(l.key("bob"), false)
	if _, err := l.acquire(l.key("bob")); err != nil {
		t.Fatalf("a success did not clear the failure count: %v", err)
	}
}

// A million never-repeated wrong logins (of the longest length) leave the table as it was
// allocated, and neither a victim's lockout nor its failure count is flushed by them.
func TestLimiterStaysBoundedAndKeepsVictimsUnderAFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("a million sign-in failures")
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLoginLimiter()
	l.now = func() time.Time { return now }
	table := unsafe.SliceData(l.table)
	fail(t, l, "locked-victim", lockoutFailures)
	fail(t, l, "counting-victim", lockoutFailures-1)
	pad := string(make([]byte, MaxLoginLength-10))
	for i := range 1_000_000 {
		l.result(l.key(pad+strconv.Itoa(i)), false)
		if i%20_000 == 0 {
			now = now.Add(time.Second) // 50 s in all: inside both the window and the lockout
		}
	}
	if len(l.table) != failureSets*failureWays || unsafe.SliceData(l.table) != table {
		t.Fatalf("the failure table changed size or moved: %d entries", len(l.table))
	}
	if got := lockedFor(l, "locked-victim"); got <= 0 {
		t.Fatalf("the flood lifted a lockout")
	}
	fail(t, l, "counting-victim", 1)
	if got := lockedFor(l, "counting-victim"); got != lockoutFor {
		t.Fatalf("the flood reset a victim's failure count: one more failure locks it for %s, want %s", got, lockoutFor)
	}
}

func TestLimiterKeyIsFixedSizeAndKeyed(t *testing.T) {
	a, b := newLoginLimiter(), newLoginLimiter()
	long := string(make([]byte, 1<<20))
	if unsafe.Sizeof(loginKey{}) != 16 || a.key(long) != a.key(strings.Clone(long)) {
		t.Fatal("the key is not a fixed-size function of the login")
	}
	if a.key("x") == b.key("x") {
		t.Fatal("two limiters share a key: the hash is not keyed per process")
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

// One processor stays free of hashing wherever there is more than one.
func TestLimiterKeepsAProcessorFreeOfHashes(t *testing.T) {
	for procs, want := range map[int]int{1: 1, 2: 1, 4: 3, 16: 15} {
		if got := hashSlots(procs); got != want {
			t.Errorf("hashSlots(%d) = %d, want %d", procs, got, want)
		}
	}
	if l := newLoginLimiter(); cap(l.slots) != hashSlots(runtime.GOMAXPROCS(0)) {
		t.Fatalf("the limiter admits %d hashes, want %d", cap(l.slots), hashSlots(runtime.GOMAXPROCS(0)))
	}
}
