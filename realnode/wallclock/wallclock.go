package wallclock

import "time"

// Clock reads the machine's clock.
type Clock struct{}

// Now returns the current time.
func (Clock) Now() time.Time { return time.Now() }
