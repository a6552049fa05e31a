package api

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The checks in this file test one string against one of Kubernetes' name
// formats. Each returns the list of things wrong with the string, worded as
// Kubernetes words them, and nil for a good string; validators turn each
// message into a FieldError at the field's path.

// Length limits of names and values.
const (
	DNS1123LabelMaxLength     = 63
	DNS1123SubdomainMaxLength = 253
	DNS1035LabelMaxLength     = 63
	QualifiedNameMaxLength    = 63
	LabelValueMaxLength       = 63
	PortNameMaxLength         = 15
)

const (
	dns1123LabelFmt     = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
	dns1123LabelErrMsg  = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
	dns1123SubdomainFmt = dns1123LabelFmt + "(\\." + dns1123LabelFmt + ")*"
	dns1123SubdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
	dns1035LabelFmt     = "[a-z]([-a-z0-9]*[a-z0-9])?"
	dns1035LabelErrMsg  = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"
	qualifiedNameFmt    = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
	qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	labelValueFmt       = "(" + qualifiedNameFmt + ")?"
	labelValueErrMsg    = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	envVarNameFmt       = "[-._a-zA-Z][-._a-zA-Z0-9]*"
	envVarNameErrMsg    = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"
	configMapKeyFmt     = "[-._a-zA-Z0-9]+"
	configMapKeyErrMsg  = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
)

var (
	dns1123LabelRe     = regexp.MustCompile("^" + dns1123LabelFmt + "$")
	dns1123SubdomainRe = regexp.MustCompile("^" + dns1123SubdomainFmt + "$")
	dns1035LabelRe     = regexp.MustCompile("^" + dns1035LabelFmt + "$")
	qualifiedNameRe    = regexp.MustCompile("^" + qualifiedNameFmt + "$")
	labelValueRe       = regexp.MustCompile("^" + labelValueFmt + "$")
	envVarNameRe       = regexp.MustCompile("^" + envVarNameFmt + "$")
	configMapKeyRe     = regexp.MustCompile("^" + configMapKeyFmt + "$")
	portNameCharsRe    = regexp.MustCompile("^[-a-z0-9]+$")
	portNameLetterRe   = regexp.MustCompile("[a-z]")
)

// regexError words a format failure with examples and the regex, exactly as
// Kubernetes' validation.RegexError does (including its doubled space).
func regexError(msg, format string, examples ...string) string {
	if len(examples) == 0 {
		return msg + " (regex used for validation is '" + format + "')"
	}
	msg += " (e.g. "
	for i, e := range examples {
		if i > 0 {
			msg += " or "
		}
		msg += "'" + e + "', "
	}
	return msg + "regex used for validation is '" + format + "')"
}

func maxLenError(n int) string { return fmt.Sprintf("must be no more than %d characters", n) }

const emptyError = "must be non-empty"

// IsDNS1123Label checks a name such as a namespace or a container name: at
// most 63 characters of [a-z0-9-], starting and ending alphanumeric.
func IsDNS1123Label(s string) []string {
	var errs []string
	if len(s) > DNS1123LabelMaxLength {
		errs = append(errs, maxLenError(DNS1123LabelMaxLength))
	}
	if !dns1123LabelRe.MatchString(s) {
		errs = append(errs, regexError(dns1123LabelErrMsg, dns1123LabelFmt, "my-name", "123-abc"))
	}
	return errs
}

// IsDNS1123Subdomain checks most object names: at most 253 characters of
// dot-separated DNS-1123 labels.
func IsDNS1123Subdomain(s string) []string {
	var errs []string
	if len(s) > DNS1123SubdomainMaxLength {
		errs = append(errs, maxLenError(DNS1123SubdomainMaxLength))
	}
	if !dns1123SubdomainRe.MatchString(s) {
		errs = append(errs, regexError(dns1123SubdomainMsg, dns1123SubdomainFmt, "example.com"))
	}
	return errs
}

// IsDNS1035Label checks a Service name: a DNS-1123 label that starts with a
// letter, so that it is usable as a DNS name and an environment variable.
func IsDNS1035Label(s string) []string {
	var errs []string
	if len(s) > DNS1035LabelMaxLength {
		errs = append(errs, maxLenError(DNS1035LabelMaxLength))
	}
	if !dns1035LabelRe.MatchString(s) {
		errs = append(errs, regexError(dns1035LabelErrMsg, dns1035LabelFmt, "my-name", "abc-123"))
	}
	return errs
}

