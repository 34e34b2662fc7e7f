// Package testenv finds the control-plane binaries that tests run against and starts them. Tests
// never download anything: `make control-plane` builds the binaries into bin/ first.
package testenv

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
)

// AssetsDir returns the directory holding etcd, kube-apiserver and kubectl: $TESSERA_ASSETS, or
// bin/ at the repository root. It fails when a binary is missing, naming the command that
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
	for _, bin := range []string{"etcd", "kube-apiserver", "kubectl"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			return "", fmt.Errorf("control-plane binary %s is missing from %s: run `make control-plane` (or `make test`, which does it)", bin, dir)
		}
	}
	return dir, nil
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// RepoRoot is the repository's top directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
