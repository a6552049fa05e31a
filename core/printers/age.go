package printers

import (
	"fmt"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// FormatAge prints a duration the way kubectl prints ages (its
// HumanDuration): about two significant figures, so "45s", "119s", "2m30s",
// "5m", "3h5m", "10h", "2d3h", "400d", "2y100d", "9y".
//
// A duration up to two seconds in the future counts as "0s", to absorb
// clock skew between machines; anything further ahead is "<invalid>".
func FormatAge(d time.Duration) string {
	if seconds := int(d.Seconds()); seconds < -1 {
		return "<invalid>"
	} else if seconds < 0 {
		return "0s"
	} else if seconds < 60*2 {
		return fmt.Sprintf("%ds", seconds)
	}
	minutes := int(d / time.Minute)
	if minutes < 10 {
		s := int(d/time.Second) % 60
		if s == 0 {
			return fmt.Sprintf("%dm", minutes)
		}
		return fmt.Sprintf("%dm%ds", minutes, s)
	} else if minutes < 60*3 {
		return fmt.Sprintf("%dm", minutes)
	}
	hours := int(d / time.Hour)
	switch {
	case hours < 8:
		m := int(d/time.Minute) % 60
		if m == 0 {
			return fmt.Sprintf("%dh", hours)
		}
		return fmt.Sprintf("%dh%dm", hours, m)
	case hours < 48:
		return fmt.Sprintf("%dh", hours)
	case hours < 24*8:
		h := hours % 24
		if h == 0 {
			return fmt.Sprintf("%dd", hours/24)
		}
		return fmt.Sprintf("%dd%dh", hours/24, h)
	case hours < 24*365*2:
		return fmt.Sprintf("%dd", hours/24)
	case hours < 24*365*8:
		dy := hours / 24 % 365
		if dy == 0 {
			return fmt.Sprintf("%dy", hours/24/365)
		}
		return fmt.Sprintf("%dy%dd", hours/24/365, dy)
	}
	return fmt.Sprintf("%dy", hours/24/365)
}

// Age is how long before now t happened, formatted by FormatAge, or
// "<unknown>" when t is nil or zero (an object the server has not stamped).
func Age(t *api.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return "<unknown>"
	}
	return FormatAge(now.Sub(t.Time))
}

// timeSince is Age for a plain time.Time.
func timeSince(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return FormatAge(now.Sub(t))
}
