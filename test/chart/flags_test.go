package chart

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestArgsAreManagerFlags runs the tessera binary with the args each render gives the manager,
// and -h last: Go's flag package stops at the first flag it does not know or a value it refuses,
// so only args that are all real flags with valid values reach -h.
func TestArgsAreManagerFlags(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "tessera")
	mustRun(t, "go", "build", "-o", bin, "./cmd/tessera")
	for name, extra := range map[string][]string{"defaults": nil, "all-on": {"-f", allOn}} {
		t.Run(name, func(t *testing.T) {
			d := get(t, byKey(t, objects(t, render(t, extra...))), "Deployment", "tessera-controller-manager")
			a := args(container(t, d))
			out, _ := exec.Command(bin, append(a, "-h")...).CombinedOutput()
			if !strings.Contains(string(out), "help requested") {
				t.Errorf("the manager refuses the chart's args %q:\n%s", a, out)
			}
		})
	}
}
