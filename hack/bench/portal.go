package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// portalTree is what portalBench builds through /api/1/: one partner group under the root,
// its companies, and the company holding the crowd of service users.
type portalTree struct {
	partner   int64
	companies []int64
	crowded   int64
}

// portalBench builds a partner (kind 30) with companies companies and users service users
// (crowd of them in the first company, the rest spread over the others) through the portal
// API as the bootstrap admin, workers requests at a time, then measures the listing routes and
// POST /login at concurrency c for d each. The prefix of every name is unique to the run, so
// that the search reads a run's groups and users only.
func portalBench(url string, companies, users, crowd, workers, c int, d time.Duration, reuse string) {
	h := adminHeader()
	api := strings.TrimRight(url, "/") + "/api/1"
	var t portalTree
	var run string
	if reuse != "" {
		// An earlier run's tree: "partner,company,prefix", as its output gave them.
		f := strings.Split(reuse, ",")
		if len(f) != 3 {
			check(fmt.Errorf("-reuse wants partner,company,prefix, not %q", reuse))
		}
		var err error
		t.partner, err = strconv.ParseInt(f[0], 10, 64)
		check(err)
		t.crowded, err = strconv.ParseInt(f[1], 10, 64)
		check(err)
		run = f[2]
	} else {
		run = "pb" + strconv.FormatInt(time.Now().Unix(), 36)
		began := time.Now()
		t = buildPortalTree(api, h, run, companies, users, crowd, workers)
		fmt.Printf("built partner %d, %d companies, %d service users (%d in company %d) in %s; load average %s\n"+
			"(measure it again: -reuse %d,%d,%s)\n", t.partner, len(t.companies), users, min(crowd, users), t.crowded,
			time.Since(began).Round(time.Millisecond), loadavg(), t.partner, t.crowded, run)
	}
	size := fmt.Sprintf("portal: %d companies, %d service users (%d in one)", companies, users, min(crowd, users))
	goal := func(p99 time.Duration) string { return "p99 < 50 ms: " + verdict(p99 < 50*time.Millisecond) }
	for _, q := range []struct{ name, url string }{
		{"GET /groups/{partner}/children", fmt.Sprintf("%s/groups/%d/children", api, t.partner)},
		{"GET /groups/{company}/users", fmt.Sprintf("%s/groups/%d/users", api, t.crowded)},
		{"GET /groups?prefix=", fmt.Sprintf("%s/groups?prefix=%s", api, run)},
	} {
		r := measured(q.name, c, d, http.StatusOK, get(q.url, h))
		all := r.latencies(0)
		row(size, fmt.Sprintf("%s at concurrency %d: p50 / p99", q.name, c),
			fmt.Sprintf("%s / %s (%.0f/s, load %s)", pctMicro(all, 50), pctMicro(all, 99), r.rate(http.StatusOK), loadavg()),
			goal(quantile(all, 99)))
	}
	// The admin signs in by password: argon2id per request, so the excess answers 429; load
	// prints the admitted (200) rate as ok=, and the percentiles of all answers, so the
	// admitted ones are measured apart below.
	body, _ := json.Marshal(struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}{os.Getenv("TESSERA_ADMIN_LOGIN"), os.Getenv("TESSERA_ADMIN_PASSWORD")})
	load("POST /login (all answers)", c, d, http.StatusOK, jsonPost(api+"/login", body, http.Header{}))
	fmt.Println("load average", loadavg())
	loginAdmitted(api+"/login", body, c, d)
	fmt.Println("load average", loadavg())
}

// buildPortalTree creates the partner, then the companies, then the users, workers at a time.
func buildPortalTree(api string, h http.Header, run string, companies, users, crowd, workers int) portalTree {
	var t portalTree
	t.partner = createdID(api+"/groups/1/children", h, map[string]any{"name": run + "-partner", "kind": 30})
	t.companies = make([]int64, companies)
	parallel(companies, workers, func(i int) {
		t.companies[i] = createdID(fmt.Sprintf("%s/groups/%d/children", api, t.partner), h,
			map[string]any{"name": fmt.Sprintf("%s-company-%d", run, i), "kind": 40})
	})
	t.crowded = t.companies[0]
	parallel(users, workers, func(i int) {
		company := t.crowded
		if i >= crowd && companies > 1 {
			company = t.companies[1+(i-crowd)%(companies-1)]
		}
		createdID(fmt.Sprintf("%s/groups/%d/users", api, company), h,
			struct {
				Login string `json:"login"`
			}{fmt.Sprintf("%s-user-%d@bench.example", run, i)})
	})
	return t
}

// createdID POSTs body and returns the id of the 201's answer, exiting on any other answer.
func createdID(url string, h http.Header, body any) int64 {
	b, _ := json.Marshal(body)
	for attempt := 0; ; attempt++ {
		req, err := jsonPost(url, b, h)()
		check(err)
		resp, err := http.DefaultClient.Do(req)
		check(err)
		out, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		// The tree of a just-created parent may lag a moment behind (the API says retry), and
		// its namespace lag longer on a loaded machine (404 "the object does not exist"), and
		// the admin's Basic sign-in may meet the hashing limit (429) when its remembered
		// password has been forgotten.
		if (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusTooManyRequests) && attempt < 300 {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if resp.StatusCode != http.StatusCreated {
			check(fmt.Errorf("POST %s: %s %s", url, resp.Status, bytes.TrimSpace(out)))
		}
		var created struct {
			ID int64 `json:"id"`
		}
		check(json.Unmarshal(out, &created))
		return created.ID
	}
}

// parallel runs f(0..n-1), workers at a time, printing progress every tenth.
func parallel(n, workers int, f func(int)) {
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
				if d := done.Add(1); n >= 10 && d%int64(n/10) == 0 {
					fmt.Fprintf(os.Stderr, "  %d/%d\n", d, n)
				}
			}
		})
	}
	wg.Wait()
}

// loginAdmitted runs POST /login like load, but keeps the latencies of the 200s apart from
// the 429s of the hashing limit: the admitted rate and its percentiles, and the refused count.
func loginAdmitted(url string, body []byte, c int, d time.Duration) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c}, Timeout: 30 * time.Second}
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	var admitted []time.Duration
	statuses := map[int]int{}
	var wg sync.WaitGroup
	began := time.Now()
	for range c {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				req, err := jsonPost(url, body, http.Header{})()
				check(err)
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				took := time.Since(start)
				mu.Lock()
				statuses[resp.StatusCode]++
				if resp.StatusCode == http.StatusOK {
					admitted = append(admitted, took)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	slices.Sort(admitted)
	fmt.Printf("POST /login admitted concurrency=%d statuses=%v admitted=%.1f/s p50=%s p99=%s\n", c, statuses,
		float64(len(admitted))/elapsed.Seconds(), pctMicro(admitted, 50), pctMicro(admitted, 99))
}
