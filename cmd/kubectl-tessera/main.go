// Command kubectl-tessera is Tessera's kubectl plugin: copied onto PATH, it runs as
// `kubectl tessera` (tree, lock, unlock, token get, token rotate-keys, describe).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/tessera-dev/tessera/internal/kubectlplugin"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	code := kubectlplugin.Run(ctx, os.Args[1:], streams)
	stop()
	os.Exit(code)
}
