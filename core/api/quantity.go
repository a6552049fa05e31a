package api

import (
	"errors"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// Quantity is an exact resource amount such as "500m" CPU or "128Mi" memory.
//
// It is held as an integer number of thousandths (milli-units), which covers
// every suffix Kubernetes accepts down to "m" without rounding, up to about
// 9.2e15 whole units (8 PiB of memory). Amounts finer than a milli-unit are
// rounded up, as Kubernetes rounds requests up. The suffix style of the input
// (binary "Ki", decimal "k", or exponent "e3") is remembered so that String
// answers in the same style.
type Quantity struct {
	milli  int64
	format QuantityFormat
}

// QuantityFormat is the suffix style a quantity is printed in.
type QuantityFormat uint8

// The suffix styles, as in Kubernetes.
const (
	DecimalSI       QuantityFormat = iota // m, "", k, M, G, T, P, E
	BinarySI                              // Ki, Mi, Gi, Ti, Pi, Ei
	DecimalExponent                       // e3, E6
)

type suffix struct {
	text   string
	format QuantityFormat
	// the multiplier: base^exp
	base, exp int
}

// suffixes lists every unit suffix, longest first within a prefix so that
// "Mi" is tried before "M".
var suffixes = []suffix{
	{"Ki", BinarySI, 2, 10}, {"Mi", BinarySI, 2, 20}, {"Gi", BinarySI, 2, 30},
	{"Ti", BinarySI, 2, 40}, {"Pi", BinarySI, 2, 50}, {"Ei", BinarySI, 2, 60},
	{"m", DecimalSI, 10, -3}, {"k", DecimalSI, 10, 3}, {"M", DecimalSI, 10, 6},
	{"G", DecimalSI, 10, 9}, {"T", DecimalSI, 10, 12}, {"P", DecimalSI, 10, 15},
	{"E", DecimalSI, 10, 18},
}

// The regular expression every quantity must match, as Kubernetes words
// it: a number, then letters that may form a unit suffix or an exponent.
// It is only a first sieve; the suffix is checked after it.
const quantityPattern = `^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$`

var quantityRE = regexp.MustCompile(quantityPattern)

// The ways a quantity fails to parse. The first two are Kubernetes' own
// errors, word for word, so that a client matching on them finds them.
// ErrQuantityTooLarge is tinykube's: Kubernetes keeps amounts beyond an
// int64 as arbitrary-precision decimals (it accepts "1e300" CPUs), tinykube
// holds milli-units in an int64 and refuses what does not fit rather than
// rounding it to something else.
var (
	ErrQuantityFormat   = errors.New("quantities must match the regular expression '" + quantityPattern + "'")
	ErrQuantitySuffix   = errors.New("unable to parse quantity's suffix")
	ErrQuantityTooLarge = errors.New("quantities must be at most 9223372036854775807m (about 9.2e15 whole units)")
)

// IsQuantityError reports whether err is one of ParseQuantity's errors
// (which Quantity.UnmarshalJSON returns unwrapped).
func IsQuantityError(err error) bool {
	return errors.Is(err, ErrQuantityFormat) || errors.Is(err, ErrQuantitySuffix) || errors.Is(err, ErrQuantityTooLarge)
}

// ParseQuantity reads a quantity: an optional sign, digits with an optional
// fraction, and an optional suffix (binary SI, decimal SI, or an exponent
// "e<n>"/"E<n>"). Digits below milli precision round up.
//
// It fails with ErrQuantityFormat on anything outside Kubernetes' pattern
// (spaces included: " 1" and "1 " fail here, though a JSON string is
// trimmed first, as in Kubernetes) and on a number with two points,
// ErrQuantitySuffix on an unknown suffix or a malformed exponent, and
// ErrQuantityTooLarge on an amount that does not fit. The errors do not
// repeat s: the caller knows where s came from and says so.
func ParseQuantity(s string) (Quantity, error) {
	if !quantityRE.MatchString(s) {
		return Quantity{}, ErrQuantityFormat
	}
	neg := false
	switch s[0] {
	case '+':
		s = s[1:]
	case '-':
		neg = true
		s = s[1:]
	}
	// Split number from suffix.
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, suf := s[:i], s[i:]
	if num == "." || strings.Count(num, ".") > 1 {
		return Quantity{}, ErrQuantityFormat
	}
	base, exp, format := 10, 0, DecimalSI
	if suf != "" {
		// A unit suffix first: "E" (exa) and "Ei" (exbi) start like an
		// exponent but are units.
		found := false
		for _, x := range suffixes {
			if suf == x.text {
				base, exp, format, found = x.base, x.exp, x.format, true
				break
			}
		}
		switch {
		case found:
		case suf[0] == 'e' || suf[0] == 'E':
			n, err := strconv.Atoi(suf[1:])
			if err != nil {
				return Quantity{}, ErrQuantitySuffix
			}
			exp, format = n, DecimalExponent
		default:
			return Quantity{}, ErrQuantitySuffix
		}
	}
	intPart, frac, _ := strings.Cut(num, ".")
	// digits is the whole number without the point; scale is how many of its
	// digits are fractional.
	digits := strings.TrimLeft(intPart+frac, "0")
	scale := len(frac)
	milli, err := scaleToMilli(digits, scale, base, exp)
	if err != nil {
		return Quantity{}, err
	}
	if neg {
		milli = -milli
	}
	return Quantity{milli: milli, format: format}, nil
}

// scaleToMilli computes ceil(digits × 10^-scale × base^exp × 1000) exactly,
// failing when the result does not fit in an int64.
//
// It works on big integers so that trailing zeros ("1.000000000Gi") cannot
// overflow an intermediate product, and it bounds the decimal exponent
// before exponentiating so that "1e-999999999" or "1e999999999" answer at
// once instead of looping or allocating without end.
func scaleToMilli(digits string, scale, base, exp int) (int64, error) {
	tooBig := ErrQuantityTooLarge
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, nil
	}
	// value×1000 = digits × 10^dexp × 2^bexp
	dexp := int64(3) - int64(scale)
	bexp := int64(0)
	if base == 10 {
		dexp += int64(exp)
	} else {
		bexp = int64(exp)
	}
	// digits has at least one non-zero digit, so it is ≥ 1 and < 10^len.
	// Beyond these bounds the answer is certain without computing it.
	// With 0.3 ≤ log10(2) < 0.4:
	//   value×1000 ≥ 10^(dexp + 0.3·bexp), and
	//   value×1000 < 10^(dexp + len(digits) + 0.4·bexp).
	if dexp+bexp*3/10 > 19 { // ≥ 10^20 > MaxInt64
		return 0, tooBig
	}
	if dexp+int64(len(digits))+bexp*4/10+1 < 0 { // < 1 milli-unit: rounds up to one
		return 1, nil
	}
	n, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return 0, ErrQuantityFormat // unreachable: the pattern admits digits only
	}
	n.Lsh(n, uint(bexp))
	ten := big.NewInt(10)
	if dexp >= 0 {
		n.Mul(n, new(big.Int).Exp(ten, big.NewInt(dexp), nil))
	} else {
		d := new(big.Int).Exp(ten, big.NewInt(-dexp), nil)
		var r big.Int
		n.QuoRem(n, d, &r)
		if r.Sign() != 0 {
			n.Add(n, big.NewInt(1)) // round up what falls below milli precision
		}
	}
	if !n.IsInt64() {
		return 0, tooBig
	}
	return n.Int64(), nil
}

