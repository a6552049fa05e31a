package cel

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
)

// semverType is the CEL type of a semantic version, named as Kubernetes
// names it.
var semverType = types.NewOpaqueType("kubernetes.Semver")

// semverLibrary adds Kubernetes' semantic version functions:
//
//	semver(<string>) Semver              an error unless MAJOR.MINOR.PATCH[-PRE][+BUILD]
//	semver(<string>, <bool>) Semver      true: normalize first ("v1.2" is 1.2.0,
//	                                     "01.02.03" is 1.2.3)
//	isSemver(<string>) bool, isSemver(<string>, <bool>) bool
//	<Semver>.major() int, .minor() int, .patch() int
//	<Semver>.isLessThan(<Semver>) bool, .isGreaterThan(<Semver>) bool
//	<Semver>.compareTo(<Semver>) int     -1, 0 or 1
//
// Versions order by semver.org's precedence (1.0.0-alpha < 1.0.0-alpha.1
// < 1.0.0-beta < 1.0.0; build metadata is ignored), and == is equal
// precedence.
func semverLibrary() cel.EnvOption {
	s := []*types.Type{semverType}
	ss := []*types.Type{semverType, semverType}
	str := []*types.Type{types.StringType}
	sb := []*types.Type{types.StringType, types.BoolType}
	number := func(name string, f func(semver) uint64) cel.EnvOption {
		return cel.Function(name, cel.MemberOverload("semver_"+name, s, types.IntType, cel.UnaryBinding(func(v ref.Val) ref.Val {
			x, ok := v.(semverVal)
			if !ok {
				return types.MaybeNoSuchOverloadErr(v)
			}
			return types.Int(f(x.v))
		})))
	}
	return cel.Lib(&funcLib{opts: []cel.EnvOption{
		cel.Function("semver",
			cel.Overload("string_to_semver", str, semverType,
				cel.UnaryBinding(func(v ref.Val) ref.Val { return stringToSemver(v, types.False) })),
			cel.Overload("string_bool_to_semver", sb, semverType, cel.BinaryBinding(stringToSemver))),
		cel.Function("isSemver",
			cel.Overload("is_semver_string", str, types.BoolType,
				cel.UnaryBinding(func(v ref.Val) ref.Val { return isSemver(v, types.False) })),
			cel.Overload("is_semver_string_bool", sb, types.BoolType, cel.BinaryBinding(isSemver))),
		number("major", func(v semver) uint64 { return v.major }),
		number("minor", func(v semver) uint64 { return v.minor }),
		number("patch", func(v semver) uint64 { return v.patch }),
		cel.Function("isLessThan", cel.MemberOverload("semver_is_less_than", ss, types.BoolType,
			cel.BinaryBinding(semverCompare(func(c int) ref.Val { return types.Bool(c < 0) })))),
		cel.Function("isGreaterThan", cel.MemberOverload("semver_is_greater_than", ss, types.BoolType,
			cel.BinaryBinding(semverCompare(func(c int) ref.Val { return types.Bool(c > 0) })))),
		cel.Function("compareTo", cel.MemberOverload("semver_compare_to", ss, types.IntType,
			cel.BinaryBinding(semverCompare(func(c int) ref.Val { return types.Int(c) })))),
	}})
}

// semverArgs reads the string and normalize arguments of semver and
// isSemver and parses the version. bad is an error value when the
// arguments are not a string and a bool; err says why the string is not a
// version.
func semverArgs(sv, nv ref.Val) (v semver, bad ref.Val, err error) {
	s, ok := sv.(types.String)
	if !ok {
		return semver{}, types.MaybeNoSuchOverloadErr(sv), nil
	}
	normalize, ok := nv.(types.Bool)
	if !ok {
		return semver{}, types.MaybeNoSuchOverloadErr(nv), nil
	}
	if normalize {
		v, err = parseSemverNormalized(string(s))
	} else {
		v, err = parseSemver(string(s))
	}
	return v, nil, err
}

// stringToSemver is semver(string[, normalize]).
func stringToSemver(sv, nv ref.Val) ref.Val {
	v, bad, err := semverArgs(sv, nv)
	if bad != nil {
		return bad
	}
	if err != nil {
		return types.WrapErr(err)
	}
	return semverVal{v}
}

