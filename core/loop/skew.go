package loop

import "time"

// Skew is a process's own clock: it reads base time shifted by an offset
// and running at its own rate, as a machine's clock drifts from real time.
// The zero Skew reads base time unchanged.
type Skew struct {
	set         bool
	anchorBase  time.Time
	anchorLocal time.Time
	rate        float64
}

// Set makes the clock read base+offset at base, and run at rate (1 is
// real time, 0.5 half as fast) from then on.
func (s *Skew) Set(base time.Time, offset time.Duration, rate float64) {
	if rate <= 0 {
		rate = 1
	}
	s.set, s.anchorBase, s.anchorLocal, s.rate = true, base, base.Add(offset), rate
}

// Local returns what the clock reads when base time is base.
func (s *Skew) Local(base time.Time) time.Time {
	if !s.set {
		return base
	}
	return s.anchorLocal.Add(time.Duration(float64(base.Sub(s.anchorBase)) * s.rate))
}

// Base returns how long d on this clock lasts in base time.
func (s *Skew) Base(d time.Duration) time.Duration {
	if !s.set {
		return d
	}
	return time.Duration(float64(d) / s.rate)
}

// Rate returns the clock's rate (1 when never set).
func (s *Skew) Rate() float64 {
	if !s.set {
		return 1
	}
	return s.rate
}

// Skewed is a loop whose clock is skewed: Now reads the skewed clock and a
// timer of d fires when d has passed on it. A timer already waiting when
// the skew changes keeps the base duration it was given.
type Skewed struct {
	Loop
	Skew *Skew
}

// Now returns the skewed time.
func (l Skewed) Now() time.Time { return l.Skew.Local(l.Loop.Now()) }

// After runs f once d has passed on the skewed clock.
func (l Skewed) After(d time.Duration, f func()) Timer { return l.Loop.After(l.Skew.Base(d), f) }
