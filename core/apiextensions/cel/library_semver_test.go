package cel

import (
	"strings"
	"testing"

	"github.com/google/cel-go/common/types"
	"pgregory.net/rapid"
)

func TestSemverLibrary(t *testing.T) {
	checkExprs(t, []exprTest{
		{`isSemver('1.0.0')`, ok(true)},
		{`isSemver('0.1.0-alpha.1')`, ok(true)},
		{`isSemver('1.2.3-rc.1+build.5')`, ok(true)},
		{`isSemver('1.2.3+build-7.x')`, ok(true)},
		{`isSemver('hello')`, ok(false)},
		{`isSemver('v1.0.0')`, ok(false)},
		{`isSemver('1.0')`, ok(false)},
		{`isSemver('01.0.0')`, ok(false)},
		{`isSemver('1.0.0-01')`, ok(false)},
		{`isSemver('1.0.0-')`, ok(false)},
		{`isSemver('1.0.0+')`, ok(false)},
		{`isSemver('1.0.0-a_b')`, ok(false)},
		{`isSemver('v1.0', true)`, ok(true)},
		{`isSemver('1', true)`, ok(true)},
		{`isSemver('01.01.01', true)`, ok(true)},
		{`isSemver('1.0-rc.1', true)`, ok(false)},
		{`isSemver('1.0.0', false)`, ok(true)},
		{`semver('1.2.3').major()`, ok(int64(1))},
		{`semver('1.2.3').minor()`, ok(int64(2))},
		{`semver('1.2.3').patch()`, ok(int64(3))},
		{`semver('v1.2', true) == semver('1.2.0')`, ok(true)},
		{`semver('01.01.01', true) == semver('1.1.1')`, ok(true)},
		{`semver('1.0.0+a') == semver('1.0.0+b')`, ok(true)},
		{`semver('1.0.0') == semver('1.0.1')`, ok(false)},
		{`semver('1.2.3').compareTo(semver('1.2.3'))`, ok(int64(0))},
		{`semver('1.2.3').compareTo(semver('2.0.0'))`, ok(int64(-1))},
		{`semver('1.2.3').compareTo(semver('0.1.2'))`, ok(int64(1))},
		{`semver('1.0.0-alpha').isLessThan(semver('1.0.0'))`, ok(true)},
		{`semver('1.0.0-alpha').isLessThan(semver('1.0.0-alpha.1'))`, ok(true)},
		{`semver('1.0.0-alpha.1').isLessThan(semver('1.0.0-alpha.beta'))`, ok(true)},
		{`semver('1.0.0-beta.2').isLessThan(semver('1.0.0-beta.11'))`, ok(true)},
		{`semver('1.0.0-rc.1').isGreaterThan(semver('1.0.0-beta.11'))`, ok(true)},
		{`semver('1.10.0').isGreaterThan(semver('1.9.0'))`, ok(true)},
		{`semver('1.9.0').isGreaterThan(semver('1.10.0'))`, ok(false)},
		{`semver('')`, fails("Version string empty")},
		{`semver('Three')`, fails("No Major.Minor.Patch elements found")},
		{`semver('1.2.x')`, fails(`Invalid character(s) found in patch number "x"`)},
		{`semver('a.2.3')`, fails(`Invalid character(s) found in major number "a"`)},
		{`semver('01.2.3')`, fails(`Major number must not contain leading zeroes "01"`)},
		{`semver('1.02.3')`, fails(`Minor number must not contain leading zeroes "02"`)},
		{`semver('1.2.3-01')`, fails(`Numeric PreRelease version must not contain leading zeroes "01"`)},
		{`semver('1.2.3-a..b')`, fails("Prerelease is empty")},
		{`semver('1.2.3-a$')`, fails(`Invalid character(s) found in prerelease "a$"`)},
		{`semver('1.2.3+a$')`, fails(`Invalid character(s) found in build meta data "a$"`)},
		{`semver('1.2.3+')`, fails("Buildversion is empty")},
		{`semver('1.2-rc', true)`, fails("short version cannot contain PreRelease/Build meta data")},
		{`semver('99999999999999999999.0.0')`, fails(`strconv.ParseUint: parsing "99999999999999999999": value out of range`)},
	})
}

// TestSemverCompareIsAnOrder: for any three versions drawn from a small
// alphabet, compare is antisymmetric and transitive, equal precedence is
// ==, and a version parses back from what it prints.
func TestSemverCompareIsAnOrder(t *testing.T) {
	ident := rapid.SampledFrom([]string{"0", "1", "2", "11", "alpha", "beta", "rc", "a-1"})
	version := rapid.Custom(func(t *rapid.T) string {
		v := rapid.SampledFrom([]string{"0", "1", "2", "10"}).Draw(t, "major") + "." +
			rapid.SampledFrom([]string{"0", "1"}).Draw(t, "minor") + "." +
			rapid.SampledFrom([]string{"0", "3"}).Draw(t, "patch")
		if pre := rapid.SliceOfN(ident, 0, 3).Draw(t, "pre"); len(pre) > 0 {
			v += "-" + strings.Join(pre, ".")
		}
		if rapid.Bool().Draw(t, "build") {
			v += "+b.7"
		}
		return v
	})
	rapid.Check(t, func(t *rapid.T) {
		var vs [3]semver
		for i := range vs {
			s := version.Draw(t, "v")
			v, err := parseSemver(s)
			if err != nil {
				t.Fatalf("parseSemver(%q) = %v", s, err)
			}
			if back, err := parseSemver(v.String()); err != nil || back.compare(v) != 0 || v.String() != s {
				t.Fatalf("parseSemver(%q).String() = %q, which parses to %v, %v", s, v.String(), back, err)
			}
			vs[i] = v
		}
		a, b, c := vs[0], vs[1], vs[2]
		if a.compare(b) != -b.compare(a) {
			t.Fatalf("compare(%s, %s) = %d but compare(%s, %s) = %d", a, b, a.compare(b), b, a, b.compare(a))
		}
		if a.compare(b) <= 0 && b.compare(c) <= 0 && a.compare(c) > 0 {
			t.Fatalf("%s <= %s <= %s but compare(%s, %s) = %d", a, b, c, a, c, a.compare(c))
		}
		if eq := (semverVal{a}).Equal(semverVal{b}) == types.True; eq != (a.compare(b) == 0) {
			t.Fatalf("%s == %s is %v, compare = %d", a, b, eq, a.compare(b))
		}
	})
}
