package rest

import (
	"runtime"
	"strconv"
	"sync"
	"time"
)

// Login protection (DESIGN.md budgets): never more password hashes in flight than cores — the
// excess is refused at once, not queued — and a login that keeps failing is locked out for a
// while, so that guessing costs the guesser, not the server.
const (
	// lockoutFailures failures within lockoutWindow lock a login for lockoutFor.
	lockoutFailures = 5
	lockoutWindow   = 5 * time.Minute
	lockoutFor      = time.Minute
	// maxTrackedLogins bounds the memory spent on failure counts; the oldest entries go first.
	maxTrackedLogins = 100_000
)

// ThrottledError refuses a password check: too many in flight, or the login is locked out.
// APIs answer 429 with Retry-After.
type ThrottledError struct {
	RetryAfter time.Duration
	Reason     string
}

func (e *ThrottledError) Error() string { return e.Reason }

// RetryAfterHeader is the Retry-After value for d: whole seconds, rounded up, at least 1.
func RetryAfterHeader(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}

// loginLimiter bounds concurrent password hashes and locks out logins that keep failing.
type loginLimiter struct {
	slots chan struct{}
	now   func() time.Time

	mu       sync.Mutex
	failures map[string]*failureRecord
}

type failureRecord struct {
	count       int
	first       time.Time
	lockedUntil time.Time
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{slots: make(chan struct{}, runtime.GOMAXPROCS(0)), now: time.Now,
		failures: map[string]*failureRecord{}}
}

// acquire takes a hashing slot for login, or refuses without waiting.
func (l *loginLimiter) acquire(login string) (release func(), err error) {
	l.mu.Lock()
	if f := l.failures[login]; f != nil && l.now().Before(f.lockedUntil) {
		wait := f.lockedUntil.Sub(l.now())
		l.mu.Unlock()
		return nil, &ThrottledError{RetryAfter: wait, Reason: "too many failed sign-ins for this login; try again later"}
	}
	l.mu.Unlock()
	select {
	case l.slots <- struct{}{}:
		return func() { <-l.slots }, nil
	default:
		return nil, &ThrottledError{RetryAfter: time.Second, Reason: "too many sign-ins in progress; try again shortly"}
	}
}

// result records the outcome of a password check for login.
func (l *loginLimiter) result(login string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ok {
		delete(l.failures, login)
		return
	}
	now := l.now()
	f := l.failures[login]
	if f == nil || now.Sub(f.first) > lockoutWindow {
		if f == nil && len(l.failures) >= maxTrackedLogins {
			l.evictOldest()
		}
		f = &failureRecord{first: now}
		l.failures[login] = f
	}
	f.count++
	if f.count >= lockoutFailures {
		f.lockedUntil = now.Add(lockoutFor)
		f.count, f.first = 0, now
	}
}

func (l *loginLimiter) evictOldest() {
	var oldest string
	var at time.Time
	for k, f := range l.failures {
		if oldest == "" || f.first.Before(at) {
			oldest, at = k, f.first
		}
	}
	delete(l.failures, oldest)
}
