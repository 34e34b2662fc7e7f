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

// lazySink is base with kv still to be added. It is never changed once made, except for the
// memo of the resolved sink, so loggers derived from it may be used concurrently.
type lazySink struct {
	base logr.LogSink
	kv   []any

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
	// Clipped, so that two loggers derived from s never share an array.
	return &lazySink{base: s.base, kv: append(slices.Clip(s.kv), kv...)}
}

func (s *lazySink) WithName(name string) logr.LogSink {
	return &lazySink{base: s.base.WithName(name), kv: s.kv}
}

func (s *lazySink) WithCallDepth(depth int) logr.LogSink {
	base := s.base
	if cd, ok := base.(logr.CallDepthLogSink); ok {
		base = cd.WithCallDepth(depth)
	}
	return &lazySink{base: base, kv: s.kv}
}

// sink is base with the deferred values, made once, when the first line is written.
func (s *lazySink) sink() logr.LogSink {
	s.once.Do(func() {
		s.resolved = s.base
		if len(s.kv) > 0 {
			s.resolved = s.base.WithValues(s.kv...)
		}
	})
	return s.resolved
}
