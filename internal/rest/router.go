package rest

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/go-logr/logr"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
)

// Router puts the one http.ServeMux behind the APIs' dialects: each path prefix has an error
// writer, and the mux's own plain-text 404 and 405 answers, and panics, are answered in the
// envelope of the API the path belongs to. The mux keeps its routes; Router only asks it, with
// ServeMux.Handler, whether a pattern matched.
type Router struct {
	mux      *http.ServeMux
	fallback ErrorWriter
	// dialects, longest prefix first.
	dialects []dialect
}

type dialect struct {
	prefix string
	write  ErrorWriter
}

// NewRouter routes through mux; paths no dialect claims answer through fallback.
func NewRouter(mux *http.ServeMux, fallback ErrorWriter) *Router {
	return &Router{mux: mux, fallback: fallback}
}

// Dialect makes write the error writer of every path that starts with one of prefixes ("/1/",
// "/version"); the longest matching prefix wins.
func (rt *Router) Dialect(write ErrorWriter, prefixes ...string) {
	for _, p := range prefixes {
		rt.dialects = append(rt.dialects, dialect{prefix: p, write: write})
	}
	slices.SortStableFunc(rt.dialects, func(a, b dialect) int { return len(b.prefix) - len(a.prefix) })
}

// WriterFor returns the error writer of path.
func (rt *Router) WriterFor(path string) ErrorWriter {
	for _, d := range rt.dialects {
		if strings.HasPrefix(path, d.prefix) {
			return d.write
		}
	}
	return rt.fallback
}

// probeMethods are the methods Allow may list: those the APIs register.
var probeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// ServeHTTP serves r through the mux, answering what the mux would answer in plain text — no
// route, or a route for other methods — and panics in the path's dialect.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tw := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer rt.recoverPanic(tw, r)
	if _, pattern := rt.mux.Handler(r); pattern == "" {
		rt.unrouted(tw, r)
		return
	}
	rt.mux.ServeHTTP(tw, r)
}

// unrouted answers a request no pattern matches: 405 with Allow when the path has routes for
// other methods, 404 otherwise.
func (rt *Router) unrouted(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range probeMethods {
		if m == r.Method {
			continue
		}
		probe := r.WithContext(r.Context())
		probe.Method = m
		if _, pattern := rt.mux.Handler(probe); pattern != "" {
			allow = append(allow, m)
		}
	}
	slices.Sort(allow) // as net/http lists them
	if len(allow) == 0 {
		rt.WriterFor(r.URL.Path)(w, r, &Problem{Kind: KindNotFound, Message: "no such endpoint: " + r.URL.Path})
		return
	}
	rt.WriterFor(r.URL.Path)(w, r, &Problem{Kind: KindMethodNotAllowed, Allow: allow,
		Message: fmt.Sprintf("method %s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", "))})
}

// recoverPanic answers a handler's panic with a 500 in the path's dialect, unless the handler
// had begun its answer, and logs it with the request id and the stack. http.ErrAbortHandler
// goes on up, as net/http expects.
func (rt *Router) recoverPanic(w *statusRecorder, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	err := fmt.Errorf("panic: %v", v)
	logFor(r).Error(err, "handler panicked", append(requestFields(r), "stack", string(debug.Stack()))...)
	if w.wrote {
		return
	}
	rt.WriterFor(r.URL.Path)(w, r, &Problem{Kind: KindInternal, Message: InternalMessage, Err: err, logged: true})
}

// logFor is the logger for r's problems: the request context's, or controller-runtime's.
func logFor(r *http.Request) logr.Logger {
	return logf.FromContext(r.Context()).WithName("rest")
}

// requestFields identify r in a log line.
func requestFields(r *http.Request) []any {
	return []any{"requestID", RequestID(r.Context()), "method", r.Method, "path", r.URL.Path}
}
