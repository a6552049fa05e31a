package cel

import (
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"

	"github.com/tinykube/tinykube/core/api"
)

// formatType is the CEL type of a named string format, named as Kubernetes
// names it.
var formatType = types.NewOpaqueType("kubernetes.NamedFormat")

// namedFormat is one string format a rule can check a value against: its
// name (as Kubernetes names it; two formats are == when the names match)
// and its check, which returns the reasons a string fails it.
type namedFormat struct {
	name     string
	validate func(string) []string
}

// namedFormats are the formats format.named knows, by the names rules use;
// each also has its own function, format.<key>(). These are Kubernetes'
// own name checks (with the same messages) and the OpenAPI string formats
// that the IP, CIDR and URL functions do not already cover. The Prefix
// variants accept a trailing dash, for a generateName.
var namedFormats = map[string]namedFormat{
	"dns1123Label":           {"DNS1123Label", api.IsDNS1123Label},
	"dns1123Subdomain":       {"DNS1123Subdomain", api.IsDNS1123Subdomain},
	"dns1035Label":           {"DNS1035Label", api.IsDNS1035Label},
	"qualifiedName":          {"QualifiedName", api.IsQualifiedName},
	"dns1123LabelPrefix":     {"DNS1123LabelPrefix", asPrefix(api.IsDNS1123Label)},
	"dns1123SubdomainPrefix": {"DNS1123SubdomainPrefix", asPrefix(api.IsDNS1123Subdomain)},
	"dns1035LabelPrefix":     {"DNS1035LabelPrefix", asPrefix(api.IsDNS1035Label)},
	"labelValue":             {"LabelValue", api.IsValidLabelValue},
	"uri": {"URI", func(s string) []string {
		if _, err := url.ParseRequestURI(s); err != nil {
			return []string{err.Error()}
		}
		return nil
	}},
	"uuid":     {"uuid", failsWith(uuidPattern.MatchString, "does not match the UUID format")},
	"byte":     {"byte", failsWith(base64Pattern.MatchString, "invalid base64")},
	"date":     {"date", failsWith(isDate, "invalid date")},
	"datetime": {"datetime", failsWith(isDateTime, "invalid datetime")},
}

// The patterns of the OpenAPI formats, as go-openapi (and so Kubernetes)
// checks them: a UUID with or without dashes, any case; padded standard
// base64 of at least one byte.
var (
	uuidPattern     = regexp.MustCompile(`(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$`)
	base64Pattern   = regexp.MustCompile(`^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$`)
	timeOfDayFormat = regexp.MustCompile(`^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$`)
)

// asPrefix turns a name check into the check of a name prefix, which may
// end in a dash. Like Kubernetes, it replaces the last two characters of a
// string ending in a dash with "a" before checking: "my-name-" is checked
// as "my-nama".
func asPrefix(check func(string) []string) func(string) []string {
	return func(s string) []string {
		if len(s) > 1 && strings.HasSuffix(s, "-") {
			s = s[:len(s)-2] + "a"
		}
		return check(s)
	}
}

// failsWith turns a predicate into a check failing with msg.
func failsWith(ok func(string) bool, msg string) func(string) []string {
	return func(s string) []string {
		if ok(s) {
			return nil
		}
		return []string{msg}
	}
}

// isDate accepts an RFC 3339 full-date, 2006-01-02.
func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// isDateTime accepts what go-openapi's date-time check accepts: a full-date,
// "T" (any case), then hh:mm:ss, optional fraction, and "Z" or an offset,
// with hours to 23 and minutes and seconds to 59.
func isDateTime(s string) bool {
	if len(s) < 4 {
		return false
	}
	parts := strings.Split(strings.ToLower(s), "t")
	if len(parts) < 2 || !isDate(parts[0]) {
		return false
	}
	m := timeOfDayFormat.FindStringSubmatch(parts[1])
	if m == nil {
		return false
	}
	return m[1] <= "23" && m[2] <= "59" && m[3] <= "59"
}

// formatLibrary adds Kubernetes' format functions, made for messages that
// list what is wrong:
//
//	format.named(<string>) optional<Format>   none for a name it does not know
//	format.dns1123Label() Format, and one such function per name in namedFormats
//	<Format>.validate(<string>) optional<list<string>>
//	                          none when the string is valid, else the reasons
//
// so a rule reads !format.dns1123Label().validate(self.name).hasValue() and
// its messageExpression format.dns1123Label().validate(self.name).value().join(', ').
func formatLibrary() cel.EnvOption {
	opts := []cel.EnvOption{
		cel.Function("format.named", cel.Overload("format-named", []*types.Type{types.StringType},
			types.NewOptionalType(formatType), cel.UnaryBinding(func(v ref.Val) ref.Val {
				s, ok := v.(types.String)
				if !ok {
					return types.MaybeNoSuchOverloadErr(v)
				}
				f, ok := namedFormats[string(s)]
				if !ok {
					return types.OptionalNone
				}
				return types.OptionalOf(formatVal{f})
			}))),
		cel.Function("validate", cel.MemberOverload("format-validate", []*types.Type{formatType, types.StringType},
			types.NewOptionalType(types.NewListType(types.StringType)), cel.BinaryBinding(formatValidate))),
	}
	for key, f := range namedFormats {
		f := f
		name := "format." + key
		opts = append(opts, cel.Function(name, cel.Overload(name, nil, formatType,
			cel.FunctionBinding(func(...ref.Val) ref.Val { return formatVal{f} }))))
	}
	return cel.Lib(&funcLib{opts: opts})
}

// formatValidate checks s against the format: none when it passes, else
// the list of reasons.
func formatValidate(fv, sv ref.Val) ref.Val {
	f, ok := fv.(formatVal)
	if !ok {
		return types.MaybeNoSuchOverloadErr(fv)
	}
	s, ok := sv.(types.String)
	if !ok {
		return types.MaybeNoSuchOverloadErr(sv)
	}
	errs := f.f.validate(string(s))
	if len(errs) == 0 {
		return types.OptionalNone
	}
	return types.OptionalOf(types.NewStringList(types.DefaultTypeAdapter, errs))
}

// formatVal is a named format as a CEL value.
type formatVal struct{ f namedFormat }

// ConvertToNative implements ref.Val: a format has no Go form.
func (v formatVal) ConvertToNative(t reflect.Type) (any, error) {
	return nil, fmt.Errorf("type conversion error from 'Format' to '%v'", t)
}

// ConvertToType implements ref.Val: to type only.
func (v formatVal) ConvertToType(t ref.Type) ref.Val {
	switch t {
	case formatType:
		return v
	case types.TypeType:
		return formatType
	}
	return types.NewErr("type conversion error from '%s' to '%s'", formatType, t)
}

// Equal implements ref.Val: the same format.
func (v formatVal) Equal(o ref.Val) ref.Val {
	of, ok := o.(formatVal)
	if !ok {
		return types.MaybeNoSuchOverloadErr(o)
	}
	return types.Bool(v.f.name == of.f.name)
}

// Type implements ref.Val.
func (v formatVal) Type() ref.Type { return formatType }

// Value implements ref.Val.
func (v formatVal) Value() any { return v.f.name }
