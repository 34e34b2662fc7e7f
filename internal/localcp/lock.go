package localcp

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrAlreadyRunning is returned (wrapped) by Start when another process holds the state
// directory's lock.
var ErrAlreadyRunning = errors.New("another tessera local is already running")

// dirLock is an flock(2) on Dir/lock. The kernel drops it when the holder dies, so a lock file
// left by a crashed run never blocks; the pid written into it only feeds the error message.
type dirLock struct{ f *os.File }

// lockDir takes the lock without waiting. shownDir is the directory as the user named it.
func lockDir(path, shownDir string) (*dirLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid := "unknown pid"
			if b, rerr := os.ReadFile(path); rerr == nil {
				if n, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
					pid = "pid " + strconv.Itoa(n)
				}
			}
			return nil, fmt.Errorf("%w (%s) with state in %s; stop it first", ErrAlreadyRunning, pid, shownDir)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Best effort: the pid is only for the message another Start prints.
	if f.Truncate(0) == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

// release empties the pid (the file itself stays: removing it would race with a process that
// has just opened it) and drops the lock.
func (l *dirLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close() // closing the only descriptor releases the flock
	l.f = nil
	return err
}
