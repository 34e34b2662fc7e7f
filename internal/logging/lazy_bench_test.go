package logging

import (
	"io"
	"testing"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

var kept logr.LogSink

// BenchmarkReconcileLogger builds what controller-runtime gives every reconcile (a logger with
// the object and a reconcileID on the controller's) and writes no line, as nearly every
// reconcile does: zap's own against Lazy over it, in one run. Compare B/op.
func BenchmarkReconcileLogger(b *testing.B) {
	base := zap.New(zap.WriteTo(io.Discard))
	for _, bc := range []struct {
		name string
		log  logr.Logger
	}{{"zap", base}, {"lazy", Lazy(base)}} {
		b.Run(bc.name, func(b *testing.B) {
			ctrl := bc.log.WithValues("controller", "token", "controllerGroup", "tenancy.tessera.dev", "controllerKind", "Token")
			b.ReportAllocs()
			for b.Loop() {
				l := ctrl.WithValues("Token", "tessera-bench/p-1").WithValues("namespace", "tessera-bench", "name", "p-1")
				l = l.WithValues("reconcileID", "5f1d3c1e-2b0a-4c39-9a43-2f1c55c1d0aa")
				kept = l.GetSink()
			}
		})
	}
}
