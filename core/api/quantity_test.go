package api

import (
	"encoding/json"
	"math"
	"testing"

	"pgregory.net/rapid"
)

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in        string
		wantMilli int64
		wantStr   string
	}{
		{"500m", 500, "500m"},
		{"0.5", 500, "500m"},
		{".5", 500, "500m"},
		{"+2", 2000, "2"},
		{"1000m", 1000, "1"},
		{"1.5Gi", 1536 * 1024 * 1024 * 1000, "1536Mi"},
		{"1.0000000000Gi", 1 << 30 * 1000, "1Gi"},
		{"1e3", 1000 * 1000, "1e3"},
		{"1E3", 1000 * 1000, "1e3"},
		{"1e-3", 1, "1m"},
		{"128974848", 128974848 * 1000, "128974848"},
		{"129e6", 129e6 * 1000, "129e6"},
		{"129M", 129e6 * 1000, "129M"},
		{"123Mi", 123 << 20 * 1000, "123Mi"},
		{"1Ki", 1024 * 1000, "1Ki"},
		{"1536Ki", 1536 * 1024 * 1000, "1536Ki"},
		{"2048Ki", 2048 * 1024 * 1000, "2Mi"},
		{"100k", 100e3 * 1000, "100k"},
		{"1k", 1e6, "1k"},
		{"-1", -1000, "-1"},
		{"-500m", -500, "-500m"},
		{"0", 0, "0"},
		{"0Mi", 0, "0"},
		{"000001", 1000, "1"},
		{"0.0001", 1, "1m"},       // below milli precision rounds up
		{"1.0001m", 2, "2m"},      // likewise
		{"1e-999999999", 1, "1m"}, // a huge negative exponent answers at once
		{"0e999999999", 0, "0"},
		{"0.001Ei", 1 << 60, "1152921504606846976m"},
		{"9223372036854775807m", math.MaxInt64, "9223372036854775807m"},
	}
	for _, tt := range tests {
		q, err := ParseQuantity(tt.in)
		if err != nil {
			t.Errorf("ParseQuantity(%q) error: %v", tt.in, err)
			continue
		}
		if q.MilliValue() != tt.wantMilli {
			t.Errorf("ParseQuantity(%q).MilliValue() = %d, want %d", tt.in, q.MilliValue(), tt.wantMilli)
		}
		if got := q.String(); got != tt.wantStr {
			t.Errorf("ParseQuantity(%q).String() = %q, want %q", tt.in, got, tt.wantStr)
		}
	}
}

func TestParseQuantityErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrQuantityFormat},
		{"1.2.3", ErrQuantityFormat},
		{"5Q", ErrQuantityFormat},
		{"Mi", ErrQuantityFormat},
		{"-", ErrQuantityFormat},
		{".", ErrQuantityFormat},
		{"abc", ErrQuantityFormat},
		{"NaN", ErrQuantityFormat},
		{"Inf", ErrQuantityFormat},
		{"-Inf", ErrQuantityFormat},
		{"  1", ErrQuantityFormat},
		{"1 ", ErrQuantityFormat},
		{"1 Gi", ErrQuantityFormat},
		{"0x10", ErrQuantityFormat},
		{"1e", ErrQuantitySuffix},
		{"1ex", ErrQuantityFormat},
		{"1iK", ErrQuantitySuffix},
		{"1mm", ErrQuantitySuffix},
		{"1e99999999999999999999", ErrQuantitySuffix},
		{"10E", ErrQuantityTooLarge},
		{"99999999999999999999", ErrQuantityTooLarge},
		{"1e300", ErrQuantityTooLarge},
		{"1e999999999", ErrQuantityTooLarge},
		{"8Ei", ErrQuantityTooLarge},
		{"9223372036854775808m", ErrQuantityTooLarge},
	}
	for _, tt := range tests {
		q, err := ParseQuantity(tt.in)
		if err != tt.want {
			t.Errorf("ParseQuantity(%q) = %v, %v; want error %q", tt.in, q, err, tt.want)
		}
	}
}

// TestQuantityErrorWording pins the messages to Kubernetes' own (apimachinery
// pkg/api/resource), which clients and people search for.
func TestQuantityErrorWording(t *testing.T) {
	for err, want := range map[error]string{
		ErrQuantityFormat: `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
		ErrQuantitySuffix: `unable to parse quantity's suffix`,
	} {
		if err.Error() != want {
			t.Errorf("error text = %q, want %q", err, want)
		}
	}
}

