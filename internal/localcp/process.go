package localcp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// stopGrace is how long a child gets between SIGTERM and SIGKILL.
const stopGrace = 10 * time.Second

// child is one control-plane process whose output goes to its own log file.
type child struct {
	name    string
	logPath string
	logFrom int64 // where this run's output starts in the appended log
	cmd     *exec.Cmd
	done    chan struct{} // closed once the process has exited and been reaped
	exitErr error         // valid after done
}

func startChild(name, bin string, args []string, logPath string) (*child, error) {
	logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	// A header per run, so a log appended across restarts can be read by run.
	var from int64
	if st, err := logFile.Stat(); err == nil {
		from = st.Size()
	}
	_, _ = fmt.Fprintf(logFile, "\n==== %s %s %s\n", time.Now().Format(time.RFC3339), bin, strings.Join(args, " "))

	cmd := exec.Command(bin, args...)
	cmd.Env = childEnv(os.Environ())
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, logPath: logPath, logFrom: from, cmd: cmd, done: make(chan struct{})}
	go func() {
		c.exitErr = cmd.Wait()
		_ = logFile.Close()
		close(c.done)
	}()
	return c, nil
}

// goRuntimeTuning are the Go runtime's memory settings. They are meant for Tessera, whose
// process reads them, and not for etcd and kube-apiserver, which are Go programs too: a limit
// sized for the manager (GOMEMLIMIT=460MiB make run) starves an API server holding gigabytes.
var goRuntimeTuning = []string{"GOMEMLIMIT=", "GOGC="}

// childEnv is env without goRuntimeTuning: the control plane runs with the runtime's defaults.
func childEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !slices.ContainsFunc(goRuntimeTuning, func(p string) bool { return strings.HasPrefix(kv, p) }) {
			out = append(out, kv)
		}
	}
	return out
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// exitError describes an exit the caller did not ask for, with the end of the log, which is
// where etcd and kube-apiserver say why they gave up.
func (c *child) exitError() error {
	status := "status 0"
	if c.exitErr != nil {
		status = c.exitErr.Error()
	}
	return fmt.Errorf("%s exited unexpectedly (%s); last lines of %s:\n%s", c.name, status, c.logPath, tail(c.logPath, c.logFrom, 20))
}

// stop signals the whole process group (the child's own, via Setpgid) so helpers it may have
// spawned go too, then escalates to SIGKILL after stopGrace. forced reports the escalation.
func (c *child) stop() (forced bool, err error) {
	if c == nil || c.exited() {
		return false, nil
	}
	pgid := c.pid()
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return false, fmt.Errorf("signal %s: %w", c.name, err)
	}
	select {
	case <-c.done:
		return false, nil
	case <-time.After(stopGrace):
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-c.done:
		return true, nil
	case <-time.After(5 * time.Second):
		return true, fmt.Errorf("%s (pid %d) did not exit after SIGKILL", c.name, pgid)
	}
}

// tail returns the last n lines of a file after offset from, reading at most 64 KiB.
func tail(path string, from int64, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer func() { _ = f.Close() }()
	const window = 64 << 10
	if st, err := f.Stat(); err == nil {
		_, _ = f.Seek(max(from, st.Size()-window), io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	lines := bytes.Split(bytes.Trim(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    " + string(bytes.Join(lines, []byte("\n    ")))
}
