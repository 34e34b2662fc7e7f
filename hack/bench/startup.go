package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// banner is the line local mode prints once it is ready (cmd/tessera/local.go).
const banner = "Tessera is running locally."

// startup starts command (a local Tessera: bin/tessera local, or make run) in a process group of
// its own with its output in logPath, and measures how long it takes until /healthcheck answers
// 200 and until the banner is printed. The Tessera keeps running afterwards; the printed pgid
// stops it (kill -INT -- -PGID).
func startup(command []string, logPath, url string) (pgid int, ready time.Duration) {
	if len(command) == 0 {
		check(fmt.Errorf("startup: no command (bench startup -- bin/tessera local)"))
	}
	if resp, err := http.Get(url + "/healthcheck"); err == nil {
		_ = resp.Body.Close()
		check(fmt.Errorf("startup: something already answers on %s: stop it first", url))
	}
	logFile, err := os.Create(logPath)
	check(err)
	defer func() { _ = logFile.Close() }()
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	began := time.Now()
	check(cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	var healthy, bannered time.Duration
	hc := &http.Client{Timeout: time.Second}
	for healthy == 0 || bannered == 0 {
		select {
		case err := <-exited:
			check(fmt.Errorf("startup: %v exited (%v) before it was ready; see %s", command, err, logPath))
		case <-time.After(50 * time.Millisecond):
		}
		if healthy == 0 {
			if resp, err := hc.Get(url + "/healthcheck"); err == nil {
				_ = resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					healthy = time.Since(began)
				}
			}
		}
		if bannered == 0 {
			if b, err := os.ReadFile(logPath); err == nil && bytes.Contains(b, []byte(banner)) {
				bannered = time.Since(began)
			}
		}
		if time.Since(began) > 10*time.Minute {
			check(fmt.Errorf("startup: not ready after 10 minutes; see %s", logPath))
		}
	}
	fmt.Printf("startup healthcheck_200=%s banner=%s pid=%d pgid=%d log=%s load=%s\n",
		healthy.Round(10*time.Millisecond), bannered.Round(10*time.Millisecond), cmd.Process.Pid, cmd.Process.Pid,
		logPath, loadavg())
	return cmd.Process.Pid, max(healthy, bannered)
}

// startupRows reports a startup with the size of what the Tessera started with.
func startupRows(ctx context.Context, c client.Client, kubeconfig, url string, command []string, ready time.Duration) {
	accounts := countKind(ctx, c, &tenancyv1alpha1.AccountList{})
	size := fmt.Sprintf("%d Accounts, %d Tokens", accounts, countKind(ctx, c, &tenancyv1alpha1.TokenList{}))
	row(size, fmt.Sprintf("start (%v) → /healthcheck 200 and the banner", command),
		ready.Round(100*time.Millisecond).String(), "< 60 s: "+verdict(ready < time.Minute))
	memoryRows(kubeconfig, url, size+", just started", accounts)
}
