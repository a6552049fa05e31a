package cel

import "testing"

func TestURLLibrary(t *testing.T) {
	checkExprs(t, []exprTest{
		{`isURL('https://user:pass@example.com:80/path?query=val#fragment')`, ok(true)},
		{`isURL('/absolute-path')`, ok(true)},
		{`isURL('https://a:b:c/')`, ok(false)},
		{`isURL('../relative-path')`, ok(false)},
		{`isURL('example.com')`, ok(false)},
		{`isURL('')`, ok(false)},
		{`url('../relative-path')`, fails(`URL parse error during conversion from string: parse "../relative-path": invalid URI for request`)},
		{`url('https://a:b:c/')`, fails(`URL parse error during conversion from string: parse "https://a:b:c/": invalid port ":b:c" after host`)},
		{`url('/path').getScheme()`, ok("")},
		{`url('https://example.com/').getScheme()`, ok("https")},
		{`url('https://example.com:80/').getHost()`, ok("example.com:80")},
		{`url('https://example.com/').getHost()`, ok("example.com")},
		{`url('https://[::1]:80/').getHost()`, ok("[::1]:80")},
		{`url('https://[::1]/').getHost()`, ok("[::1]")},
		{`url('/path').getHost()`, ok("")},
		{`url('https://example.com:80/').getHostname()`, ok("example.com")},
		{`url('https://127.0.0.1:80/').getHostname()`, ok("127.0.0.1")},
		{`url('https://[::1]:80/').getHostname()`, ok("::1")},
		{`url('https://example.com:80/').getPort()`, ok("80")},
		{`url('https://example.com/').getPort()`, ok("")},
		{`url('https://example.com/path').getEscapedPath()`, ok("/path")},
		{`url('https://example.com/path with spaces/').getEscapedPath()`, ok("/path%20with%20spaces/")},
		{`url('https://example.com').getEscapedPath()`, ok("")},
		{`url('https://example.com/p#frag?x=1').getEscapedPath()`, ok("/p")},
		{`url('https://example.com/path?k1=a&k2=b&k2=c').getQuery()`, ok(map[string][]string{"k1": {"a"}, "k2": {"b", "c"}})},
		{`url('https://example.com/path?key with spaces=value with spaces').getQuery()`, ok(map[string][]string{"key with spaces": {"value with spaces"}})},
		{`url('https://example.com/path?').getQuery()`, ok(map[string][]string{})},
		{`url('https://example.com/path').getQuery().size()`, ok(int64(0))},
		{`url('https://example.com/a') == url('https://example.com/a')`, ok(true)},
		{`url('https://example.com/a') == url('https://example.com/b')`, ok(false)},
	})
}
