// Package testenv finds the control-plane binaries that tests run against and starts them. Tests
// never download anything: `make control-plane` builds the binaries into bin/ first.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// AssetsDir returns the directory holding etcd, kube-apiserver, kube-controller-manager and
// kubectl: $TESSERA_ASSETS, or bin/ at the repository root. It fails when a binary is missing, naming the command that
// builds it.
func AssetsDir() (string, error) {
	dir := os.Getenv("TESSERA_ASSETS")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "bin")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for _, bin := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kubectl"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			return "", fmt.Errorf("control-plane binary %s is missing from %s: run `make control-plane` (or `make test`, which does it)", bin, dir)
		}
	}
	return dir, nil
}

// RepoRoot is the repository's top directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
