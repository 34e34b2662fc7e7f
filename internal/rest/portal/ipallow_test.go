package portal

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/tessera-dev/tessera/internal/allowlist"
)

func TestAllowListItems(t *testing.T) {
	items := []string{"203.0.113.2", "203.0.113.23 - 203.0.113.200", "198.51.100.0/27", "2001:db8::/126", " 192.0.2.9-192.0.2.10 "}
	if err := checkAllowList(items); err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]bool{
		"203.0.113.2": true, "203.0.113.3": false, "203.0.113.23": true, "203.0.113.200": true, "203.0.113.201": false,
		"198.51.100.31": true, "198.51.100.32": false, "2001:db8::3": true, "2001:db8::4": false,
		"192.0.2.10": true, "::ffff:203.0.113.2": true, "::ffff:203.0.113.3": false,
	} {
		a := netip.MustParseAddr(addr).Unmap()
		if got := allowlist.Admits(items, a); got != want {
			t.Errorf("%s admitted: %v, want %v", addr, got, want)
		}
	}
	for _, bad := range [][]string{
		{"203.0.113"}, {"203.0.113.200 - 203.0.113.23"}, {"203.0.113.1 - 2001:db8::1"}, {"10.0.0.0/33"},
		{"fe80::1%eth0"}, {"example.com"}, {""}, {"10.0.0.1", "10.0.0.1"}, {strings.Repeat("1", 65)},
		make([]string, maxAllowItems+1),
	} {
		if err := checkAllowList(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// A stored item that does not parse (written around the API) opens nothing.
	if allowlist.Admits([]string{"10.0.0.0/8x"}, netip.MustParseAddr("10.1.2.3")) {
		t.Error("a broken item admitted a client")
	}
}

func TestClientAddress(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, tc := range []struct {
		peer, xff, want string
	}{
		{"192.0.2.1:4000", "", "192.0.2.1"},
		// An untrusted peer's X-Forwarded-For counts for nothing.
		{"192.0.2.1:4000", "203.0.113.9", "192.0.2.1"},
		{"10.1.1.1:4000", "203.0.113.9", "203.0.113.9"},
		// Read from the right: a client cannot pass for another by writing the header itself.
		{"10.1.1.1:4000", "198.51.100.7, 203.0.113.9", "203.0.113.9"},
		{"10.1.1.1:4000", "198.51.100.7, 203.0.113.9, 10.2.2.2", "203.0.113.9"},
		{"10.1.1.1:4000", "10.3.3.3, 10.2.2.2", "10.3.3.3"},
		{"10.1.1.1:4000", "garbage, 10.2.2.2", "10.2.2.2"},
		{"10.1.1.1:4000", "203.0.113.9:5555", "203.0.113.9"},
		{"[::ffff:10.1.1.1]:4000", "[2001:db8::1]:443", "2001:db8::1"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := clientAddr(r, trusted).String(); got != tc.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", tc.peer, tc.xff, got, tc.want)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.1.1:4000"
	r.Header.Set("X-Forwarded-Proto", "https")
	if !overTLS(r, trusted) || overTLS(r, nil) {
		t.Error("X-Forwarded-Proto counts from trusted proxies only")
	}
}
