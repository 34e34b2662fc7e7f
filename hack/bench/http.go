package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// request builds one HTTP request of a load run.
type request func() (*http.Request, error)

// load sends requests from c workers until d has passed, prints requests/s and latency
// percentiles, and returns the requests/s answered with wantStatus. Only loopback targets are
// meant: the REST server of a local `make run`.
func load(name string, c int, d time.Duration, wantStatus int, mk request) float64 {
	transport := &http.Transport{MaxIdleConns: c, MaxIdleConnsPerHost: c, IdleConnTimeout: time.Minute}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()

	var failed atomic.Int64
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	began := time.Now()
	for range c {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil {
				req, err := mk()
				check(err)
				start := time.Now()
				resp, err := client.Do(req.WithContext(ctx))
				if err != nil {
					if ctx.Err() == nil {
						failed.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				mine = append(mine, time.Since(start))
				if resp.StatusCode != wantStatus {
					failed.Add(1)
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	slices.Sort(all)
	ok := float64(len(all)-int(failed.Load())) / elapsed.Seconds()
	fmt.Printf("%s concurrency=%d requests=%d failed=%d rate=%.0f/s ok=%.0f/s p50=%s p99=%s\n", name, c, len(all),
		failed.Load(), float64(len(all))/elapsed.Seconds(), ok, pctMicro(all, 50), pctMicro(all, 99))
	return ok
}

func pctMicro(sorted []time.Duration, p int) string {
	if len(sorted) == 0 {
		return "-"
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)].Round(10 * time.Microsecond).String()
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