// IsQualifiedName checks a label key, annotation key or finalizer: a name of
// at most 63 characters, optionally prefixed by a DNS subdomain and "/"
// ("example.com/MyName").
func IsQualifiedName(s string) []string {
	var errs []string
	parts := strings.Split(s, "/")
	var name string
	switch len(parts) {
	case 1:
		name = parts[0]
	case 2:
		var prefix string
		prefix, name = parts[0], parts[1]
		if prefix == "" {
			errs = append(errs, "prefix part "+emptyError)
		} else {
			for _, m := range IsDNS1123Subdomain(prefix) {
				errs = append(errs, "prefix part "+m)
			}
		}
	default:
		return append(errs, "a qualified name "+regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")+
			" with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")
	}
	if name == "" {
		errs = append(errs, "name part "+emptyError)
	} else if len(name) > QualifiedNameMaxLength {
		errs = append(errs, "name part "+maxLenError(QualifiedNameMaxLength))
	}
	if !qualifiedNameRe.MatchString(name) {
		errs = append(errs, "name part "+regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc"))
	}
	return errs
}

// IsValidLabelValue checks a label value: empty, or at most 63 characters
// of [A-Za-z0-9-_.] starting and ending alphanumeric.
func IsValidLabelValue(s string) []string {
	var errs []string
	if len(s) > LabelValueMaxLength {
		errs = append(errs, maxLenError(LabelValueMaxLength))
	}
	if !labelValueRe.MatchString(s) {
		errs = append(errs, regexError(labelValueErrMsg, labelValueFmt, "MyValue", "my_value", "12345"))
	}
	return errs
}

// IsValidPortName checks a port name (an IANA service name): at most 15
// characters of [a-z0-9-], at least one letter, no "--", no hyphen at
// either end.
func IsValidPortName(s string) []string {
	var errs []string
	if len(s) > PortNameMaxLength {
		errs = append(errs, maxLenError(PortNameMaxLength))
	}
	if !portNameCharsRe.MatchString(s) {
		errs = append(errs, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
	}
	if !portNameLetterRe.MatchString(s) {
		errs = append(errs, "must contain at least one letter (a-z)")
	}
	if strings.Contains(s, "--") {
		errs = append(errs, "must not contain consecutive hyphens")
	}
	if s != "" && (s[0] == '-' || s[len(s)-1] == '-') {
		errs = append(errs, "must not begin or end with a hyphen")
	}
	return errs
}

// IsValidPortNum checks a port number: 1 to 65535.
func IsValidPortNum(port int) []string {
	if port < 1 || port > 65535 {
		return []string{inclusiveRangeError(1, 65535)}
	}
	return nil
}

// inclusiveRangeError says a value is outside [lo, hi], in Kubernetes' words.
func inclusiveRangeError(lo, hi int) string {
	return fmt.Sprintf("must be between %d and %d, inclusive", lo, hi)
}

// IsEnvVarName checks an environment variable name: [-._a-zA-Z] then
// [-._a-zA-Z0-9]*, and not ".", ".." or starting with "..".
func IsEnvVarName(s string) []string {
	var errs []string
	if !envVarNameRe.MatchString(s) {
		errs = append(errs, regexError(envVarNameErrMsg, envVarNameFmt, "my.env-name", "MY_ENV.NAME", "MyEnvName1"))
	}
	return append(errs, hasChDirPrefix(s)...)
}

// IsConfigMapKey checks a key of a ConfigMap or Secret: at most 253
// characters of [-._a-zA-Z0-9], usable as a file name.
func IsConfigMapKey(s string) []string {
	var errs []string
	if len(s) > DNS1123SubdomainMaxLength {
		errs = append(errs, maxLenError(DNS1123SubdomainMaxLength))
	}
	if !configMapKeyRe.MatchString(s) {
		errs = append(errs, regexError(configMapKeyErrMsg, configMapKeyFmt, "key.name", "KEY_NAME", "key-name"))
	}
	return append(errs, hasChDirPrefix(s)...)
}

func hasChDirPrefix(s string) []string {
	switch {
	case s == ".":
		return []string{`must not be '.'`}
	case s == "..":
		return []string{`must not be '..'`}
	case strings.HasPrefix(s, ".."):
		return []string{`must not start with '..'`}
	}
	return nil
}

// ipErrMsg is Kubernetes' wording for a malformed address.
const ipErrMsg = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"

// IsValidIP reports whether s is an IPv4 address in dotted-quad form
// (without leading zeros) or an IPv6 address (without a zone). It is written
// here rather than taken from package net so that core/ does not import net.
func IsValidIP(s string) bool { return isIPv4(s) || isIPv6(s) }

func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || (len(p) > 1 && p[0] == '0') {
			return false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 || p[0] == '+' || p[0] == '-' {
			return false
		}
	}
	return true
}

func isIPv6(s string) bool {
	if !strings.Contains(s, ":") {
		return false
	}
	halves := strings.Split(s, "::")
	if len(halves) > 2 {
		return false
	}
	groups := 0
	for h, half := range halves {
		if half == "" {
			continue
		}
		parts := strings.Split(half, ":")
		for i, g := range parts {
			if h == len(halves)-1 && i == len(parts)-1 && strings.Contains(g, ".") {
				if !isIPv4(g) {
					return false
				}
				groups += 2
				continue
			}
			if g == "" || len(g) > 4 {
				return false
			}
			for _, c := range g {
				if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
					return false
				}
			}
			groups++
		}
	}
	if len(halves) == 2 {
		return groups <= 7
	}
	return groups == 8
}
