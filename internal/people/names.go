package people

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// DNSName makes a DNS label of at most max characters from s: DNSLabel of s, and a short hash
// of s appended so that different inputs that sanitize alike still differ.
func DNSName(prefix, s string, max int) string {
	sum := sha256.Sum256([]byte(s))
	suffix := hex.EncodeToString(sum[:4])
	base := DNSLabel(s, max-len(prefix)-len(suffix)-1)
	if base == "" {
		return prefix + suffix
	}
	return prefix + base + "-" + suffix
}

// DNSLabel is s lower-cased with each run of characters other than a-z and 0-9 turned into
// "-", without leading or trailing "-", cut to at most max characters (possibly "").
func DNSLabel(s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	base := strings.Trim(b.String(), "-")
	if len(base) > max {
		base = strings.Trim(base[:max], "-")
	}
	return base
}

// PersonAccountName is the object name of the Account of a person who signs in as login.
func PersonAccountName(login string) string { return DNSName("", login, 63) }
