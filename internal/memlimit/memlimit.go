// Package memlimit gives the Go runtime a soft memory limit below the container's hard one, so
// that the garbage collector works harder as the heap nears the limit instead of the kernel
// killing the manager (the kubelet's OOM kill loses every cache and lease at once).
package memlimit

import (
	"errors"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// Fraction of the container's limit the runtime aims to stay under: the rest is for memory
// the Go runtime does not count (thread stacks, cgo, the page cache of mapped files).
const Fraction = 0.9

// cgroupFiles hold the container's memory limit: cgroup v2 first, then v1.
var cgroupFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// noLimitV1 is at least what cgroup v1 reports for "unlimited" (a page-rounded MaxInt64).
const noLimitV1 = 1 << 62

// Apply sets the runtime's memory limit to Fraction of the container's, unless GOMEMLIMIT is
// set (an operator's explicit choice wins) or the process runs without a memory limit. It
// returns the limit it set, 0 when it set none.
func Apply() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	for _, f := range cgroupFiles {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		limit, err := parseLimit(string(raw))
		if err != nil || limit == 0 {
			return 0
		}
		soft := int64(float64(limit) * Fraction)
		debug.SetMemoryLimit(soft)
		return soft
	}
	return 0
}

// parseLimit reads a cgroup memory limit file: bytes, or "max" (v2) / a huge number (v1) for
// none, which is 0.
func parseLimit(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "max" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil:
		return 0, err
	case n <= 0:
		return 0, errors.New("memlimit: a non-positive memory limit")
	case n >= noLimitV1:
		return 0, nil
	}
	return n, nil
}
