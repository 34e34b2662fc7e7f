package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/operator"
	"github.com/tessera-dev/tessera/internal/testenv"
)

// attempt is one POST /1/accounts of the burst: what was sent and what came back (0: no answer,
// the process died first).
type attempt struct {
	login, password string
	status          int
}

// kill9 ends tessera with SIGKILL (its control plane goes with it: Pdeathsig) and waits.
func (in *instance) kill9() {
	in.t.Helper()
	_ = in.cmd.Process.Kill()
	<-in.exited
	deadline := time.Now().Add(30 * time.Second)
	for len(testenv.ProcessesMentioning(in.dir)) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
}

// call sends a JSON request, authenticated by auth, and returns the status (0 when the request
// got no answer) and body.
func (in *instance) call(method, path string, auth func(*http.Request), body any) (int, map[string]any) {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, in.restURL+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	auth(req)
	resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		return 0, nil
	}
	defer func() { _ = resp.Body.Close() }()
	out := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// post sends a JSON POST as the bootstrap administrator.
func (in *instance) post(path string, body any) (int, map[string]any) {
	return in.call(http.MethodPost, path, func(r *http.Request) { r.SetBasicAuth("admin@e2e.example", "e2e-Passw0rd") }, body)
}

// crashSetup is what a kill test restarts `tessera local` with: binary, state, assets.
type crashSetup struct{ bin, dir, assets string }

func newCrashSetup(t *testing.T) (*crashSetup, *instance) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts and kills tessera local several times")
	}
	ctrllog.SetLogger(logr.Discard())
	assets, err := testenv.AssetsDir()
	if err != nil {
		t.Fatal(err)
	}
	s := &crashSetup{bin: buildTessera(t), dir: filepath.Join(t.TempDir(), "state"), assets: assets}
	return s, s.restart(t)
}

// restart starts tessera local on the setup's state and waits until it is healthy. Each start
// takes fresh ports: while a killed instance was down, another process may have taken its own.
func (s *crashSetup) restart(t *testing.T) *instance {
	in := start(t, s.bin, s.dir, s.assets, freePorts(t))
	in.waitHealthy()
	return in
}

// burst creates Accounts through POST /1/accounts from workers goroutines until stop closes.
func (in *instance) burst(round, workers int, stop <-chan struct{}) []attempt {
	var mu sync.Mutex
	var all []attempt
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				a := attempt{login: fmt.Sprintf("kill%d.w%d.%d@e2e.example", round, w, i), password: fmt.Sprintf("Kill-Pass-%d-%d", w, i)}
				a.status, _ = in.post("/1/accounts", map[string]any{"login": a.login, "password": a.password, "account_type": "user"})
				mu.Lock()
				all = append(all, a)
				mu.Unlock()
				switch a.status {
				case 0:
					return // the server is gone
				case http.StatusTooManyRequests:
					time.Sleep(50 * time.Millisecond) // the admin's password check is throttled
				}
			}
		})
	}
	wg.Wait()
	return all
}

