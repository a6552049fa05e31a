package schema

import (
	"encoding/base64"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// The string formats Kubernetes checks (its strfmt registry, after it
// strips the formats it does not support). A format outside this table is
// ignored, as Kubernetes ignores it: "format: int32" on an integer, or a
// format a CRD author made up, validates nothing.
var formats = map[string]func(string) bool{
	"bsonobjectid":   regexp.MustCompile(`^[0-9a-fA-F]{24}$`).MatchString,
	"uri":            isURI,
	"email":          regexp.MustCompile(`^[^@\s<>]+@[^@\s<>]+$`).MatchString,
	"hostname":       isHostname,
	"ipv4":           func(s string) bool { a, err := netip.ParseAddr(s); return err == nil && a.Is4() },
	"ipv6":           func(s string) bool { a, err := netip.ParseAddr(s); return err == nil && a.Is6() },
	"cidr":           func(s string) bool { _, err := netip.ParsePrefix(s); return err == nil },
	"mac":            regexp.MustCompile(`^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{2}[:-]){7}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$`).MatchString,
	"uuid":           regexp.MustCompile(`(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$`).MatchString,
	"uuid3":          regexp.MustCompile(`(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$`).MatchString,
	"uuid4":          regexp.MustCompile(`(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$`).MatchString,
	"uuid5":          regexp.MustCompile(`(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$`).MatchString,
	"ssn":            regexp.MustCompile(`^\d{3}[- ]?\d{2}[- ]?\d{4}$`).MatchString,
	"hexcolor":       regexp.MustCompile(`^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`).MatchString,
	"rgbcolor":       regexp.MustCompile(`^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$`).MatchString,
	"byte":           isBase64,
	"password":       func(string) bool { return true },
	"date":           func(s string) bool { _, err := time.Parse("2006-01-02", s); return err == nil },
	"datetime":       isDateTime,
	"duration":       isDuration,
	"k8s-short-name": func(s string) bool { return len(api.IsDNS1123Label(s)) == 0 },
	"k8s-long-name":  func(s string) bool { return len(api.IsDNS1123Subdomain(s)) == 0 },
}

// formatChecker returns the check for format as schema type typ uses it,
// or nil when Kubernetes would not check it. Format names are normalized
// as go-openapi does: "date-time" is "datetime".
func formatChecker(format, typ string) func(string) bool {
	if format == "" || (typ != "" && typ != "string") {
		return nil
	}
	return formats[strings.ReplaceAll(format, "-", "")]
}

func isURI(s string) bool {
	_, err := url.ParseRequestURI(s)
	return err == nil
}

var hostnameRx = regexp.MustCompile(`^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$`)

// isHostname checks an RFC 1034 host name: at most 255 bytes, labels of
// at most 63.
func isHostname(s string) bool {
	if !hostnameRx.MatchString(s) || len(s) > 255 {
		return false
	}
	for _, p := range strings.Split(s, ".") {
		if len(p) > 63 {
			return false
		}
	}
	return true
}

func isBase64(s string) bool {
	_, err := base64.StdEncoding.DecodeString(s)
	return err == nil
}

// isDateTime accepts the RFC 3339 forms go-openapi accepts.
func isDateTime(s string) bool {
	for _, layout := range []string{"2006-01-02T15:04:05.000000Z07:00", "2006-01-02T15:04:05.000Z07:00", time.RFC3339, time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

var durationRx = regexp.MustCompile(`^(\s*\d+\s*(ns|nano|us|µs|micro|ms|milli|s|sec|m|min|h|hr|hour|d|day|w|wk|week)[a-z]*\s*)+$`)

// isDuration accepts a Go duration ("1h30m") or go-openapi's spelled form
// ("3 days", "5 min").
func isDuration(s string) bool {
	if _, err := time.ParseDuration(s); err == nil {
		return true
	}
	return durationRx.MatchString(strings.ToLower(s))
}
