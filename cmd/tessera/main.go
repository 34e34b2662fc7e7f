// Command tessera is the Tessera operator: controllers, admission webhooks and the REST APIs in
// one binary. `tessera` runs it in a cluster; `tessera local` runs it on an embedded control
// plane kept under .tessera/.
package main

import (
	"fmt"
	"os"
)

func main() {
	args := os.Args[1:]
	cmd := "manager"
	if len(args) > 0 && (args[0] == "local" || args[0] == "manager" || args[0] == "version") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "local":
		err = runLocal(args)
	case "version":
		printVersion()
	default:
		err = runManager(args)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tessera:", err)
		os.Exit(1)
	}
}