// MustParseQuantity is ParseQuantity for constants in code and tests; it
// panics on a malformed literal.
func MustParseQuantity(s string) Quantity {
	q, err := ParseQuantity(s)
	if err != nil {
		panic(err)
	}
	return q
}

// NewMilliQuantity returns milli thousandths of a unit in the given style.
func NewMilliQuantity(milli int64, format QuantityFormat) Quantity {
	return Quantity{milli: milli, format: format}
}

// NewQuantity returns v whole units in the given style.
func NewQuantity(v int64, format QuantityFormat) Quantity {
	return Quantity{milli: v * 1000, format: format}
}

// MilliValue returns the amount in thousandths of a unit.
func (q Quantity) MilliValue() int64 { return q.milli }

// Value returns the amount in whole units, rounded up.
func (q Quantity) Value() int64 {
	v := q.milli / 1000
	if q.milli%1000 > 0 {
		v++
	}
	return v
}

// IsZero reports whether the amount is zero.
func (q Quantity) IsZero() bool { return q.milli == 0 }

// Cmp returns -1, 0 or 1 as q is less than, equal to, or greater than o.
func (q Quantity) Cmp(o Quantity) int {
	switch {
	case q.milli < o.milli:
		return -1
	case q.milli > o.milli:
		return 1
	}
	return 0
}

