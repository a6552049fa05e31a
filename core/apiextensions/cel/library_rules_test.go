package cel

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// networkSchema is a schema in the style of the Gateway API, cert-manager
// and prometheus-operator CRDs, whose rules use the IP, CIDR, URL, format
// and semver functions where those projects use them: host names that are
// not IPs, typed addresses, canonical CIDRs and containment, http(s)
// endpoints, DNS names with the reasons in the message, and versions that
// only move forward.
const networkSchema = `{"type":"object","properties":{"spec":{"type":"object",
 "x-kubernetes-validations":[
  {"rule":"!has(self.subnet) || !has(self.podCIDR) || cidr(self.podCIDR).containsCIDR(self.subnet)","message":"subnet must lie within podCIDR"},
  {"rule":"!has(self.gatewayIP) || !has(self.podCIDR) || cidr(self.podCIDR).containsIP(self.gatewayIP)","message":"gatewayIP must lie within podCIDR","fieldPath":".gatewayIP"}],
 "properties":{
  "hostnames":{"type":"array","maxItems":16,"items":{"type":"string","maxLength":253},
   "x-kubernetes-validations":[{"rule":"self.all(h, !isIP(h))","message":"Hostname must not be an IP address"}]},
  "addresses":{"type":"array","items":{"type":"object","properties":{
    "type":{"type":"string"},"value":{"type":"string","maxLength":253}},
   "x-kubernetes-validations":[
    {"rule":"self.type == 'IPAddress' ? isIP(self.value) : true","message":"value must be an IP address"},
    {"rule":"self.type == 'IPAddress' && isIP(self.value) ? ip.isCanonical(self.value) && !ip(self.value).isLoopback() : true","message":"value must be a canonical, non-loopback IP address"},
    {"rule":"self.type == 'Hostname' ? !format.dns1123Subdomain().validate(self.value).hasValue() : true","messageExpression":"'value: ' + format.dns1123Subdomain().validate(self.value).value().join(', ')"}]}},
  "podCIDR":{"type":"string","x-kubernetes-validations":[
   {"rule":"isCIDR(self)","message":"podCIDR must be a CIDR"},
   {"rule":"!isCIDR(self) || cidr(self) == cidr(self).masked()","message":"podCIDR must be written with its host bits zero"},
   {"rule":"!isCIDR(self) || cidr(self).ip().family() != 4 || cidr(self).prefixLength() <= 24","message":"an IPv4 podCIDR must be /24 or larger"}]},
  "subnet":{"type":"string"},
  "gatewayIP":{"type":"string"},
  "endpoint":{"type":"string","x-kubernetes-validations":[
   {"rule":"isURL(self) && url(self).getScheme() in ['http', 'https']","message":"endpoint must be an http or https URL"},
   {"rule":"!isURL(self) || url(self).getHostname() != '' && url(self).getPort() != '0'","message":"endpoint needs a host"},
   {"rule":"!isURL(self) || !url(self).getQuery().exists(k, k == 'token')","message":"endpoint may not carry a token"}]},
  "version":{"type":"string","x-kubernetes-validations":[
   {"rule":"isSemver(self, true)","messageExpression":"'version ' + self + ' is not a semantic version'"},
   {"rule":"!isSemver(self, true) || !isSemver(oldSelf, true) || !semver(self, true).isLessThan(semver(oldSelf, true))","message":"version may not go down"},
   {"rule":"!isSemver(self, true) || semver(self, true).major() == 1","message":"only major version 1 is served"}]}
 }}}}`

