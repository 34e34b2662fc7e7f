// Package version is Tessera's own version, reported by every API's version endpoint.
package version

import (
	"fmt"
	"runtime/debug"
)

// Version is Tessera's semantic version without the leading "v"; release builds set it with
// -ldflags "-X github.com/tessera-dev/tessera/internal/version.Version=1.2.3".
var Version = "0.1.0"

// Parts returns major, minor and patch of Version (zero where unparsable).
func Parts() (major, minor, patch int) {
	_, _ = fmt.Sscanf(Version, "%d.%d.%d", &major, &minor, &patch)
	return
}

// Commit is the VCS revision the binary was built from, or "unknown".
func Commit() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}
