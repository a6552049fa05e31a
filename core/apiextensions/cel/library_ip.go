package cel

import (
	"fmt"
	"net/netip"
	"reflect"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
)

// ipType is the CEL type of an IP address, named as Kubernetes names it.
var ipType = types.NewOpaqueType("net.IP")

// ipLibrary adds Kubernetes' IP address functions:
//
//	ip(<string>) IP                    an error unless the string is an IP address
//	isIP(<string>) bool
//	ip.isCanonical(<string>) bool      the string is the address's one canonical form;
//	                                   an error unless it is an IP address
//	<IP>.family() int                  4 or 6
//	<IP>.isUnspecified() bool          0.0.0.0 or ::
//	<IP>.isLoopback() bool             127.0.0.0/8 or ::1
//	<IP>.isLinkLocalMulticast() bool   224.0.0.0/24 or ff02::/16
//	<IP>.isLinkLocalUnicast() bool     169.254.0.0/16 or fe80::/10
//	<IP>.isGlobalUnicast() bool        neither of those, nor multicast or broadcast
//	string(<IP>) string                the canonical form
//
// An address is what netip parses, less two forms Kubernetes refuses: an
// IPv6 zone ("fe80::1%eth0") and an IPv4-mapped IPv6 address
// ("::ffff:1.2.3.4"). Octets with leading zeros ("010.0.0.1") do not
// parse. Two IP values are == when they are the same address.
func ipLibrary() cel.EnvOption {
	ip := []*types.Type{ipType}
	str := []*types.Type{types.StringType}
	return cel.Lib(&funcLib{opts: []cel.EnvOption{
		cel.Function("ip", cel.Overload("string_to_ip", str, ipType, cel.UnaryBinding(stringToIP))),
		cel.Function("isIP", cel.Overload("is_ip", str, types.BoolType, cel.UnaryBinding(isIP))),
		cel.Function("ip.isCanonical", cel.Overload("ip_is_canonical", str, types.BoolType, cel.UnaryBinding(ipIsCanonical))),
		cel.Function("family", cel.MemberOverload("ip_family", ip, types.IntType, cel.UnaryBinding(ipFamily))),
		cel.Function("isUnspecified", cel.MemberOverload("ip_is_unspecified", ip, types.BoolType,
			cel.UnaryBinding(ipPredicate(netip.Addr.IsUnspecified)))),
		cel.Function("isLoopback", cel.MemberOverload("ip_is_loopback", ip, types.BoolType,
			cel.UnaryBinding(ipPredicate(netip.Addr.IsLoopback)))),
		cel.Function("isLinkLocalMulticast", cel.MemberOverload("ip_is_link_local_multicast", ip, types.BoolType,
			cel.UnaryBinding(ipPredicate(netip.Addr.IsLinkLocalMulticast)))),
		cel.Function("isLinkLocalUnicast", cel.MemberOverload("ip_is_link_local_unicast", ip, types.BoolType,
			cel.UnaryBinding(ipPredicate(netip.Addr.IsLinkLocalUnicast)))),
		cel.Function("isGlobalUnicast", cel.MemberOverload("ip_is_global_unicast", ip, types.BoolType,
			cel.UnaryBinding(ipPredicate(netip.Addr.IsGlobalUnicast)))),
		cel.Function("string", cel.Overload("ip_to_string", ip, types.StringType, cel.UnaryBinding(func(v ref.Val) ref.Val {
			a, ok := v.(ipVal)
			if !ok {
				return types.MaybeNoSuchOverloadErr(v)
			}
			return types.String(a.addr.String())
		}))),
	}})
}

// parseIP parses an IP address as Kubernetes' CEL library accepts one; its
// errors are worded as Kubernetes words them.
func parseIP(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("IP Address %q parse error during conversion from string: %v", s, err)
	}
	if a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("IP address %q with zone value is not allowed", s)
	}
	if a.Is4In6() {
		return netip.Addr{}, fmt.Errorf("IPv4-mapped IPv6 address %q is not allowed", s)
	}
	return a, nil
}

// stringToIP is ip(string): the address, or an error value saying why the
// string is not one.
func stringToIP(v ref.Val) ref.Val {
	s, ok := v.(types.String)
	if !ok {
		return types.MaybeNoSuchOverloadErr(v)
	}
	a, err := parseIP(string(s))
	if err != nil {
		return types.NewErr("%v", err)
	}
	return ipVal{a}
}

// isIP reports whether ip(s) would succeed.
func isIP(v ref.Val) ref.Val {
	s, ok := v.(types.String)
	if !ok {
		return types.MaybeNoSuchOverloadErr(v)
	}
	_, err := parseIP(string(s))
	return types.Bool(err == nil)
}

// ipIsCanonical reports whether s is written as netip writes the address
// back (lower case, zeros compressed); a string that is not an address is
// an error, not false.
func ipIsCanonical(v ref.Val) ref.Val {
	s, ok := v.(types.String)
	if !ok {
		return types.MaybeNoSuchOverloadErr(v)
	}
	a, err := parseIP(string(s))
	if err != nil {
		return types.NewErr("%v", err)
	}
	return types.Bool(a.String() == string(s))
}

// ipFamily returns 4 or 6.
func ipFamily(v ref.Val) ref.Val {
	a, ok := v.(ipVal)
	if !ok {
		return types.MaybeNoSuchOverloadErr(v)
	}
	if a.addr.Is4() {
		return types.Int(4)
	}
	if a.addr.Is6() {
		return types.Int(6)
	}
	return types.NewErr("IP address %q is not an IPv4 or IPv6 address", a.addr.String())
}

// ipPredicate adapts a netip.Addr predicate to a CEL function of an IP.
func ipPredicate(f func(netip.Addr) bool) func(ref.Val) ref.Val {
	return func(v ref.Val) ref.Val {
		a, ok := v.(ipVal)
		if !ok {
			return types.MaybeNoSuchOverloadErr(v)
		}
		return types.Bool(f(a.addr))
	}
}

// ipVal is an IP address as a CEL value.
type ipVal struct{ addr netip.Addr }

// ConvertToNative implements ref.Val: to netip.Addr or its string.
func (v ipVal) ConvertToNative(t reflect.Type) (any, error) {
	switch t {
	case reflect.TypeOf(netip.Addr{}):
		return v.addr, nil
	case reflect.TypeOf(""):
		return v.addr.String(), nil
	}
	return nil, fmt.Errorf("type conversion error from 'IP' to '%v'", t)
}

// ConvertToType implements ref.Val: to string or type.
func (v ipVal) ConvertToType(t ref.Type) ref.Val {
	switch t {
	case ipType:
		return v
	case types.StringType:
		return types.String(v.addr.String())
	case types.TypeType:
		return ipType
	}
	return types.NewErr("type conversion error from '%s' to '%s'", ipType, t)
}

// Equal implements ref.Val: the same address.
func (v ipVal) Equal(o ref.Val) ref.Val {
	oa, ok := o.(ipVal)
	if !ok {
		return types.MaybeNoSuchOverloadErr(o)
	}
	return types.Bool(v.addr == oa.addr)
}

// Type implements ref.Val.
func (v ipVal) Type() ref.Type { return ipType }

// Value implements ref.Val.
func (v ipVal) Value() any { return v.addr }
