// Package logging holds what Tessera adds to controller-runtime's logger.
package logging

import (
	"slices"
	"sync"

	"github.com/go-logr/logr"
)

// Lazy returns l with WithValues deferred until a line is written. controller-runtime gives
// every reconcile a logger of its own (controller, object, reconcileID: three WithValues), and
// zap encodes each WithValues at once into a fresh 1 KiB buffer. A start with 100,000 Accounts
// and Tokens reconciles each once and writes almost no lines, so those buffers were about 48 MB
// of the start wave's live heap; deferred, a logger that writes nothing costs a slice.
func Lazy(l logr.Logger) logr.Logger {
	sink := l.GetSink()
	if sink == nil {
		return l
	}
	// The lazy sink's own Info and Error are one more frame between the caller and the sink.
	if cd, ok := sink.(logr.CallDepthLogSink); ok {
		sink = cd.WithCallDepth(1)
	}
	return logr.New(&lazySink{base: sink})
}

// lazySink is base with the values of a chain of WithValues still to be added: its own kv
// after its parent's, and so on up to the root. Each WithValues adds a node holding only its own
// values, where one slice of them all would copy the earlier ones at every step (a reconcile's
// logger takes four). A node is never changed once made, except for the memo of its resolved
// sink, so loggers derived from it may be used concurrently.
type lazySink struct {
	// base is the sink the values go to, with every name and call depth already applied.
	base   logr.LogSink
	parent *lazySink
	kv     []any

	once     sync.Once
	resolved logr.LogSink
}

var (
	_ logr.LogSink          = (*lazySink)(nil)
	_ logr.CallDepthLogSink = (*lazySink)(nil)
)

// Init does nothing: base was initialized by its own logger, and calling it again would change
// that logger's call depth in place (zapr and funcr keep it in the sink).
func (s *lazySink) Init(logr.RuntimeInfo) {}

func (s *lazySink) Enabled(level int) bool { return s.base.Enabled(level) }

func (s *lazySink) Info(level int, msg string, kv ...any) { s.sink().Info(level, msg, kv...) }

func (s *lazySink) Error(err error, msg string, kv ...any) { s.sink().Error(err, msg, kv...) }

func (s *lazySink) WithValues(kv ...any) logr.LogSink {
	// A copy: the caller may reuse its slice, and zap, which encodes at once, would not see that.
	return &lazySink{base: s.base, parent: s, kv: slices.Clone(kv)}
}

func (s *lazySink) WithName(name string) logr.LogSink {
	return &lazySink{base: s.base.WithName(name), parent: s.parent, kv: s.kv}
}

func (s *lazySink) WithCallDepth(depth int) logr.LogSink {
	base := s.base
	if cd, ok := base.(logr.CallDepthLogSink); ok {
		base = cd.WithCallDepth(depth)
	}
	return &lazySink{base: base, parent: s.parent, kv: s.kv}
}

// sink is base with the deferred values of the whole chain, in the order they were added,
// made once, when the first line is written.
func (s *lazySink) sink() logr.LogSink {
	s.once.Do(func() {
		n := 0
		for p := s; p != nil; p = p.parent {
			n += len(p.kv)
		}
		s.resolved = s.base
		if n == 0 {
			return
		}
		all := make([]any, n)
		for p := s; p != nil; p = p.parent {
			n -= len(p.kv)
			copy(all[n:], p.kv)
		}
		s.resolved = s.base.WithValues(all...)
	})
	return s.resolved
}
