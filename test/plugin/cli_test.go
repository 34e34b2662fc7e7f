package plugin

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/tessera-dev/tessera/internal/testenv"
)

var _ = Describe("kubectl tessera as a command", func() {
	It("takes the kubeconfig's current context without --context, as kubectl does", func() {
		r := pluginIn("", "tree")
		Expect(r.code).To(Equal(1))
		Expect(r.out).To(BeEmpty())
		Expect(r.err).To(MatchRegexp(`^error: [^\n]*127\.0\.0\.1:1[^\n]*\n$`))
	})

	It("answers usage mistakes with one line and exit 1", func() {
		Expect(fail("lock")).To(Equal("accepts 1 arg(s), received 0"))
		Expect(fail("frobnicate")).To(Equal(`unknown command "frobnicate" for "kubectl tessera"`))
		Expect(fail("tree", "--frobnicate")).To(Equal("unknown flag: --frobnicate"))
	})

	It("prints help on stdout", func() {
		out := succeed("--help")
		for _, want := range []string{"kubectl tessera [command]", "tree", "lock", "unlock", "token", "describe",
			"--kubeconfig", "--context", "--namespace"} {
			Expect(out).To(ContainSubstring(want))
		}
	})

	// Installability: the binary, copied onto PATH, is found by kubectl's plugin discovery.
	It("runs as `kubectl tessera` once kubectl-tessera is on PATH", func() {
		dir := GinkgoT().TempDir()
		build := exec.Command("go", "build", "-o", filepath.Join(dir, "kubectl-tessera"), "./cmd/kubectl-tessera")
		build.Dir = testenv.RepoRoot()
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := build.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))

		run := func(args ...string) (string, string, error) {
			cmd := exec.Command(filepath.Join(assets, "kubectl"), args...)
			path := strings.Join([]string{dir, assets, os.Getenv("PATH")}, string(os.PathListSeparator))
			cmd.Env = append(os.Environ(), "PATH="+path)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			return stdout.String(), stderr.String(), err
		}
		list, _, err := run("plugin", "list", "--name-only")
		Expect(err).NotTo(HaveOccurred())
		Expect(strings.Fields(list)).To(ContainElement("kubectl-tessera"))

		stdout, stderr, err := run("tessera", "--kubeconfig", kubeconfig, "--context", liveContext, "tree", "acme")
		Expect(err).NotTo(HaveOccurred(), stderr)
		Expect(stdout).To(Equal(succeed("tree", "acme")))

		stdout, stderr, err = run("tessera", "--kubeconfig", kubeconfig, "--context", liveContext, "tree", "nope")
		var exit *exec.ExitError
		Expect(err).To(BeAssignableToTypeOf(exit))
		Expect(err.(*exec.ExitError).ExitCode()).To(Equal(1))
		Expect(stdout).To(BeEmpty())
		Expect(stderr).To(Equal("error: group \"nope\" not found\n"))
	})
})