func TestRepresentativeRules(t *testing.T) {
	r, errs := Compile(mustSchema(t, networkSchema), "spec.versions[0].schema.openAPIV3Schema")
	if errs != nil {
		t.Fatalf("Compile(networkSchema) = %v", errs)
	}
	tests := []struct {
		name     string
		obj, old string
		want     []string
	}{
		{"all good",
			`{"spec":{"hostnames":["foo.example.com"],"addresses":[{"type":"IPAddress","value":"2001:db8::1"},{"type":"Hostname","value":"gw.example.com"}],
			  "podCIDR":"10.0.0.0/16","subnet":"10.0.1.0/24","gatewayIP":"10.0.0.1","endpoint":"https://example.com:8443/push?x=1","version":"v1.2"}}`,
			`{"spec":{"version":"1.1.9"}}`, nil},
		{"an IP as a host name",
			`{"spec":{"hostnames":["foo.example.com","192.168.0.1"]}}`, "",
			[]string{"spec.hostnames: Invalid value: Hostname must not be an IP address"}},
		{"bad addresses",
			`{"spec":{"addresses":[{"type":"IPAddress","value":"gw"},{"type":"IPAddress","value":"2001:DB8::1"},{"type":"IPAddress","value":"127.0.0.1"},{"type":"Hostname","value":"Gw_1"}]}}`, "",
			[]string{
				"spec.addresses[0]: Invalid value: value must be an IP address",
				"spec.addresses[1]: Invalid value: value must be a canonical, non-loopback IP address",
				"spec.addresses[2]: Invalid value: value must be a canonical, non-loopback IP address",
				"spec.addresses[3]: Invalid value: value: " + dns1123SubdomainMsg,
			}},
		{"CIDRs",
			`{"spec":{"podCIDR":"10.0.0.1/28","subnet":"10.1.0.0/24","gatewayIP":"10.0.0.99"}}`, "",
			[]string{
				"spec: Invalid value: subnet must lie within podCIDR",
				"spec.gatewayIP: Invalid value: gatewayIP must lie within podCIDR",
				`spec.podCIDR: Invalid value: "10.0.0.1/28": podCIDR must be written with its host bits zero`,
				`spec.podCIDR: Invalid value: "10.0.0.1/28": an IPv4 podCIDR must be /24 or larger`,
			}},
		{"not a CIDR",
			`{"spec":{"podCIDR":"10.0.0.0"}}`, "",
			[]string{`spec.podCIDR: Invalid value: "10.0.0.0": podCIDR must be a CIDR`}},
		{"a gateway IP that is not one is an evaluation error",
			`{"spec":{"podCIDR":"10.0.0.0/16","gatewayIP":"ten"}}`, "",
			[]string{`spec: Invalid value: "object": IP Address "ten" parse error during conversion from string: ParseAddr("ten"): unable to parse IP evaluating rule: gatewayIP must lie within podCIDR`}},
		{"endpoints",
			`{"spec":{"endpoint":"ftp://example.com/?token=x"}}`, "",
			[]string{
				`spec.endpoint: Invalid value: "ftp://example.com/?token=x": endpoint must be an http or https URL`,
				`spec.endpoint: Invalid value: "ftp://example.com/?token=x": endpoint may not carry a token`,
			}},
		{"an endpoint without a host",
			`{"spec":{"endpoint":"/metrics"}}`, "",
			[]string{
				`spec.endpoint: Invalid value: "/metrics": endpoint must be an http or https URL`,
				`spec.endpoint: Invalid value: "/metrics": endpoint needs a host`,
			}},
		{"not a version",
			`{"spec":{"version":"latest"}}`, "",
			[]string{`spec.version: Invalid value: "latest": version latest is not a semantic version`}},
		{"version goes down",
			`{"spec":{"version":"1.2.0-rc.1"}}`, `{"spec":{"version":"1.2.0"}}`,
			[]string{`spec.version: Invalid value: "1.2.0-rc.1": version may not go down`}},
		{"version of another major",
			`{"spec":{"version":"2.0.0"}}`, `{"spec":{"version":"1.9.0"}}`,
			[]string{`spec.version: Invalid value: "2.0.0": only major version 1 is served`}},
	}
	for _, tt := range tests {
		got := errorStrings(r.Validate(mustObj(t, tt.obj), mustObj(t, tt.old)))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Validate = %q, want %q\n(-want +got)\n%s", tt.name, got, tt.want, diff)
		}
	}
}

// TestLibraryRulesTypeCheck: the library functions are typed, so misuse is
// caught when the CRD is written, not when an object is.
func TestLibraryRulesTypeCheck(t *testing.T) {
	tests := []struct {
		rule string
		want string // in the compile error's detail
	}{
		{"isIP(self.replicas)", "found no matching overload for 'isIP' applied to '(int)'"},
		{"size(self.image) == 0 || format.dns1123Label().validate(self.image)", "expected type 'bool' but found 'optional_type(list(string))'"},
		{"format.dns1123Label().validate(self.image)", "cel expression must evaluate to a bool"},
		{"cidr(self.image).containsIP(1)", "found no matching overload for 'containsIP' applied to 'net.CIDR.(int)'"},
		{"semver(self.image) < semver('1.0.0')", "found no matching overload for '_<_' applied to '(kubernetes.Semver, kubernetes.Semver)'"},
		{"url(self.image).getHost() == 1", "found no matching overload for '_==_' applied to '(string, int)'"},
		{"format.noSuchFormat().validate(self.image).hasValue()", "undeclared reference to 'noSuchFormat'"},
	}
	for _, tt := range tests {
		_, errs := Compile(mustSchema(t, testSchema(t, `[{"rule":`+strconvQuote(tt.rule)+`}]`)), "s")
		if len(errs) != 1 || !strings.Contains(errs[0].Detail, tt.want) {
			t.Errorf("Compile(%s) = %v, want one error containing %q", tt.rule, errs, tt.want)
		}
	}
}

// strconvQuote quotes s as a JSON string.
func strconvQuote(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}
