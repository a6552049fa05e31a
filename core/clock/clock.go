package clock

import "time"

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Fixed is a Clock that always answers the same instant, and can be moved
// by hand. Tests use it.
type Fixed struct{ T time.Time }

// Now returns the fixed instant.
func (f *Fixed) Now() time.Time { return f.T }

// Advance moves the clock forward by d.
func (f *Fixed) Advance(d time.Duration) { f.T = f.T.Add(d) }
