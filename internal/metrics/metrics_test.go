package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestGroupLocksCountGroups checks that the gauge counts Groups, however often each is reported.
func TestGroupLocksCountGroups(t *testing.T) {
	gauge := func(lock string) float64 { return testutil.ToFloat64(GroupsLocked.WithLabelValues(lock)) }
	for range 3 {
		SetGroupLock("a", LockOwn)
		SetGroupLock("b", LockInherited)
		SetGroupLock("c", LockInherited)
		SetGroupLock("d", LockNone)
	}
	if own, inherited := gauge(LockOwn), gauge(LockInherited); own != 1 || inherited != 2 {
		t.Fatalf("own %v inherited %v, want 1 and 2", own, inherited)
	}
	SetGroupLock("b", LockOwn) // b's own lock now, and c still below a locked Group
	ForgetGroup("a")
	SetGroupLock("c", LockNone)
	if own, inherited := gauge(LockOwn), gauge(LockInherited); own != 1 || inherited != 0 {
		t.Fatalf("own %v inherited %v, want 1 and 0", own, inherited)
	}
}
