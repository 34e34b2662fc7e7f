package portal

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// The IP allow-list (a Group's spec.settings.logonIPs): its items, and who the client is.

// Bounds of a list, the CRD's: at most maxAllowItems items of at most maxAllowItem characters.
const (
	maxAllowItems = 256
	maxAllowItem  = 64
)

// addrRange is one item of an allow-list: the addresses from..to, both of one family.
type addrRange struct{ from, to netip.Addr }

// parseAllowItem reads an item as the seed writes them: a single address ("203.0.113.2"), a
// range ("203.0.113.23 - 203.0.113.200", the spaces optional) or a CIDR block
// ("203.0.113.32/27"). IPv6 works alike; IPv4-mapped IPv6 addresses count as IPv4.
func parseAllowItem(item string) (addrRange, error) {
	s := strings.TrimSpace(item)
	if from, to, ok := strings.Cut(s, "-"); ok {
		a, errA := parseAddr(from)
		b, errB := parseAddr(to)
		switch {
		case errA != nil:
			return addrRange{}, errA
		case errB != nil:
			return addrRange{}, errB
		case a.Is4() != b.Is4():
			return addrRange{}, fmt.Errorf("the range %q mixes IPv4 and IPv6", s)
		case b.Less(a):
			return addrRange{}, fmt.Errorf("the range %q ends before it starts", s)
		}
		return addrRange{a, b}, nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || p.Addr().Zone() != "" {
			return addrRange{}, fmt.Errorf("%q is not a CIDR block", s)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		p = p.Masked()
		return addrRange{p.Addr(), lastOf(p)}, nil
	}
	a, err := parseAddr(s)
	return addrRange{a, a}, err
}

func parseAddr(s string) (netip.Addr, error) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%q is not an IP address", s)
	}
	return a.Unmap(), nil
}

// lastOf is the last address of p (masked).
func lastOf(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	last, _ := netip.AddrFromSlice(b)
	return last
}

func (r addrRange) contains(a netip.Addr) bool {
	return a.Is4() == r.from.Is4() && !a.Less(r.from) && !r.to.Less(a)
}

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
		if _, err := parseAllowItem(item); err != nil {
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

// allowListAdmits reports whether a stored list lets a in. An item that does not parse (one
// written around the API) admits nobody, so a typo never opens the list.
func allowListAdmits(items []string, a netip.Addr) bool {
	for _, item := range items {
		if r, err := parseAllowItem(item); err == nil && r.contains(a) {
			return true
		}
	}
	return false
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
