package localcp

import "syscall"

// childProcAttr puts the child in its own process group (Stop signals the group, and a Ctrl-C
// in the terminal reaches only tessera, which then stops the children in order) and asks the
// kernel to SIGKILL it if tessera dies without stopping it. Pdeathsig fires when the forking
// OS thread exits; Go only retires threads of goroutines that exit while locked to them, which
// this package never does.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
