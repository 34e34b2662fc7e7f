package portal

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// Whoever knows an account's login and e-mail may ask, without credentials, for its reset mail
// (POST /actions/mail/reset): at most once per openMailEvery per account, so that nobody can
// flood that inbox. The table holds only accounts that matched, at most maxOpenMailAccounts of
// them; when it is full of fresh entries, every open request waits (429) rather than the table
// growing.
const (
	openMailEvery       = time.Minute
	maxOpenMailAccounts = 10_000
)

// mailThrottle remembers when each account last had an open mail.
type mailThrottle struct {
	mu   sync.Mutex
	sent map[types.UID]time.Time
}

// reserve takes uid's turn at now and returns 0, or returns how long it must wait.
func (t *mailThrottle) reserve(uid types.UID, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sent == nil {
		t.sent = map[types.UID]time.Time{}
	}
	if last, ok := t.sent[uid]; ok && now.Sub(last) < openMailEvery {
		return openMailEvery - now.Sub(last)
	}
	if len(t.sent) >= maxOpenMailAccounts {
		for id, at := range t.sent {
			if now.Sub(at) >= openMailEvery {
				delete(t.sent, id)
			}
		}
		if len(t.sent) >= maxOpenMailAccounts {
			return openMailEvery
		}
	}
	t.sent[uid] = now
	return 0
}

// release gives uid's turn back: its mail was not sent.
func (t *mailThrottle) release(uid types.UID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.sent, uid)
}
