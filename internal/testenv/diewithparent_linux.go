package testenv

import (
	"os/exec"
	"syscall"
)

// DieWithParent makes the kernel kill cmd's process when the test process dies, so that a test
// killed by its timeout leaves no child behind.
func DieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
