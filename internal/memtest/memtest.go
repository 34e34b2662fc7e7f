// Package memtest measures the live heap a structure holds, for memory benchmarks.
package memtest

import "runtime"

// HeapHeldBy is the live heap that what build returns holds, after a collection on each side.
func HeapHeldBy(build func() any) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	x := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(x)
	return after.HeapAlloc - before.HeapAlloc
}
