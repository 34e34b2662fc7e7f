package portal

import (
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// TestMailThrottle checks one open mail per account per minute, a turn given back, and a full
// table refusing rather than growing.
func TestMailThrottle(t *testing.T) {
	var m mailThrottle
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if m.reserve("a", now) != 0 {
		t.Fatal("the first mail waits")
	}
	if w := m.reserve("a", now.Add(20*time.Second)); w != 40*time.Second {
		t.Errorf("a second mail after 20 s waits %s, want 40s", w)
	}
	if m.reserve("b", now) != 0 || m.reserve("a", now.Add(time.Minute)) != 0 {
		t.Error("another account, or the same a minute later, waits")
	}
	m.release("b")
	if m.reserve("b", now.Add(time.Second)) != 0 {
		t.Error("a released turn is still taken")
	}
	for i := range maxOpenMailAccounts {
		m.reserve(types.UID(fmt.Sprint(i)), now.Add(time.Minute))
	}
	if len(m.sent) > maxOpenMailAccounts || m.reserve("new", now.Add(time.Minute)) == 0 {
		t.Errorf("a full table of fresh turns took another (%d entries)", len(m.sent))
	}
	if m.reserve("new", now.Add(3*time.Minute)) != 0 || len(m.sent) != 1 {
		t.Errorf("stale turns were not dropped (%d entries)", len(m.sent))
	}
}
