//go:build unix && !linux

package localcp

import "syscall"

// childProcAttr: without Pdeathsig outside Linux, a hard crash of tessera can orphan the
// children; the next Start then reports their ports as taken.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
