package cel

import (
	"fmt"
	"net/netip"
	"reflect"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
)

// cidrType is the CEL type of a network in CIDR notation, named as
// Kubernetes names it.
var cidrType = types.NewOpaqueType("net.CIDR")

// cidrLibrary adds Kubernetes' CIDR functions:
//
//	cidr(<string>) CIDR                 an error unless the string is ADDRESS/BITS
//	isCIDR(<string>) bool
//	<CIDR>.containsIP(<IP|string>) bool
//	<CIDR>.containsCIDR(<CIDR|string>) bool   the argument is the same network or inside it
//	<CIDR>.ip() IP                      the address as written ("10.0.0.1/8" gives 10.0.0.1)
//	<CIDR>.masked() CIDR                host bits cleared: the canonical network
//	<CIDR>.prefixLength() int
//	string(<CIDR>) string
//
// The address follows ip()'s rules (no IPv4-mapped IPv6); host bits may be
// set, as Kubernetes allows ("192.168.0.1/24"), so cidr(x) == cidr(x).masked()
// tells whether x is written canonically. Two CIDR values are == when both
// address and length match. A string argument that does not parse makes
// the call an error.
func cidrLibrary() cel.EnvOption {
	c := []*types.Type{cidrType}
	str := []*types.Type{types.StringType}
	return cel.Lib(&funcLib{opts: []cel.EnvOption{
		cel.Function("cidr", cel.Overload("string_to_cidr", str, cidrType, cel.UnaryBinding(stringToCIDR))),
		cel.Function("isCIDR", cel.Overload("is_cidr", str, types.BoolType, cel.UnaryBinding(func(v ref.Val) ref.Val {
			s, ok := v.(types.String)
			if !ok {
				return types.MaybeNoSuchOverloadErr(v)
			}
			_, err := parseCIDR(string(s))
			return types.Bool(err == nil)
		}))),
		cel.Function("containsIP",
			cel.MemberOverload("cidr_contains_ip_string", []*types.Type{cidrType, types.StringType}, types.BoolType,
				cel.BinaryBinding(func(c, s ref.Val) ref.Val { return cidrContainsIP(c, stringToIP(s)) })),
			cel.MemberOverload("cidr_contains_ip_ip", []*types.Type{cidrType, ipType}, types.BoolType,
				cel.BinaryBinding(cidrContainsIP))),
		cel.Function("containsCIDR",
			cel.MemberOverload("cidr_contains_cidr_string", []*types.Type{cidrType, types.StringType}, types.BoolType,
				cel.BinaryBinding(func(c, s ref.Val) ref.Val { return cidrContainsCIDR(c, stringToCIDR(s)) })),
			cel.MemberOverload("cidr_contains_cidr", []*types.Type{cidrType, cidrType}, types.BoolType,
				cel.BinaryBinding(cidrContainsCIDR))),
		cel.Function("ip", cel.MemberOverload("cidr_ip", c, ipType, cel.UnaryBinding(cidrFunc(func(p netip.Prefix) ref.Val {
			return ipVal{p.Addr()}
		})))),
		cel.Function("masked", cel.MemberOverload("cidr_masked", c, cidrType, cel.UnaryBinding(cidrFunc(func(p netip.Prefix) ref.Val {
			return cidrVal{p.Masked()}
		})))),
		cel.Function("prefixLength", cel.MemberOverload("cidr_prefix_length", c, types.IntType, cel.UnaryBinding(cidrFunc(func(p netip.Prefix) ref.Val {
			return types.Int(p.Bits())
		})))),
		cel.Function("string", cel.Overload("cidr_to_string", c, types.StringType, cel.UnaryBinding(cidrFunc(func(p netip.Prefix) ref.Val {
			return types.String(p.String())
		})))),
	}})
}

// parseCIDR parses ADDRESS/BITS as Kubernetes' CEL library accepts it.
func parseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("network address parse error during conversion from string: %v", err)
	}
	if p.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Errorf("IPv4-mapped IPv6 address %q is not allowed", s)
	}
	return p, nil
}

// stringToCIDR is cidr(string): the network, or an error value. The
// message repeats its opening, as Kubernetes' does.
func stringToCIDR(v ref.Val) ref.Val {
	s, ok := v.(types.String)
	if !ok {
		return types.MaybeNoSuchOverloadErr(v)
	}
	p, err := parseCIDR(string(s))
	if err != nil {
		return types.NewErr("network address parse error during conversion from string: %v", err)
	}
	return cidrVal{p}
}

// cidrContainsIP reports whether the network holds the address; an error
// value for either argument (a string that did not parse) passes through.
func cidrContainsIP(c, a ref.Val) ref.Val {
	n, ok := c.(cidrVal)
	if !ok {
		return types.MaybeNoSuchOverloadErr(c)
	}
	ip, ok := a.(ipVal)
	if !ok {
		return types.MaybeNoSuchOverloadErr(a)
	}
	return types.Bool(n.prefix.Contains(ip.addr))
}

// cidrContainsCIDR reports whether o lies within c: they overlap and o's
// prefix is no shorter. Networks of different families never contain each
// other.
func cidrContainsCIDR(c, o ref.Val) ref.Val {
	n, ok := c.(cidrVal)
	if !ok {
		return types.MaybeNoSuchOverloadErr(c)
	}
	m, ok := o.(cidrVal)
	if !ok {
		return types.MaybeNoSuchOverloadErr(o)
	}
	return types.Bool(n.prefix.Overlaps(m.prefix) && n.prefix.Bits() <= m.prefix.Bits())
}

// cidrFunc adapts f to a CEL function of a CIDR.
func cidrFunc(f func(netip.Prefix) ref.Val) func(ref.Val) ref.Val {
	return func(v ref.Val) ref.Val {
		c, ok := v.(cidrVal)
		if !ok {
			return types.MaybeNoSuchOverloadErr(v)
		}
		return f(c.prefix)
	}
}

// cidrVal is a network as a CEL value.
type cidrVal struct{ prefix netip.Prefix }

// ConvertToNative implements ref.Val: to netip.Prefix or its string.
func (v cidrVal) ConvertToNative(t reflect.Type) (any, error) {
	switch t {
	case reflect.TypeOf(netip.Prefix{}):
		return v.prefix, nil
	case reflect.TypeOf(""):
		return v.prefix.String(), nil
	}
	return nil, fmt.Errorf("type conversion error from 'CIDR' to '%v'", t)
}

// ConvertToType implements ref.Val: to string or type.
func (v cidrVal) ConvertToType(t ref.Type) ref.Val {
	switch t {
	case cidrType:
		return v
	case types.StringType:
		return types.String(v.prefix.String())
	case types.TypeType:
		return cidrType
	}
	return types.NewErr("type conversion error from '%s' to '%s'", cidrType, t)
}

// Equal implements ref.Val: the same address and length.
func (v cidrVal) Equal(o ref.Val) ref.Val {
	oc, ok := o.(cidrVal)
	if !ok {
		return types.MaybeNoSuchOverloadErr(o)
	}
	return types.Bool(v.prefix == oc.prefix)
}

// Type implements ref.Val.
func (v cidrVal) Type() ref.Type { return cidrType }

// Value implements ref.Val.
func (v cidrVal) Value() any { return v.prefix }