// Add adds o to q. The sum keeps q's suffix style.
func (q *Quantity) Add(o Quantity) {
	if q.milli == 0 && q.format == DecimalSI {
		q.format = o.format
	}
	q.milli += o.milli
}

// Sub subtracts o from q.
func (q *Quantity) Sub(o Quantity) { q.milli -= o.milli }

// String prints the quantity canonically in its suffix style: the largest
// suffix that represents it exactly ("1.5Gi" prints as "1536Mi", "1000m" as
// "1").
func (q Quantity) String() string {
	m := q.milli
	if m == math.MinInt64 {
		// -m would overflow; this value only arises from NewMilliQuantity.
		return strconv.FormatInt(m, 10) + "m"
	}
	sign := ""
	if m < 0 {
		sign = "-"
		m = -m
	}
	if m == 0 {
		return "0"
	}
	if m%1000 != 0 {
		// Fractions of a unit are printed in milli-units in every style.
		return sign + strconv.FormatInt(m, 10) + "m"
	}
	v := m / 1000
	switch q.format {
	case BinarySI:
		units := []string{"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}
		i := 0
		for i+1 < len(units) && v%1024 == 0 && v >= 1024 {
			v /= 1024
			i++
		}
		// Kubernetes prints binary amounts below 1Ki as plain numbers.
		return sign + strconv.FormatInt(v, 10) + units[i]
	case DecimalExponent:
		e := 0
		for v%1000 == 0 {
			v /= 1000
			e += 3
		}
		if e == 0 {
			return sign + strconv.FormatInt(v, 10)
		}
		return sign + strconv.FormatInt(v, 10) + "e" + strconv.Itoa(e)
	default:
		units := []string{"", "k", "M", "G", "T", "P", "E"}
		i := 0
		for i+1 < len(units) && v%1000 == 0 {
			v /= 1000
			i++
		}
		return sign + strconv.FormatInt(v, 10) + units[i]
	}
}

// MarshalJSON writes the canonical string form.
func (q Quantity) MarshalJSON() ([]byte, error) {
	return []byte(`"` + q.String() + `"`), nil
}

// UnmarshalJSON accepts a string ("500m") or a JSON number (2, 0.5).
func (q *Quantity) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*q = Quantity{}
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	// Kubernetes' decoder trims spaces before parsing; tinykube refuses
	// them, as ParseQuantity does everywhere else, so that what is stored
	// is what was sent (issue: "  1" was accepted and meant 1).
	v, err := ParseQuantity(s)
	if err != nil {
		return err
	}
	*q = v
	return nil
}

// ResourceName names a resource such as "cpu", "memory" or "pods".
type ResourceName string

// The resources the scheduler and kubelet account for.
const (
	ResourceCPU              ResourceName = "cpu"
	ResourceMemory           ResourceName = "memory"
	ResourcePods             ResourceName = "pods"
	ResourceEphemeralStorage ResourceName = "ephemeral-storage"
	ResourceStorage          ResourceName = "storage"
)

// ResourceList maps resource names to amounts.
type ResourceList map[ResourceName]Quantity

// Cpu returns the CPU amount, zero when absent.
func (r ResourceList) Cpu() Quantity { return r[ResourceCPU] }

// Memory returns the memory amount, zero when absent.
func (r ResourceList) Memory() Quantity { return r[ResourceMemory] }

// Pods returns the pod-count amount, zero when absent.
func (r ResourceList) Pods() Quantity { return r[ResourcePods] }
