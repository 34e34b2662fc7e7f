package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// request builds one HTTP request of a load run.
type request func() (*http.Request, error)

// loadRun is the outcome of a load run: every answer's latency by HTTP status.
type loadRun struct {
	elapsed  time.Duration
	byStatus map[int][]time.Duration // sorted
	errors   int64                   // transport errors
}

// count is how many answers had status (0: all answers).
func (r loadRun) count(status int) int {
	if status != 0 {
		return len(r.byStatus[status])
	}
	n := 0
	for _, l := range r.byStatus {
		n += len(l)
	}
	return n
}

// rate is answers/s with status (0: all).
func (r loadRun) rate(status int) float64 { return float64(r.count(status)) / r.elapsed.Seconds() }

// latencies of the answers with status (0: all), sorted.
func (r loadRun) latencies(status int) []time.Duration {
	if status != 0 {
		return r.byStatus[status]
	}
	var all []time.Duration
	for _, l := range r.byStatus {
		all = append(all, l...)
	}
	slices.Sort(all)
	return all
}

// statuses says how many answers had each status: "200:812,429:5012".
func (r loadRun) statuses() string {
	codes := slices.Sorted(maps.Keys(r.byStatus))
	parts := make([]string, 0, len(codes))
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d:%d", c, len(r.byStatus[c])))
	}
	return strings.Join(parts, ",")
}

// run sends requests from c workers until d has passed. Only loopback targets are meant: the
// REST server of a local `make run`.
func run(c int, d time.Duration, mk request) loadRun {
	transport := &http.Transport{MaxIdleConns: c, MaxIdleConnsPerHost: c, IdleConnTimeout: time.Minute}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	defer transport.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()

	var errs atomic.Int64
	var mu sync.Mutex
	out := loadRun{byStatus: map[int][]time.Duration{}}
	var wg sync.WaitGroup
	began := time.Now()
	for range c {
		wg.Go(func() {
			mine := map[int][]time.Duration{}
			for ctx.Err() == nil {
				req, err := mk()
				check(err)
				start := time.Now()
				resp, err := client.Do(req.WithContext(ctx))
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				mine[resp.StatusCode] = append(mine[resp.StatusCode], time.Since(start))
			}
			mu.Lock()
			for s, l := range mine {
				out.byStatus[s] = append(out.byStatus[s], l...)
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	out.elapsed = time.Since(began)
	out.errors = errs.Load()
	for _, l := range out.byStatus {
		slices.Sort(l)
	}
	return out
}

// load sends requests from c workers until d has passed, prints requests/s and latency
// percentiles, and returns the requests/s answered with wantStatus.
func load(name string, c int, d time.Duration, wantStatus int, mk request) float64 {
	return measured(name, c, d, wantStatus, mk).rate(wantStatus)
}

// measured is load's run, printed the same way, for callers that want its latencies.
func measured(name string, c int, d time.Duration, wantStatus int, mk request) loadRun {
	r := run(c, d, mk)
	all := r.latencies(0)
	failed := int64(r.count(0)-r.count(wantStatus)) + r.errors
	fmt.Printf("%s concurrency=%d requests=%d failed=%d rate=%.0f/s ok=%.0f/s p50=%s p99=%s\n", name, c, len(all),
		failed, r.rate(0), r.rate(wantStatus), pctMicro(all, 50), pctMicro(all, 99))
	return r
}

// alternate runs a and b in turns, rounds times each for d/rounds, so that a load that shifts
// during the run (other programs on the machine) weighs on both alike, and returns the mean
// rates of answers wantStatus.
func alternate(c int, d time.Duration, rounds, wantStatus int, nameA string, a request,
	nameB string, b request) (rateA, rateB float64) {
	for range rounds {
		rateA += load(nameA, c, d/time.Duration(rounds), wantStatus, a) / float64(rounds)
		rateB += load(nameB, c, d/time.Duration(rounds), wantStatus, b) / float64(rounds)
	}
	return rateA, rateB
}

func pctMicro(sorted []time.Duration, p int) string {
	if len(sorted) == 0 {
		return "-"
	}
	return quantile(sorted, p).Round(10 * time.Microsecond).String()
}

func jsonPost(url string, body []byte, header http.Header) request {
	return func() (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header = header.Clone()
		req.Header.Set("Content-Type", "application/json")
		return req, nil
	}
}

func get(url string, header http.Header) request {
	return func() (*http.Request, error) {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		req.Header = header.Clone()
		return req, nil
	}
}