// isSemver reports whether semver(string[, normalize]) would succeed.
func isSemver(sv, nv ref.Val) ref.Val {
	_, bad, err := semverArgs(sv, nv)
	if bad != nil {
		return bad
	}
	return types.Bool(err == nil)
}

// semverCompare adapts f, given the comparison of two versions, to a CEL
// binary function.
func semverCompare(f func(int) ref.Val) func(a, b ref.Val) ref.Val {
	return func(a, b ref.Val) ref.Val {
		x, ok := a.(semverVal)
		if !ok {
			return types.MaybeNoSuchOverloadErr(a)
		}
		y, ok := b.(semverVal)
		if !ok {
			return types.MaybeNoSuchOverloadErr(b)
		}
		return f(x.v.compare(y.v))
	}
}

// semver is a parsed semantic version (semver.org 2.0.0).
type semver struct {
	major, minor, patch uint64
	pre                 []prerelease
	build               []string
}

// prerelease is one dot-separated identifier of a pre-release: numeric
// identifiers compare as numbers, and below alphanumeric ones.
type prerelease struct {
	num   uint64
	str   string
	isNum bool
}

// The characters of version numbers and of identifiers.
const (
	semverDigits   = "0123456789"
	semverAlphanum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-" + semverDigits
)

// onlyOf reports whether every character of s is in set ("" is).
func onlyOf(s, set string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune(set, r) }) == -1
}

// leadingZero reports a number written with a leading zero ("01").
func leadingZero(s string) bool { return len(s) > 1 && s[0] == '0' }

// parseSemver parses MAJOR.MINOR.PATCH[-PRE][+BUILD] strictly, with the
// errors of the semver library Kubernetes uses (github.com/blang/semver),
// so that a failed semver() reads as it does there.
func parseSemver(s string) (semver, error) {
	if s == "" {
		return semver{}, errors.New("Version string empty")
	}
	parts := strings.SplitN(s, ".", 3)
	if len(parts) != 3 {
		return semver{}, errors.New("No Major.Minor.Patch elements found")
	}
	var v semver
	number := func(what, p string) (uint64, error) {
		if !onlyOf(p, semverDigits) {
			return 0, fmt.Errorf("Invalid character(s) found in %s number %q", strings.ToLower(what), p)
		}
		if leadingZero(p) {
			return 0, fmt.Errorf("%s number must not contain leading zeroes %q", what, p)
		}
		return strconv.ParseUint(p, 10, 64)
	}
	var err error
	if v.major, err = number("Major", parts[0]); err != nil {
		return semver{}, err
	}
	if v.minor, err = number("Minor", parts[1]); err != nil {
		return semver{}, err
	}
	rest := parts[2]
	var pre, build []string
	if i := strings.IndexByte(rest, '+'); i >= 0 {
		build = strings.Split(rest[i+1:], ".")
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '-'); i >= 0 {
		pre = strings.Split(rest[i+1:], ".")
		rest = rest[:i]
	}
	if v.patch, err = number("Patch", rest); err != nil {
		return semver{}, err
	}
	for _, p := range pre {
		switch {
		case p == "":
			return semver{}, errors.New("Prerelease is empty")
		case onlyOf(p, semverDigits):
			if leadingZero(p) {
				return semver{}, fmt.Errorf("Numeric PreRelease version must not contain leading zeroes %q", p)
			}
			n, err := strconv.ParseUint(p, 10, 64)
			if err != nil {
				return semver{}, err
			}
			v.pre = append(v.pre, prerelease{num: n, isNum: true})
		case onlyOf(p, semverAlphanum):
			v.pre = append(v.pre, prerelease{str: p})
		default:
			return semver{}, fmt.Errorf("Invalid character(s) found in prerelease %q", p)
		}
	}
	for _, b := range build {
		if b == "" {
			return semver{}, errors.New("Buildversion is empty")
		}
		if !onlyOf(b, semverAlphanum) {
			return semver{}, fmt.Errorf("Invalid character(s) found in build meta data %q", b)
		}
		v.build = append(v.build, b)
	}
	return v, nil
}

