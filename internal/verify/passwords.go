package verify

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// A password check costs a full argon2id hash, by design tens of milliseconds; HTTP Basic
// sends the password with every request. So a login and password that matched are remembered
// for rememberFor, and a repeated request costs a lookup instead.
//
// What is kept is only that the pair matched: the key is an HMAC of login and password under a
// per-process random key, never the password nor a plain hash of it, so the table holds nothing
// a guess could be tested against outside this process; the entry holds what the success
// depended on, the Account's UID and the SHA-256 of the hash that matched. A remembered pair
// does not skip the rest of the check: VerifyPassword still resolves the Account by login and
// its hash Secret from the cache, and requires the same UID and the same hash before it skips
// the hash, then refuses a disabled, unapproved or locked Account as always. A password
// change, a deletion, a disable or a lock therefore counts as soon as the cache shows it, with
// no invalidation event to miss. Wrong passwords are never remembered, and an entry lives
// rememberFor from the hash that made it (a hit does not extend it).
//
// The table is bounded by rememberedMax whatever is sent: entries are made only by successful
// hashes (which the REST layer bounds), and a full table drops an entry picked at random (Go's
// map iteration order), which costs its owner one more hash.
const (
	rememberFor   = 2 * time.Minute
	rememberedMax = 1 << 14
)

// passwordKey is the HMAC of a login and password.
type passwordKey [sha256.Size]byte

// remembered is what a remembered success depended on.
type remembered struct {
	account types.UID
	hash    [sha256.Size]byte
	until   int64 // Unix nanoseconds
}

// passwordMemory is the table; its zero value is ready to use.
type passwordMemory struct {
	init    sync.Once
	secret  [32]byte
	mu      sync.Mutex
	entries map[passwordKey]remembered
}

func (m *passwordMemory) setup() {
	m.init.Do(func() {
		if _, err := rand.Read(m.secret[:]); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		m.entries = make(map[passwordKey]remembered)
	})
}

// key derives the table key of login and password. The login's length goes first, so that no
// two pairs feed the HMAC the same bytes.
func (m *passwordMemory) key(login, password string) passwordKey {
	m.setup()
	mac := hmac.New(sha256.New, m.secret[:])
	mac.Write(binary.AppendUvarint(nil, uint64(len(login))))
	mac.Write([]byte(login))
	mac.Write([]byte(password))
	var k passwordKey
	mac.Sum(k[:0])
	return k
}

// matches reports whether k is remembered for the Account of uid holding hash; an entry that no
// longer matches is dropped.
func (m *passwordMemory) matches(k passwordKey, uid types.UID, hash string, now time.Time) bool {
	m.setup()
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[k]
	if !ok {
		return false
	}
	if e.account == uid && e.hash == sha256.Sum256([]byte(hash)) && now.UnixNano() < e.until {
		return true
	}
	delete(m.entries, k)
	return false
}

// remember records that k matched hash, held by the Account of uid.
func (m *passwordMemory) remember(k passwordKey, uid types.UID, hash string, now time.Time) {
	m.setup()
	e := remembered{account: uid, hash: sha256.Sum256([]byte(hash)), until: now.Add(rememberFor).UnixNano()}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[k]; !ok && len(m.entries) >= rememberedMax {
		for victim := range m.entries {
			delete(m.entries, victim)
			break
		}
	}
	m.entries[k] = e
}

// forget drops k.
func (m *passwordMemory) forget(k passwordKey) {
	m.setup()
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, k)
}
