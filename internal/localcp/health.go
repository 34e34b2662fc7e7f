package localcp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// waitReady polls check until it succeeds, the child dies (the error then carries its log
// tail), or timeout/ctx ends.
func waitReady(ctx context.Context, c *child, timeout time.Duration, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		if c.exited() {
			return c.exitError()
		}
		attempt, cancelAttempt := context.WithTimeout(ctx, 2*time.Second)
		last = check(attempt)
		cancelAttempt()
		if last == nil {
			return nil
		}
		select {
		case <-c.done:
			return c.exitError()
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("%s not ready after %s (last check: %v); last lines of %s:\n%s",
					c.name, timeout, last, c.logPath, tail(c.logPath, c.logFrom, 20))
			}
			return fmt.Errorf("waiting for %s: %w", c.name, ctx.Err())
		case <-tick.C:
		}
	}
}

// httpCheck GETs url and wants 200; ok, if set, must also accept the body.
func httpCheck(client *http.Client, url string, ok func(body string) bool) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		body := string(b)
		if resp.StatusCode != http.StatusOK || (ok != nil && !ok(body)) {
			return fmt.Errorf("%s: %s: %s", url, resp.Status, failingChecks(body))
		}
		return nil
	}
}

// failingChecks keeps the "[-]" lines of a verbose /readyz answer, which name what is still
// missing; other bodies are returned trimmed.
func failingChecks(body string) string {
	var bad []string
	for l := range strings.SplitSeq(body, "\n") {
		if strings.HasPrefix(l, "[-]") {
			bad = append(bad, l)
		}
	}
	if len(bad) > 0 {
		return strings.Join(bad, "; ")
	}
	return strings.TrimSpace(body)
}

// adminHTTPClient talks to the apiserver as the admin, verifying it against our CA: /readyz is
// not necessarily open to anonymous users, and this also proves the client cert works.
func adminHTTPClient(a adminCredentials) (*http.Client, error) {
	pair, err := tls.X509KeyPair(a.cert, a.key)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(a.ca) {
		return nil, errors.New("no CA certificate in pki/ca.crt")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}}
	return &http.Client{Transport: tr}, nil
}
