// Package allowlist reads the items of a Group's IP allow-list (spec.settings.logonIPs), for
// the portal that enforces it and the admission webhook that refuses items that do not parse.
package allowlist

import (
	"fmt"
	"net/netip"
	"strings"
)

// Range is one item of an allow-list: the addresses from..to, both of one family.
type Range struct{ from, to netip.Addr }

// ParseItem reads an item as the seed writes them: a single address ("203.0.113.2"), a
// range ("203.0.113.23 - 203.0.113.200", the spaces optional) or a CIDR block
// ("203.0.113.32/27"). IPv6 works alike; IPv4-mapped IPv6 addresses count as IPv4.
func ParseItem(item string) (Range, error) {
	s := strings.TrimSpace(item)
	if from, to, ok := strings.Cut(s, "-"); ok {
		a, errA := parseAddr(from)
		b, errB := parseAddr(to)
		switch {
		case errA != nil:
			return Range{}, errA
		case errB != nil:
			return Range{}, errB
		case a.Is4() != b.Is4():
			return Range{}, fmt.Errorf("the range %q mixes IPv4 and IPv6", s)
		case b.Less(a):
			return Range{}, fmt.Errorf("the range %q ends before it starts", s)
		}
		return Range{a, b}, nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || p.Addr().Zone() != "" {
			return Range{}, fmt.Errorf("%q is not a CIDR block", s)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		p = p.Masked()
		return Range{p.Addr(), lastOf(p)}, nil
	}
	a, err := parseAddr(s)
	return Range{a, a}, err
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

// Contains reports whether a is in r.
func (r Range) Contains(a netip.Addr) bool {
	return a.Is4() == r.from.Is4() && !a.Less(r.from) && !r.to.Less(a)
}

// Admits reports whether items let a in. An item that does not parse admits nobody, so a typo
// never opens the list.
func Admits(items []string, a netip.Addr) bool {
	for _, item := range items {
		if r, err := ParseItem(item); err == nil && r.Contains(a) {
			return true
		}
	}
	return false
}