// warmUp waits until a create succeeds: the burst starts on a server that takes creates. It
// first waits for the bootstrap administrator, whose failed sign-ins would lock it out.
func (in *instance) warmUp(round int) {
	in.t.Helper()
	admin := &tenancyv1alpha1.Account{}
	admin.Namespace, admin.Name = "tessera-root", "bootstrap-admin"
	if !eventuallyReady(context.Background(), kubeClient(in.t, in), admin) {
		in.t.Fatalf("the bootstrap administrator never became Ready\n%s", in.output)
	}
	for i := range 300 {
		st, _ := in.post("/1/accounts", map[string]any{
			"login": fmt.Sprintf("warm%d.%d@e2e.example", round, i), "password": "Warm-Pass-1", "account_type": "user"})
		if st == http.StatusCreated {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	st, body := in.post("/1/accounts", map[string]any{"login": "warm@e2e.example", "password": "Warm-Pass-1", "account_type": "user"})
	in.t.Fatalf("no create succeeded: %d %v\n%s", st, body, in.output)
}

// TestKillDuringCreates kills `tessera local` with SIGKILL in the middle of a burst of
// POST /1/accounts, restarts it on the same state, and checks that every create either did not
// happen or is complete: the Account exists, is Ready and signs in with its password. Every
// create answered 201 must be among the complete ones.
func TestKillDuringCreates(t *testing.T) {
	setup, in := newCrashSetup(t)
	// Kill at different depths into the burst.
	for round, after := range []time.Duration{700 * time.Millisecond, 1500 * time.Millisecond, 2300 * time.Millisecond} {
		in.warmUp(round)
		stop := make(chan struct{})
		timer := time.AfterFunc(after, func() { in.kill9(); close(stop) })
		tries := in.burst(round, 2, stop)
		<-stop
		timer.Stop()

		in = setup.restart(t)
		checkCreates(t, in, round, after, tries)
	}
	in.interrupt()
}

// checkCreates checks the outcome of one round's creates after the restart and logs its figures.
func checkCreates(t *testing.T, in *instance, round int, after time.Duration, tries []attempt) {
	t.Helper()
	c := kubeClient(t, in)
	ctx := context.Background()
	list := &tenancyv1alpha1.AccountList{}
	if err := c.List(ctx, list); err != nil {
		t.Fatal(err)
	}
	byLogin := map[string]*tenancyv1alpha1.Account{}
	for i := range list.Items {
		byLogin[list.Items[i].Spec.Login] = &list.Items[i]
	}
	var answered, unanswered, present, signedIn int
	statuses := map[int]int{}
	for _, a := range tries {
		statuses[a.status]++
		switch a.status {
		case http.StatusCreated:
			answered++
		case 0:
			unanswered++
		}
		acct := byLogin[a.login]
		if acct == nil {
			if a.status == http.StatusCreated {
				t.Errorf("round %d: %s was answered 201 but does not exist after the restart", round, a.login)
			}
			continue
		}
		present++
		// The controller finishes what the request began: the Account becomes Ready.
		if !eventuallyReady(ctx, c, acct) {
			t.Errorf("round %d: %s exists but never became Ready after the restart", round, a.login)
			continue
		}
		if st, _ := in.post("/1/verifier", map[string]any{"login": a.login, "password": a.password}); st != http.StatusOK {
			t.Errorf("round %d: %s exists but its password answers %d at /1/verifier", round, a.login, st)
			continue
		}
		signedIn++
	}
	// What the creates killed before their Account left: pending hash Secrets, which the
	// Account controller deletes after credential.OrphanAfter.
	secrets := &corev1.SecretList{}
	if err := c.List(ctx, secrets, client.InNamespace("tessera-root"), client.HasLabels{tenancyv1alpha1.LabelAccount}); err != nil {
		t.Fatal(err)
	}
	orphans := 0
	for i := range secrets.Items {
		if _, pending := secrets.Items[i].Annotations[tenancyv1alpha1.AnnotationPendingAccount]; pending {
			orphans++
		}
	}
	t.Logf("round %d (SIGKILL %v into the burst): %d creates sent, %d answered 201, %d unanswered (statuses %v); "+
		"after the restart %d exist, %d Ready and signing in, %d pending hash Secrets left",
		round, after, len(tries), answered, unanswered, statuses, present, signedIn, orphans)
}

// eventuallyReady waits up to 30 s for the Account's Ready condition.
func eventuallyReady(ctx context.Context, c client.Client, acct *tenancyv1alpha1.Account) bool {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		got := &tenancyv1alpha1.Account{}
		if err := c.Get(ctx, client.ObjectKeyFromObject(acct), got); err == nil &&
			meta.IsStatusConditionTrue(got.Status.Conditions, tenancyv1alpha1.ConditionReady) &&
			got.Status.PasswordHashSecret == credential.SecretName(got.Name) {
			return true
		}
	}
	return false
}

// kubeClient is a client for the instance's control plane.
func kubeClient(t *testing.T, in *instance) client.Client {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", filepath.Join(in.dir, "kubeconfig"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{Scheme: operator.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