// parseSemverNormalized parses s after Kubernetes' normalization: a
// leading "v" dropped, leading zeros dropped from each of the first three
// parts, and missing minor and patch numbers filled with 0 (a short version
// may not carry pre-release or build data).
func parseSemverNormalized(s string) (semver, error) {
	s = strings.TrimPrefix(s, "v")
	parts := strings.SplitN(s, ".", 3)
	for i, p := range parts {
		if len(p) > 1 {
			p = strings.TrimLeft(p, "0")
			if p == "" || !strings.ContainsAny(p[:1], semverDigits) {
				p = "0" + p
			}
			parts[i] = p
		}
	}
	if len(parts) < 3 {
		if strings.ContainsAny(parts[len(parts)-1], "+-") {
			return semver{}, errors.New("short version cannot contain PreRelease/Build meta data")
		}
		for len(parts) < 3 {
			parts = append(parts, "0")
		}
	}
	return parseSemver(strings.Join(parts, "."))
}

// compare orders v and o by precedence: -1, 0 or 1. Build metadata does
// not count; a version with a pre-release is below the same version
// without; pre-releases compare identifier by identifier, a longer one
// above its own prefix.
func (v semver) compare(o semver) int {
	for _, c := range [][2]uint64{{v.major, o.major}, {v.minor, o.minor}, {v.patch, o.patch}} {
		if c[0] != c[1] {
			return cmpOrder(c[0] < c[1])
		}
	}
	switch {
	case len(v.pre) == 0 && len(o.pre) == 0:
		return 0
	case len(v.pre) == 0:
		return 1
	case len(o.pre) == 0:
		return -1
	}
	for i := 0; i < len(v.pre) && i < len(o.pre); i++ {
		if c := v.pre[i].compare(o.pre[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(v.pre) == len(o.pre):
		return 0
	case len(v.pre) < len(o.pre):
		return -1
	}
	return 1
}

// compare orders two pre-release identifiers: numbers below words,
// numbers by value, words byte by byte.
func (p prerelease) compare(o prerelease) int {
	switch {
	case p.isNum && !o.isNum:
		return -1
	case !p.isNum && o.isNum:
		return 1
	case p.isNum:
		if p.num == o.num {
			return 0
		}
		return cmpOrder(p.num < o.num)
	}
	return strings.Compare(p.str, o.str)
}

// cmpOrder is -1 when less, else 1.
func cmpOrder(less bool) int {
	if less {
		return -1
	}
	return 1
}

// String prints the version as semver.org writes it.
func (v semver) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d.%d.%d", v.major, v.minor, v.patch)
	for i, p := range v.pre {
		if i == 0 {
			b.WriteByte('-')
		} else {
			b.WriteByte('.')
		}
		if p.isNum {
			b.WriteString(strconv.FormatUint(p.num, 10))
		} else {
			b.WriteString(p.str)
		}
	}
	if len(v.build) > 0 {
		b.WriteByte('+')
		b.WriteString(strings.Join(v.build, "."))
	}
	return b.String()
}

// semverVal is a semantic version as a CEL value.
type semverVal struct{ v semver }

// ConvertToNative implements ref.Val: to its string.
func (v semverVal) ConvertToNative(t reflect.Type) (any, error) {
	if t == reflect.TypeOf("") {
		return v.v.String(), nil
	}
	return nil, fmt.Errorf("type conversion error from 'Semver' to '%v'", t)
}

// ConvertToType implements ref.Val: to type only.
func (v semverVal) ConvertToType(t ref.Type) ref.Val {
	switch t {
	case semverType:
		return v
	case types.TypeType:
		return semverType
	}
	return types.NewErr("type conversion error from '%s' to '%s'", semverType, t)
}

// Equal implements ref.Val: equal precedence.
func (v semverVal) Equal(o ref.Val) ref.Val {
	os, ok := o.(semverVal)
	if !ok {
		return types.MaybeNoSuchOverloadErr(o)
	}
	return types.Bool(v.v.compare(os.v) == 0)
}

// Type implements ref.Val.
func (v semverVal) Type() ref.Type { return semverType }

// Value implements ref.Val.
func (v semverVal) Value() any { return v.v.String() }
