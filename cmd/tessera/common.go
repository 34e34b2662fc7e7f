package main

import (
	"cmp"
	"flag"
	"fmt"
	"os"

	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/tessera-dev/tessera/internal/version"
)

// DefaultRESTAddr is where the REST server listens unless TESSERA_REST_ADDR or --rest-addr says
// otherwise.
const DefaultRESTAddr = "127.0.0.1:5170"

func defaultRESTAddr() string { return cmp.Or(os.Getenv("TESSERA_REST_ADDR"), DefaultRESTAddr) }

// setupLogging binds zap's flags to fs; call the returned function after fs.Parse.
func setupLogging(fs *flag.FlagSet, development bool) func() {
	opts := zap.Options{Development: development}
	opts.BindFlags(fs)
	return func() { ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts))) }
}

func printVersion() {
	fmt.Printf("tessera %s (%s)\n", version.Version, version.Commit())
}
