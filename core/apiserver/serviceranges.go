package apiserver

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// The ranges Services draw from when a Server's Config leaves them empty:
// Kubernetes' defaults, so addresses look the way its users expect.
const (
	DefaultServiceCIDR   = "10.96.0.0/12"
	DefaultNodePortRange = "30000-32767"
)

// maxHostBits caps how much of a huge (IPv6) service CIDR is used: offsets
// into the range are uint64, and 2^62 addresses are more than enough.
const maxHostBits = 62

// ipRange is the set of cluster IPs a service CIDR hands out: every address
// of the prefix except the network address and, for IPv4, the broadcast
// address. Candidates are numbered by their offset from the network
// address, 1 … size.
type ipRange struct {
	prefix netip.Prefix // masked
	size   uint64       // number of usable addresses
}

// parseServiceCIDR reads a service CIDR such as "10.96.0.0/12".
func parseServiceCIDR(s string) (ipRange, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return ipRange{}, fmt.Errorf("service CIDR %q is not a CIDR such as %s: %v", s, DefaultServiceCIDR, err)
	}
	if p.Masked() != p {
		return ipRange{}, fmt.Errorf("service CIDR %q has host bits set; did you mean %s?", s, p.Masked())
	}
	hostBits := p.Addr().BitLen() - p.Bits()
	if hostBits < 2 {
		return ipRange{}, fmt.Errorf("service CIDR %q is too small: it must hold at least 2 usable addresses (a /30 for IPv4)", s)
	}
	if hostBits > maxHostBits {
		hostBits = maxHostBits
	}
	size := uint64(1)<<hostBits - 1 // all but the network address
	if p.Addr().Is4() {
		size-- // and the broadcast address
	}
	return ipRange{prefix: p, size: size}, nil
}

// addr returns the address at offset i (1 ≤ i ≤ size).
func (r ipRange) addr(i uint64) netip.Addr {
	if r.prefix.Addr().Is4() {
		b := r.prefix.Addr().As4()
		return netip.AddrFrom4([4]byte(binary.BigEndian.AppendUint32(nil, binary.BigEndian.Uint32(b[:])+uint32(i))))
	}
	b := r.prefix.Addr().As16()
	lo := binary.BigEndian.Uint64(b[8:]) + i // no carry: host bits ≤ 62
	binary.BigEndian.PutUint64(b[8:], lo)
	return netip.AddrFrom16(b)
}

// contains reports whether a is an address the range may hand out: in
// the prefix, and neither its network address nor (IPv4) its broadcast
// address.
func (r ipRange) contains(a netip.Addr) bool {
	if !r.prefix.Contains(a) || a == r.prefix.Addr() {
		return false
	}
	if a.Is4() {
		last := netip.PrefixFrom(a, r.prefix.Bits()).Masked().Addr().As4()
		host := uint32(1)<<(32-r.prefix.Bits()) - 1
		return a != netip.AddrFrom4([4]byte(binary.BigEndian.AppendUint32(nil, binary.BigEndian.Uint32(last[:])|host)))
	}
	return true
}

func (r ipRange) String() string { return r.prefix.String() }

// portRange is the node ports NodePort and LoadBalancer services draw
// from, inclusive.
type portRange struct{ base, last int32 }

// parseNodePortRange reads "30000-32767" (or a single port).
func parseNodePortRange(s string) (portRange, error) {
	lo, hi, found := strings.Cut(s, "-")
	if !found {
		hi = lo
	}
	a, err1 := strconv.ParseUint(strings.TrimSpace(lo), 10, 16)
	b, err2 := strconv.ParseUint(strings.TrimSpace(hi), 10, 16)
	if err1 != nil || err2 != nil || a == 0 || b < a {
		return portRange{}, fmt.Errorf("node port range %q is not FIRST-LAST with 1 ≤ FIRST ≤ LAST ≤ 65535, such as %s", s, DefaultNodePortRange)
	}
	return portRange{base: int32(a), last: int32(b)}, nil
}

func (r portRange) size() uint64          { return uint64(r.last-r.base) + 1 }
func (r portRange) contains(p int32) bool { return p >= r.base && p <= r.last }
func (r portRange) String() string        { return fmt.Sprintf("%d-%d", r.base, r.last) }

// serviceRanges parses a Config's ranges, applying the defaults.
func serviceRanges(cfg Config) (ipRange, portRange, error) {
	cidr, ports := cfg.ServiceCIDR, cfg.NodePortRange
	if cidr == "" {
		cidr = DefaultServiceCIDR
	}
	if ports == "" {
		ports = DefaultNodePortRange
	}
	ips, err := parseServiceCIDR(cidr)
	if err != nil {
		return ipRange{}, portRange{}, err
	}
	np, err := parseNodePortRange(ports)
	return ips, np, err
}
