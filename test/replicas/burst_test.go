package replicas

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// burst creates Tokens for one Account from several workers until stopped: a third straight
// through the API server (kubectl's path), a third through each replica's POST /1/tokens,
// which answers with the JWT once it is signed. REST calls carry a Bearer token of the
// Account's (Basic would spend a password hash on each and be throttled at two in flight).
// Failures are counted, not retried: what counts in the end is every Token that exists.
type burst struct {
	acct    *tenancyv1alpha1.Account
	bearer  string
	rest    []*replica
	seq     atomic.Int64
	stopped chan struct{}
	wg      sync.WaitGroup

	mu sync.Mutex
	// created holds when each successful create answered, by Token name or REST token_id.
	created map[string]time.Time
	// issued holds the JWT each REST client received, by token_id.
	issued map[string]string
	// failures counts the failed creates by a short description.
	failures map[string]int
}

func startBurst(acct *tenancyv1alpha1.Account, bearer string, workers int, rest ...*replica) *burst {
	b := &burst{acct: acct, bearer: bearer, rest: rest, stopped: make(chan struct{}),
		created: map[string]time.Time{}, issued: map[string]string{}, failures: map[string]int{}}
	for range workers {
		b.wg.Go(func() {
			for {
				select {
				case <-b.stopped:
					return
				default:
				}
				b.createOne(b.seq.Add(1))
			}
		})
	}
	return b
}

// stop ends the burst and waits for the creates in flight.
func (b *burst) stop() {
	close(b.stopped)
	b.wg.Wait()
}

func (b *burst) createOne(i int64) {
	via := int(i % int64(len(b.rest)+1))
	if via == len(b.rest) {
		name := fmt.Sprintf("burst-%05d", i)
		err := k8s.Create(context.Background(), &tenancyv1alpha1.Token{
			ObjectMeta: metav1.ObjectMeta{Namespace: b.acct.Namespace, Name: name},
			Spec:       tenancyv1alpha1.TokenSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: b.acct.Name}},
		})
		b.record("kubernetes", name, "", err, 0, nil)
		return
	}
	r := b.rest[via]
	status, out, err := call(r.restURL, "POST", "/1/tokens",
		map[string]any{"permissions": map[string]any{}, "expiration_time": nil, "visibility_area": "account"},
		false, "Luna-Account-Id", b.acct.Spec.AccountID, "Authorization", "Bearer "+b.bearer)
	id, _ := out["token_id"].(string)
	jwt, _ := out["token"].(string)
	b.record("REST of "+r.name, id, jwt, err, status, out)
}

func (b *burst) record(via, key, jwt string, err error, status int, out map[string]any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case err != nil:
		b.failures[via+": "+clip(err.Error(), 140)]++
	case status != 0 && status != http.StatusCreated:
		b.failures[fmt.Sprintf("%s: %d %v %s", via, status, out["error_code"], clip(fmt.Sprint(out["detail"]), 60))]++
	default:
		b.created[key] = time.Now()
		if jwt != "" {
			b.issued[key] = jwt
		}
	}
}

// count reports how many creates succeeded, and how many of those answered in [from, to).
func (b *burst) count(from, to time.Time) (all, between int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, at := range b.created {
		if !at.Before(from) && at.Before(to) {
			between++
		}
	}
	return len(b.created), between
}

// failureReport lists the failures, most frequent first.
func (b *burst) failureReport() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := make([]string, 0, len(b.failures))
	for k, n := range b.failures {
		lines = append(lines, fmt.Sprintf("%4d × %s", n, k))
	}
	slices.Sort(lines)
	slices.Reverse(lines)
	if len(lines) == 0 {
		return "none"
	}
	return strings.Join(lines, "\n")
}

// clip shortens a failure message, so that the same failure counts once whatever it names.
func clip(msg string, n int) string {
	if len(msg) > n {
		return msg[:n] + "…"
	}
	return msg
}
