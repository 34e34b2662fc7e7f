package rest

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tessera-dev/tessera/internal/metrics"
	"github.com/tessera-dev/tessera/internal/verify"
)

// Metrics counts and times requests per route, as Luna's /metrics shows them:
// request_count_total{path="GET:/healthcheck",status_code="200"}.
type Metrics struct {
	registry *prometheus.Registry
	count    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// labelPath is the metrics' label for the route a request took ("METHOD:/pattern").
const labelPath = "path"

// NewMetrics returns an empty set of REST metrics on a registry of its own.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		count: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "request_count_total", Help: "Counter of requests",
		}, []string{labelPath, "status_code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "request_duration_seconds", Help: "Request latency in seconds",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{labelPath}),
	}
	m.registry.MustRegister(m.count, m.duration)
	return m
}

// Handler serves the metrics in the Prometheus text format: the request metrics, and everything
// on controller-runtime's registry (Tessera's own tessera_* metrics, reconcile errors, work
// queues), which the manager's metrics endpoint serves too. In local mode this is the only
// metrics endpoint; in a cluster, scrape one of the two for the shared part, not both.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(prometheus.Gatherers{m.registry, metrics.Registry}, promhttp.HandlerOpts{})
}

// countSignIn records a password check: the API from the path, HTTP Basic or a sign-in
// endpoint, and the result.
func countSignIn(r *http.Request, login string, err error) {
	flow := metrics.FlowSignIn
	if l, _, ok := r.BasicAuth(); ok && l == login {
		flow = metrics.FlowBasicAuth
	}
	metrics.SignIns.WithLabelValues(apiOf(r.URL.Path), flow, signInResult(err)).Inc()
}

// apiOf names the documented API a path belongs to, by its prefix.
func apiOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/1/"):
		return metrics.APILuna
	case strings.HasPrefix(path, "/v1/"):
		return metrics.APIOte
	case strings.HasPrefix(path, "/api/1/"):
		return metrics.APIPortal
	case strings.HasPrefix(path, "/api/v"):
		return metrics.APIIdentity
	}
	return metrics.APIOther
}

func signInResult(err error) string {
	var throttled *ThrottledError
	switch {
	case err == nil:
		return metrics.ResultSuccess
	case errors.As(err, &throttled):
		return metrics.ResultThrottled
	case errors.Is(err, verify.ErrWrongPassword):
		return metrics.ResultWrongCredentials
	case errors.Is(err, verify.ErrLocked):
		return metrics.ResultLocked
	case errors.Is(err, verify.ErrDisabled):
		return metrics.ResultDisabled
	case errors.Is(err, verify.ErrNotApproved):
		return metrics.ResultNotApproved
	}
	return metrics.ResultError
}

// Instrument wraps the router (the ServeMux, or the Router that passes the same request on to
// it), since it reads the route pattern the mux records on the request. Unrouted requests count under one label, so that
// scanners cannot blow up the label set. Each request is also logged with its request id.
func (m *Metrics) Instrument(mux http.Handler, log logr.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r)
		elapsed := time.Since(start)
		path := r.Method + ":<unrouted>"
		if r.Pattern != "" {
			// "GET /1/accounts/{account_id}" → "GET:/1/accounts/{account_id}"
			method, route, found := strings.Cut(r.Pattern, " ")
			if !found {
				method, route = r.Method, r.Pattern
			}
			path = method + ":" + route
		}
		m.count.WithLabelValues(path, strconv.Itoa(rec.status)).Inc()
		m.duration.WithLabelValues(path).Observe(elapsed.Seconds())
		log.V(1).Info("request", append(requestFields(r), "status", rec.status, "duration", elapsed.String())...)
	})
}

// statusRecorder remembers the status code written (for the metrics) and whether the answer has
// begun (for the router, which may still answer a panic only before that).
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status, s.wrote = code, true
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
