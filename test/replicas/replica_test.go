package replicas

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/zap/zapcore"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/tessera-dev/tessera/internal/operator"
	"github.com/tessera-dev/tessera/internal/testenv"
)

// Each replica is a process of its own, the test binary re-executed with replicaEnv set, so that
// killing it is a crash: SIGKILL, no graceful shutdown, no lease release, reconciles and
// connections cut wherever they are; SIGTERM stops it as a pod's stop does. (Two managers in one process would also share
// controller-runtime's global registries, which refuse a second controller of the same name.)
const replicaEnv = "TESSERA_TEST_REPLICA"

// electedMarker starts the line a replica prints on stdout when it becomes the leader.
const electedMarker = "tessera-replica-elected"

// replicaSpec is what a replica process needs: how to reach the API server, and its Options.
type replicaSpec struct {
	Host    string
	TLS     rest.TLSClientConfig
	Options operator.Options
}

// runReplica is the replica process: Tessera as cluster mode runs it, plus the elected line.
func runReplica(raw string) int {
	var s replicaSpec
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		fmt.Fprintln(os.Stderr, "bad replica spec:", err)
		return 2
	}
	ctrl.SetLogger(zap.New(zap.UseDevMode(true), zap.Level(zapcore.InfoLevel), zap.WriteTo(os.Stderr)))
	log := ctrl.Log.WithName("replica")
	cfg := &rest.Config{Host: s.Host, TLSClientConfig: s.TLS}
	ctx := ctrl.SetupSignalHandler() // as cluster mode: SIGTERM stops the manager
	if err := operator.Prepare(ctx, cfg, s.Options); err != nil {
		log.Error(err, "prepare")
		return 1
	}
	op, err := operator.NewManager(cfg, s.Options)
	if err != nil {
		log.Error(err, "new manager")
		return 1
	}
	go func() {
		<-op.Elected()
		fmt.Printf("%s %s\n", electedMarker, time.Now().Format(time.RFC3339Nano))
	}()
	if err := op.Start(ctx); err != nil {
		log.Error(err, "manager stopped")
		return 1
	}
	return 0
}

// replica is a running replica process, seen from the test.
type replica struct {
	name    string
	spec    replicaSpec // to restart it as it was
	restURL string
	webhook string // host:port of its webhook server
	logPath string
	cmd     *exec.Cmd
	// elected delivers the moment the replica reported that it leads.
	elected chan time.Time
	// exited is closed when the process has ended.
	exited chan struct{}
	once   sync.Once
}

// startReplica starts a replica process; its log (stderr) goes to logDir/<name>.log.
func startReplica(name, logDir string, s replicaSpec) *replica {
	GinkgoHelper()
	raw, err := json.Marshal(s)
	Expect(err).NotTo(HaveOccurred())
	r := &replica{
		name: name, spec: s, restURL: "http://" + s.Options.RESTAddr,
		webhook: net.JoinHostPort(s.Options.WebhookHost, fmt.Sprint(s.Options.WebhookPort)),
		logPath: logDir + "/" + name + ".log",
		elected: make(chan time.Time, 1), exited: make(chan struct{}),
	}
	logFile, err := os.Create(r.logPath)
	Expect(err).NotTo(HaveOccurred())
	r.cmd = exec.Command(os.Args[0])
	r.cmd.Env = append(os.Environ(), replicaEnv+"="+string(raw))
	r.cmd.Stderr = logFile
	testenv.DieWithParent(r.cmd)
	stdout, err := r.cmd.StdoutPipe()
	Expect(err).NotTo(HaveOccurred())
	Expect(r.cmd.Start()).To(Succeed())
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if at, ok := strings.CutPrefix(sc.Text(), electedMarker+" "); ok {
				if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
					r.elected <- t
				}
			}
		}
	}()
	go func() {
		_ = r.cmd.Wait()
		_ = logFile.Close() // the replica wrote it; nothing is left to flush
		close(r.exited)
	}()
	return r
}

// waitReady waits until the replica's REST server reports healthy and its webhook server
// accepts connections.
func (r *replica) waitReady() {
	GinkgoHelper()
	Eventually(func() error {
		select {
		case <-r.exited:
			return StopTrying(fmt.Sprintf("replica %s exited:\n%s", r.name, r.logTail()))
		default:
		}
		resp, err := http.Get(r.restURL + "/healthcheck")
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("replica %s: /healthcheck answered %d", r.name, resp.StatusCode)
		}
		c, err := net.DialTimeout("tcp", r.webhook, time.Second)
		if err != nil {
			return err
		}
		return c.Close()
	}, 90*time.Second, 200*time.Millisecond).Should(Succeed())
}

// kill crashes the replica (SIGKILL) and returns when it was sent, once the process is gone.
func (r *replica) kill() time.Time {
	GinkgoHelper()
	var at time.Time
	r.once.Do(func() {
		at = time.Now()
		if err := r.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			Fail(fmt.Sprintf("killing replica %s: %v", r.name, err))
		}
		<-r.exited
	})
	return at
}

// stop stops the replica as a pod's stop does (SIGTERM) and returns when it was sent, once the
// process has exited by itself.
func (r *replica) stop() time.Time {
	GinkgoHelper()
	var at time.Time
	r.once.Do(func() {
		at = time.Now()
		Expect(r.cmd.Process.Signal(syscall.SIGTERM)).To(Succeed())
		Eventually(r.exited, 30*time.Second).Should(BeClosed(), "replica %s did not stop:\n%s", r.name, r.logTail())
		Expect(r.cmd.ProcessState.ExitCode()).To(Equal(0), "replica %s:\n%s", r.name, r.logTail())
	})
	return at
}

// alive reports whether the process is still running.
func (r *replica) alive() bool {
	select {
	case <-r.exited:
		return false
	default:
		return true
	}
}

// logTail is the end of the replica's log, for failure messages.
func (r *replica) logTail() string {
	raw, _ := os.ReadFile(r.logPath)
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}
