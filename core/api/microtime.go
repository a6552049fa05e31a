package api

import "time"

// MicroTime is a timestamp with microsecond precision, as Lease times are
// kept (a lease judged to the second would be too coarse).
type MicroTime struct{ time.Time }

const microLayout = "2006-01-02T15:04:05.000000Z07:00"

// NewMicroTime wraps t, truncated to microseconds.
func NewMicroTime(t time.Time) *MicroTime {
	return &MicroTime{t.UTC().Truncate(time.Microsecond)}
}

// MarshalJSON writes RFC 3339 with six fractional digits, UTC. It fails for
// a year outside 0–9999.
func (t MicroTime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	if err := checkYear(t.Time); err != nil {
		return nil, err
	}
	return []byte(`"` + t.UTC().Format(microLayout) + `"`), nil
}

// UnmarshalJSON reads RFC 3339 with any fractional precision, or null.
func (t *MicroTime) UnmarshalJSON(b []byte) error {
	v, err := parseTimestamp(b)
	if err != nil {
		return err
	}
	t.Time = v.Truncate(time.Microsecond)
	return nil
}
