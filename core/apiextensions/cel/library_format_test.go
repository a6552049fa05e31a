package cel

import (
	"fmt"
	"sort"
	"testing"
)

// Kubernetes' messages for a name that fails its check.
const (
	dns1123LabelMsg     = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
	dns1123SubdomainMsg = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`
	dns1035LabelMsg     = `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`
	qualifiedNameMsg    = `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`
	labelValueMsg       = `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`
)

func TestFormatLibrary(t *testing.T) {
	none := ok(noneResult)
	reasons := func(r ...string) evalResult { return ok(r) }
	checkExprs(t, []exprTest{
		{`format.dns1123Label().validate('my-label-name')`, none},
		{`format.dns1123Label().validate('contains a space')`, reasons(dns1123LabelMsg)},
		{`format.dns1123Label().validate('` + fmt.Sprintf("%064d", 0) + `')`, reasons("must be no more than 63 characters")},
		{`format.dns1123Subdomain().validate('apiextensions.k8s.io')`, none},
		{`format.dns1123Subdomain().validate('contains a space')`, reasons(dns1123SubdomainMsg)},
		{`format.dns1035Label().validate('my-label-name')`, none},
		{`format.dns1035Label().validate('1abc')`, reasons(dns1035LabelMsg)},
		{`format.qualifiedName().validate('apiextensions.k8s.io/v1beta1')`, none},
		{`format.qualifiedName().validate('my.name')`, none},
		{`format.qualifiedName().validate('contains a space')`, reasons(qualifiedNameMsg)},
		{`format.dns1123LabelPrefix().validate('my-label-prefix-')`, none},
		{`format.dns1123LabelPrefix().validate('contains a space-')`, reasons(dns1123LabelMsg)},
		{`format.dns1123SubdomainPrefix().validate('mysubdomain.prefix.-')`, none},
		{`format.dns1123SubdomainPrefix().validate('contains a space-')`, reasons(dns1123SubdomainMsg)},
		{`format.dns1035LabelPrefix().validate('my-label-prefix-')`, none},
		{`format.dns1035LabelPrefix().validate('contains a space-')`, reasons(dns1035LabelMsg)},
		{`format.dns1123Label().validate('my-label-prefix-')`, reasons(dns1123LabelMsg)},
		{`format.labelValue().validate('my-cool-label-Value')`, none},
		{`format.labelValue().validate('')`, none},
		{`format.labelValue().validate('my-cool-label-Value!!\n\n!!!')`, reasons(labelValueMsg)},
		{`format.uri().validate('http://example.com')`, none},
		{`format.uri().validate('example.com')`, reasons(`parse "example.com": invalid URI for request`)},
		{`format.uuid().validate('123e4567-e89b-12d3-a456-426614174000')`, none},
		{`format.uuid().validate('123E4567E89B12D3A456426614174000')`, none},
		{`format.uuid().validate('123e4567-e89b-12d3-a456')`, reasons("does not match the UUID format")},
		{`format.byte().validate('aGVsbG8=')`, none},
		{`format.byte().validate('aGVsbG8')`, reasons("invalid base64")},
		{`format.byte().validate('')`, reasons("invalid base64")},
		{`format.date().validate('2020-01-01')`, none},
		{`format.date().validate('2020-01-32')`, reasons("invalid date")},
		{`format.datetime().validate('2020-01-01T00:00:00Z')`, none},
		{`format.datetime().validate('2020-01-01t23:59:59.123+02:00')`, none},
		{`format.datetime().validate('2020-01-32T00:00:00Z')`, reasons("invalid datetime")},
		{`format.datetime().validate('2020-01-01T24:00:00Z')`, reasons("invalid datetime")},
		{`format.datetime().validate('2020-01-01T00:00:00')`, reasons("invalid datetime")},
		{`format.named('unknown').hasValue()`, ok(false)},
		{`format.named('dns1123Label').value().validate('a b').hasValue()`, ok(true)},
		{`format.dns1123Label().validate('a b').value().join(', ')`, ok(dns1123LabelMsg)},
		{`!format.dns1123Label().validate('ok').hasValue()`, ok(true)},
		{`format.dns1123Label() == format.dns1035Label()`, ok(false)},
	})
}

// TestFormatNamesAgree: every format has its own function, format.named
// finds it under the same name, and formats are == only to themselves.
func TestFormatNamesAgree(t *testing.T) {
	keys := make([]string, 0, len(namedFormats))
	for k := range namedFormats {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) != 13 {
		t.Errorf("len(namedFormats) = %d, want the 13 Kubernetes lists", len(keys))
	}
	var tests []exprTest
	for _, a := range keys {
		tests = append(tests, exprTest{fmt.Sprintf(`format.named('%s').value() == format.%s()`, a, a), ok(true)})
		for _, b := range keys {
			tests = append(tests, exprTest{fmt.Sprintf(`format.%s() == format.%s()`, a, b), ok(a == b)})
		}
	}
	checkExprs(t, tests)
}
