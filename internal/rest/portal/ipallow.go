package portal

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/tessera-dev/tessera/internal/allowlist"
)

// The IP allow-list (a Group's spec.settings.logonIPs): its items, and who the client is.

// Bounds of a list, the CRD's: at most maxAllowItems items of at most maxAllowItem characters.
const (
	maxAllowItems = 256
	maxAllowItem  = 64
)

// checkAllowList refuses a list a client may not store: too long, an item too long or not in
// one of the three forms, or twice.
func checkAllowList(items []string) error {
	if len(items) > maxAllowItems {
		return errBadField("items", "holds %d items; at most %d are allowed", len(items), maxAllowItems)
	}
	seen := make(map[string]bool, len(items))
	for i, item := range items {
		field := fmt.Sprintf("items[%d]", i)
		if len(item) > maxAllowItem {
			return errBadField(field, "is longer than %d characters", maxAllowItem)
		}
		if _, err := allowlist.ParseItem(item); err != nil {
			return errBadField(field, "%v: an item is an IP address, a range \"a - b\" or a CIDR block", err)
		}
		key := strings.TrimSpace(item)
		if seen[key] {
			return errBadField(field, "%q is listed twice", key)
		}
		seen[key] = true
	}
	return nil
}

// clientAddr is the client's address: the peer's, or, when the peer is a trusted proxy, the
// nearest address in X-Forwarded-For that is not a trusted proxy (read from the right: each
// proxy appends the address it received the request from, and only trusted ones are believed).
// An entry that does not parse ends the walk at the proxy that sent it.
func clientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	addr := peerAddr(r)
	if !isTrusted(addr, trusted) {
		return addr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for _, hop := range slices.Backward(hops) {
		hop = strings.TrimSpace(hop)
		if hop == "" {
			continue
		}
		a, err := netip.ParseAddr(hop)
		if err != nil {
			ap, errPort := netip.ParseAddrPort(hop)
			if errPort != nil {
				return addr
			}
			a = ap.Addr()
		}
		addr = a.WithZone("").Unmap()
		if !isTrusted(addr, trusted) {
			return addr
		}
	}
	return addr
}

// peerAddr is the address of the connection's other end.
func peerAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.WithZone("").Unmap()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// overTLS reports a request that reached Tessera over TLS, itself or (by X-Forwarded-Proto)
// at a trusted proxy in front of it: the SESSION cookie is then Secure.
func overTLS(r *http.Request, trusted []netip.Prefix) bool {
	if r.TLS != nil {
		return true
	}
	if !isTrusted(peerAddr(r), trusted) {
		return false
	}
	protos := strings.Split(strings.Join(r.Header.Values("X-Forwarded-Proto"), ","), ",")
	return strings.EqualFold(strings.TrimSpace(protos[len(protos)-1]), "https")
}