// TestQuantityJSONSpaces: Kubernetes trims a JSON string before parsing it,
// so "  1" in a manifest is 1 there; tinykube refuses the spaces in JSON as
// ParseQuantity refuses them everywhere (the hardening issue asked it).
func TestQuantityJSONSpaces(t *testing.T) {
	for _, in := range []string{`"  1"`, `"1 "`, `" 500m "`, `"abc"`, `"NaN"`, `"Inf"`, `1e300`, `"1e300"`} {
		var q Quantity
		if err := json.Unmarshal([]byte(in), &q); !IsQuantityError(err) {
			t.Errorf("json.Unmarshal(%s) = %v, want a quantity error", in, err)
		}
	}
}

func TestQuantityJSON(t *testing.T) {
	tests := []struct {
		in        string
		wantMilli int64
		wantOut   string
	}{
		{`0.5`, 500, `"500m"`},
		{`2`, 2000, `"2"`},
		{`"1.5Gi"`, 1536 << 20 * 1000, `"1536Mi"`},
		{`"100m"`, 100, `"100m"`},
		{`null`, 0, `"0"`},
	}
	for _, tt := range tests {
		var q Quantity
		if err := json.Unmarshal([]byte(tt.in), &q); err != nil {
			t.Errorf("json.Unmarshal(%s) error: %v", tt.in, err)
			continue
		}
		if q.MilliValue() != tt.wantMilli {
			t.Errorf("json.Unmarshal(%s).MilliValue() = %d, want %d", tt.in, q.MilliValue(), tt.wantMilli)
		}
		out, _ := json.Marshal(q)
		if string(out) != tt.wantOut {
			t.Errorf("json.Marshal(unmarshal(%s)) = %s, want %s", tt.in, out, tt.wantOut)
		}
	}
	for _, bad := range []string{`"5Q"`, `true`, `""`, `"`} {
		var q Quantity
		if err := json.Unmarshal([]byte(bad), &q); err == nil {
			t.Errorf("json.Unmarshal(%s) = %v, want error", bad, q)
		}
	}
}

func TestQuantityArithmetic(t *testing.T) {
	q := MustParseQuantity("500m")
	q.Add(MustParseQuantity("1.5"))
	if got := q.String(); got != "2" {
		t.Errorf("500m + 1.5 = %s, want 2", got)
	}
	q.Sub(MustParseQuantity("3"))
	if got := q.String(); got != "-1" {
		t.Errorf("2 - 3 = %s, want -1", got)
	}
	if got := MustParseQuantity("1500m").Value(); got != 2 {
		t.Errorf("Value(1500m) = %d, want 2 (rounded up)", got)
	}
	if got := MustParseQuantity("1Gi").Cmp(MustParseQuantity("1024Mi")); got != 0 {
		t.Errorf("Cmp(1Gi, 1024Mi) = %d, want 0", got)
	}
	if got := NewMilliQuantity(math.MinInt64, DecimalSI).String(); got != "-9223372036854775808m" {
		t.Errorf("String(MinInt64 milli) = %q", got)
	}
}

// TestQuantityStringReparses checks that every quantity prints as text that
// parses back to the same amount, and that printing is then stable.
func TestQuantityStringReparses(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		milli := rapid.Int64Range(-math.MaxInt64, math.MaxInt64).Draw(t, "milli")
		if rapid.Bool().Draw(t, "whole") {
			milli -= milli % 1000
		}
		format := QuantityFormat(rapid.IntRange(0, 2).Draw(t, "format"))
		q := NewMilliQuantity(milli, format)
		s := q.String()
		back, err := ParseQuantity(s)
		if err != nil {
			t.Fatalf("ParseQuantity(%q) (from %d milli, format %d) error: %v", s, milli, format, err)
		}
		if back.Cmp(q) != 0 {
			t.Fatalf("ParseQuantity(%q) = %d milli, want %d", s, back.MilliValue(), milli)
		}
		if s2 := back.String(); s2 != s {
			t.Fatalf("String is not stable: %q reparses and prints as %q", s, s2)
		}
	})
}
