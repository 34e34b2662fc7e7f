package testenv

import (
	"context"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// APIServer starts etcd and kube-apiserver with Tessera's CRDs (envtest), stopped when tb ends.
// It returns a context cancelled then, the server's config, a scheme of client-go's and
// Tessera's types, and a client that reads and writes the API server itself.
func APIServer(tb testing.TB) (context.Context, *rest.Config, *runtime.Scheme, client.Client) {
	tb.Helper()
	assets, err := AssetsDir()
	if err != nil {
		tb.Fatal(err)
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets,
		CRDDirectoryPaths: []string{filepath.Join(RepoRoot(), "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = env.Stop() })
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, tenancyv1alpha1.AddToScheme} {
		if err := add(scheme); err != nil {
			tb.Fatal(err)
		}
	}
	direct, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		tb.Fatal(err)
	}
	return ctx, cfg, scheme, direct
}
