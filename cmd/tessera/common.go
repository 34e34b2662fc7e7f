package main

import (
	"cmp"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/tessera-dev/tessera/internal/keys"
	"github.com/tessera-dev/tessera/internal/logging"
	"github.com/tessera-dev/tessera/internal/operator"
	"github.com/tessera-dev/tessera/internal/version"
)

// DefaultRESTAddr is where the REST server listens unless TESSERA_REST_ADDR or --rest-addr says
// otherwise.
const DefaultRESTAddr = "127.0.0.1:5170"

func defaultRESTAddr() string { return cmp.Or(os.Getenv("TESSERA_REST_ADDR"), DefaultRESTAddr) }

// setupLogging binds zap's flags to fs; call the returned function after fs.Parse.
func setupLogging(fs *flag.FlagSet, development bool) func() {
	// Development mode means readable console logs, but at info level: the REST access log is
	// debug (V(1)) and costs throughput; --zap-log-level=debug turns it on.
	opts := zap.Options{Development: development, Level: zapcore.InfoLevel}
	opts.BindFlags(fs)
	return func() { ctrl.SetLogger(logging.Lazy(zap.New(zap.UseFlagOptions(&opts)))) }
}

// signingFlags binds the token-signing options shared by both modes.
func signingFlags(fs *flag.FlagSet, o *operator.Options) {
	fs.StringVar(&o.Issuer, "issuer", "", "iss of the JWTs Tessera signs (default: the REST server's URL)")
	fs.Func("signing-algorithm", "algorithm of new signing keys: ES256 (default), EdDSA or HS256", func(s string) error {
		alg, err := keys.ParseAlgorithm(s)
		o.SigningAlgorithm = alg
		return err
	})
	fs.DurationVar(&o.KeyRotationPeriod, "key-rotation-period", 30*24*time.Hour,
		"how long a signing key stays active; 0 never rotates on schedule")
}

// proxyFlags binds --trusted-proxies, whose default is TESSERA_TRUSTED_PROXIES.
func proxyFlags(fs *flag.FlagSet, o *operator.Options) error {
	fs.Func("trusted-proxies", "comma-separated addresses or CIDR blocks of the reverse proxies in front of the "+
		"REST server whose X-Forwarded-For and X-Forwarded-Proto are believed (env TESSERA_TRUSTED_PROXIES); "+
		"default none", func(s string) error {
		ps, err := parseProxies(s)
		o.TrustedProxies = ps
		return err
	})
	if env := os.Getenv("TESSERA_TRUSTED_PROXIES"); env != "" {
		if err := fs.Set("trusted-proxies", env); err != nil {
			return fmt.Errorf("TESSERA_TRUSTED_PROXIES: %w", err)
		}
	}
	return nil
}

// parseProxies reads a comma-separated list of addresses and CIDR blocks.
func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR block", item)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// defaultIssuer is the REST server's URL as clients reach it.
func defaultIssuer(restAddr string) string {
	host, port, err := net.SplitHostPort(restAddr)
	if err != nil {
		return "http://" + restAddr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func printVersion() {
	fmt.Printf("tessera %s (%s)\n", version.Version, version.Commit())
}
