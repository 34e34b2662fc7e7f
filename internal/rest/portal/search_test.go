package portal

import (
	"strings"
	"testing"
)

// TestFoldedMatchesAsToLower checks the search's allocation-free matching against
// strings.ToLower, on ASCII and on names that are not.
func TestFoldedMatchesAsToLower(t *testing.T) {
	names := []string{"Acme", "ACME corp", "acme", "Ac", "", "Ärger GmbH", "ärger", "İstanbul", "K\u212a", "zeta 07"}
	prefixes := []string{"", "a", "acme", "acme corp", "är", "ärger gmbh", "i̇s", "kk", "zeta 07", "zeta 0"}
	for _, n := range names {
		for _, p := range prefixes {
			if got, want := foldedHasPrefix(n, p), strings.HasPrefix(strings.ToLower(n), p); got != want {
				t.Errorf("foldedHasPrefix(%q, %q) = %v, want %v", n, p, got, want)
			}
			if got, want := foldedEqual(n, p), strings.ToLower(n) == p; got != want {
				t.Errorf("foldedEqual(%q, %q) = %v, want %v", n, p, got, want)
			}
		}
	}
}
