package cel

import "testing"

func TestCIDRLibrary(t *testing.T) {
	checkExprs(t, []exprTest{
		{`isCIDR('192.168.0.0/16')`, ok(true)},
		{`isCIDR('::1/128')`, ok(true)},
		{`isCIDR('192.168.0.1/24')`, ok(true)}, // host bits set: allowed, as in Kubernetes
		{`isCIDR('192.168.0.0/33')`, ok(false)},
		{`isCIDR('::1/129')`, ok(false)},
		{`isCIDR('192.168.0.0')`, ok(false)},
		{`isCIDR('::ffff:1.2.3.4/120')`, ok(false)},
		{`cidr('192.168.0.0/')`, fails(`network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("192.168.0.0/"): bad bits after slash: ""`)},
		{`cidr('::ffff:1.2.3.0/120')`, fails(`network address parse error during conversion from string: IPv4-mapped IPv6 address "::ffff:1.2.3.0/120" is not allowed`)},
		{`cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))`, ok(true)},
		{`cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))`, ok(false)},
		{`cidr('192.168.0.0/24').containsIP('192.168.0.1')`, ok(true)},
		{`cidr('192.168.0.0/24').containsIP('192.168.1.1')`, ok(false)},
		{`cidr('192.168.0.0/24').containsIP('::1')`, ok(false)},
		{`cidr('2001:db8::/32').containsIP('2001:db8:1::7')`, ok(true)},
		{`cidr('192.168.0.0/24').containsIP('nope')`, fails(`IP Address "nope" parse error during conversion from string: ParseAddr("nope"): unable to parse IP`)},
		{`cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24'))`, ok(true)},
		{`cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24')`, ok(true)},
		{`cidr('192.168.0.0/16').containsCIDR('192.168.0.0/16')`, ok(true)},
		{`cidr('192.168.1.0/24').containsCIDR('192.168.2.0/24')`, ok(false)},
		{`cidr('192.168.10.0/24').containsCIDR('192.168.0.0/16')`, ok(false)},
		{`cidr('0.0.0.0/0').containsCIDR('::/0')`, ok(false)},
		{`cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.1/32'))`, ok(true)},
		{`cidr('192.168.0.1/24').ip() == ip('192.168.0.1')`, ok(true)},
		{`cidr('::1/128').ip().family()`, ok(int64(6))},
		{`string(cidr('192.168.0.1/24').masked())`, ok("192.168.0.0/24")},
		{`cidr('192.168.0.0/24') == cidr('192.168.0.0/24').masked()`, ok(true)},
		{`cidr('192.168.0.1/24') == cidr('192.168.0.1/24').masked()`, ok(false)},
		{`cidr('192.168.0.0/16').prefixLength()`, ok(int64(16))},
		{`cidr('::1/128').prefixLength()`, ok(int64(128))},
		{`string(cidr('2001:DB8::/32'))`, ok("2001:db8::/32")},
	})
}
