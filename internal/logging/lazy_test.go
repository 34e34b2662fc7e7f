package logging

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
)

// countingSink counts base's WithValues calls: the work Lazy defers.
type countingSink struct {
	logr.LogSink
	withValues *int
}

func (c countingSink) WithValues(kv ...any) logr.LogSink {
	*c.withValues++
	return countingSink{LogSink: c.LogSink.WithValues(kv...), withValues: c.withValues}
}

func (c countingSink) WithName(name string) logr.LogSink {
	return countingSink{LogSink: c.LogSink.WithName(name), withValues: c.withValues}
}

func (c countingSink) WithCallDepth(depth int) logr.LogSink {
	return countingSink{LogSink: c.LogSink.(logr.CallDepthLogSink).WithCallDepth(depth), withValues: c.withValues}
}

func TestLazyWritesWhatTheLoggerWouldAndDefersWithValues(t *testing.T) {
	var lines []string
	base := funcr.New(func(prefix, args string) { lines = append(lines, prefix+" "+args) }, funcr.Options{LogCaller: funcr.All})
	calls := 0
	l := Lazy(base.WithSink(countingSink{LogSink: base.GetSink(), withValues: &calls})) // WithSink: no second Init

	reconcile := l.WithName("token").WithValues("controller", "token").WithValues("name", "t-1")
	other := reconcile.WithValues("reconcileID", "a")
	_ = reconcile.WithValues("reconcileID", "b") // a sibling must not overwrite other's values
	if calls != 0 {
		t.Fatalf("base.WithValues ran %d times before any line was written", calls)
	}

	other.Info("reconciled", "took", 3)
	other.Error(errors.New("boom"), "failed")
	if calls != 1 {
		t.Fatalf("base.WithValues ran %d times for two lines of one logger, want 1", calls)
	}
	if len(lines) != 2 {
		t.Fatalf("lines: %q", lines)
	}
	for _, want := range []string{`token`, `"controller"="token"`, `"name"="t-1"`, `"reconcileID"="a"`, `"took"=3`, `"file"="lazy_test.go"`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("line %q lacks %s", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], `"error"="boom"`) || strings.Contains(lines[1], `"reconcileID"="b"`) {
		t.Errorf("error line %q", lines[1])
	}
	if l.V(1).Enabled() {
		t.Error("V(1) is enabled on a base at verbosity 0")
	}
}

func TestLazyWritesAChainOfStepsAsTheLoggerWould(t *testing.T) {
	var eager, lazy []string
	sinkTo := func(lines *[]string) logr.Logger {
		return funcr.New(func(prefix, args string) { *lines = append(*lines, prefix+" "+args) }, funcr.Options{})
	}
	kv := []any{"namespace", "ns-1"}
	steps := func(l logr.Logger) logr.Logger {
		return l.WithValues("controller", "token").WithName("token").WithValues(kv...).WithName("step").WithValues("reconcileID", "r")
	}
	e, l := steps(sinkTo(&eager)), steps(Lazy(sinkTo(&lazy)))
	kv[1] = "changed" // a caller reusing its slice changes no logger made before
	e.Info("reconciled", "took", 3)
	l.Info("reconciled", "took", 3)
	if len(lazy) != 1 || lazy[0] != eager[0] {
		t.Fatalf("lazy wrote %q, the logger itself %q", lazy, eager)
	}
}
