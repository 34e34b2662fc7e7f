package rest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// Login protection (DESIGN.md budgets): fewer password hashes in flight than cores (hashSlots) —
// the excess is refused at once, not queued — and a login that keeps failing is locked out for a
// while, so that guessing costs the guesser, not the server.
const (
	// lockoutFailures failures within lockoutWindow lock a login for lockoutFor.
	lockoutFailures = 5
	lockoutWindow   = 5 * time.Minute
	lockoutFor      = time.Minute
)

// The failure table is fixed: failureSets sets of failureWays entries, 40 bytes each — 2.5 MiB
// allocated once, whatever logins are sent. What the bound costs: at most 65,536 logins are
// tracked at a time, and a full set evicts its least valuable entry (stale, then fewest
// failures, then oldest; a locked login last, the one whose lock ends first). The set is picked
// by a keyed hash the client never sees, so to push out a victim's k recent failures a flood
// must blindly give all 16 entries of every set k failures or more within the five-minute
// window: about 65,536 × k failed sign-ins, each a full password hash with fewer than `cores` in
// flight — hours of hashing, for the k guesses it buys back, while the lockout itself allows 5
// a minute. A locked
// login stays locked unless every entry of its set is locked too (5 × 65,536 failures a minute).
const (
	failureSets = 4096
	failureWays = 16
)

// ThrottledError refuses a password check: too many in flight, or the login is locked out.
// APIs answer 429 with Retry-After.
type ThrottledError struct {
	RetryAfter time.Duration
	Reason     string
	// Lockout is set when the login is locked out after repeated failures, rather than the
	// server having too many hashes in flight; APIs that document a lockout status (the
	// portal's 423) answer it.
	Lockout bool
}

func (e *ThrottledError) Error() string { return e.Reason }

// RetryAfterHeader is the Retry-After value for d: whole seconds, rounded up, at least 1.
func RetryAfterHeader(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}

// loginKey is a keyed hash of a login: fixed-size whatever the login's length, and not
// computable by a client, which therefore cannot aim logins at a victim's set.
type loginKey [16]byte

// loginLimiter bounds concurrent password hashes and locks out logins that keep failing.
type loginLimiter struct {
	slots chan struct{}
	now   func() time.Time
	// secret keys the login hash; per process, so nothing outside it can predict a set.
	secret [32]byte

	mu    sync.Mutex
	table []failureEntry // failureSets × failureWays
}

// failureEntry is one tracked login; times are Unix nanoseconds, first == 0 is a free entry.
type failureEntry struct {
	key         loginKey
	first       int64 // start of the current failure window
	lockedUntil int64
	count       int32
}

func newLoginLimiter() *loginLimiter {
	l := &loginLimiter{slots: make(chan struct{}, hashSlots(runtime.GOMAXPROCS(0))), now: time.Now,
		table: make([]failureEntry, failureSets*failureWays)}
	if _, err := rand.Read(l.secret[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return l
}

// hashSlots is how many password hashes may run at once with procs Go processors: one fewer
// than procs, at least one. An argon2id hash holds its processor for tens of milliseconds and
// the Go scheduler preempts it only every 10 ms, so with a hash on every processor any other
// request (a token verification, a list, the 429 that refuses a sign-in) waits for a
// preemption: on a 2-core machine that made refusals take 8–60 ms and halved the verifier's
// rate under sign-in load (docs/benchmarks.md). Keeping one processor free for everything else
// costs 1/procs of the hashing rate, which is most felt on small machines (half of it on two
// cores) and is what they need most; with one processor there is nothing to keep.
func hashSlots(procs int) int {
	return max(1, procs-1)
}

// key hashes login with the limiter's secret.
func (l *loginLimiter) key(login string) loginKey {
	m := hmac.New(sha256.New, l.secret[:])
	m.Write([]byte(login))
	var k loginKey
	copy(k[:], m.Sum(nil))
	return k
}

// set returns the entries login's key may occupy.
func (l *loginLimiter) set(k loginKey) []failureEntry {
	i := (int(k[0]) | int(k[1])<<8) % failureSets
	return l.table[i*failureWays : (i+1)*failureWays]
}

// lockedOutReason is the refusal of a locked-out login.
const lockedOutReason = "too many failed sign-ins for this login; try again later"

// lockedOut refuses the login of k while it is locked out: acquire asks it before taking a
// hashing slot, and a remembered password, which needs no slot, asks it alone.
func (l *loginLimiter) lockedOut(k loginKey) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now().UnixNano()
	for _, e := range l.set(k) {
		if e.first != 0 && e.key == k && now < e.lockedUntil {
			return &ThrottledError{RetryAfter: time.Duration(e.lockedUntil - now), Reason: lockedOutReason, Lockout: true}
		}
	}
	return nil
}

// acquire takes a hashing slot for the login of k, or refuses without waiting.
func (l *loginLimiter) acquire(k loginKey) (release func(), err error) {
	if err := l.lockedOut(k); err != nil {
		return nil, err
	}
	select {
	case l.slots <- struct{}{}:
		return func() { <-l.slots }, nil
	default:
		return nil, &ThrottledError{RetryAfter: time.Second, Reason: "too many sign-ins in progress; try again shortly"}
	}
}

// result records the outcome of a password check for the login of k.
func (l *loginLimiter) result(k loginKey, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now().UnixNano()
	set := l.set(k)
	var e *failureEntry
	for i := range set {
		if set[i].first != 0 && set[i].key == k {
			e = &set[i]
			break
		}
	}
	if ok {
		if e != nil {
			*e = failureEntry{}
		}
		return
	}
	if e == nil {
		e = victim(set, now)
		*e = failureEntry{key: k, first: now}
	} else if now-e.first > int64(lockoutWindow) {
		e.first, e.count = now, 0
	}
	e.count++
	if e.count >= lockoutFailures {
		e.lockedUntil = now + int64(lockoutFor)
		e.count, e.first = 0, now
	}
}

// victim picks the entry of a full set that is cheapest to forget (see failureSets).
func victim(set []failureEntry, now int64) *failureEntry {
	best, bestRank := &set[0], rank(&set[0], now)
	for i := 1; i < len(set); i++ {
		if r := rank(&set[i], now); r.less(bestRank) {
			best, bestRank = &set[i], r
		}
	}
	return best
}

// entryRank orders entries for eviction: the smallest goes first.
type entryRank struct {
	locked bool  // locked entries go last
	count  int32 // then fewer failures first
	at     int64 // then the older window (or the sooner unlock) first
}

func (a entryRank) less(b entryRank) bool {
	if a.locked != b.locked {
		return !a.locked
	}
	if a.count != b.count {
		return a.count < b.count
	}
	return a.at < b.at
}

func rank(e *failureEntry, now int64) entryRank {
	switch {
	case e.first == 0, now >= e.lockedUntil && now-e.first > int64(lockoutWindow):
		return entryRank{count: -1} // free or stale
	case now < e.lockedUntil:
		return entryRank{locked: true, at: e.lockedUntil}
	}
	return entryRank{count: e.count, at: e.first}
}
