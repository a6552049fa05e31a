package api

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// CronSchedule is a parsed standard 5-field cron schedule: minute, hour,
// day of month, month, day of week. It lives in core/api because
// validation must parse spec.schedule, and the CronJob controller uses the
// same parser.
//
// Each field is a bit set of the values it allows. domStar and dowStar
// remember whether the day fields were written starting with '*': the
// Vixie-cron rule is that when both day fields are restricted, a day
// matching either one matches; when one of them is '*', both must match
// (which means just the other).
type CronSchedule struct {
	minute, hour, dom, month, dow uint64
	domStar, dowStar              bool
}

type cronField struct {
	name     string
	min, max int
	names    map[string]int
}

var (
	cronMinute = cronField{name: "minute", min: 0, max: 59}
	cronHour   = cronField{name: "hour", min: 0, max: 23}
	cronDom    = cronField{name: "day of month", min: 1, max: 31}
	cronMonth  = cronField{name: "month", min: 1, max: 12, names: map[string]int{
		"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
		"JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}}
	// Day of week allows 7 for Sunday as well as 0; it is folded onto 0.
	cronDow = cronField{name: "day of week", min: 0, max: 7, names: map[string]int{
		"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}}
)

// cronMacros are the @-shorthands Kubernetes accepts.
var cronMacros = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

// ParseCronSchedule parses a 5-field schedule or an @-macro. It refuses a
// CRON_TZ= or TZ= prefix, as Kubernetes does in spec.schedule: the time
// zone belongs in spec.timeZone. The error says which field is wrong and
// why.
func ParseCronSchedule(spec string) (*CronSchedule, error) {
	s := strings.TrimSpace(spec)
	if strings.HasPrefix(s, "CRON_TZ=") || strings.HasPrefix(s, "TZ=") {
		return nil, fmt.Errorf("cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
	}
	if strings.HasPrefix(s, "@") {
		m, ok := cronMacros[strings.ToLower(s)]
		if !ok {
			return nil, fmt.Errorf("unknown macro %q (one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)", s)
		}
		s = m
	}
	f := strings.Fields(s)
	if len(f) != 5 {
		return nil, fmt.Errorf("expected exactly 5 fields (minute hour day-of-month month day-of-week), found %d in %q", len(f), spec)
	}
	var c CronSchedule
	var err error
	for i, p := range []struct {
		dst *uint64
		fd  cronField
	}{{&c.minute, cronMinute}, {&c.hour, cronHour}, {&c.dom, cronDom}, {&c.month, cronMonth}, {&c.dow, cronDow}} {
		if *p.dst, err = parseCronField(f[i], p.fd); err != nil {
			return nil, err
		}
	}
	if c.dow&(1<<7) != 0 {
		c.dow = c.dow&^(1<<7) | 1
	}
	c.domStar = strings.HasPrefix(f[2], "*") || f[2] == "?"
	c.dowStar = strings.HasPrefix(f[4], "*") || f[4] == "?"
	return &c, nil
}

// parseCronField parses a comma-separated list of "*", "N", "N-M", each
// optionally followed by "/STEP" ("N/STEP" means N through the maximum).
func parseCronField(s string, fd cronField) (uint64, error) {
	var set uint64
	for _, part := range strings.Split(s, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n <= 0 {
				return 0, fmt.Errorf("%s field %q: step %q must be a positive number", fd.name, s, stepText)
			}
			step = n
		}
		var lo, hi int
		switch {
		case rng == "*" || rng == "?":
			lo, hi = fd.min, fd.max
			if fd.max == 7 {
				hi = 6 // '*' in day of week is 0-6; 7 is only another name for 0
			}
		default:
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if lo, err = cronValue(a, fd, s); err != nil {
				return 0, err
			}
			hi = lo
			switch {
			case isRange:
				if hi, err = cronValue(b, fd, s); err != nil {
					return 0, err
				}
			case hasStep:
				hi = fd.max
			}
			if lo > hi {
				return 0, fmt.Errorf("%s field %q: range %s starts after it ends", fd.name, s, rng)
			}
		}
		for v := lo; v <= hi; v += step {
			set |= 1 << uint(v)
		}
	}
	return set, nil
}

func cronValue(t string, fd cronField, whole string) (int, error) {
	if v, ok := fd.names[strings.ToUpper(t)]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(t)
	if err != nil {
		return 0, fmt.Errorf("%s field %q: %q is not a number or a name", fd.name, whole, t)
	}
	if v < fd.min || v > fd.max {
		return 0, fmt.Errorf("%s field %q: %d is out of range %d-%d", fd.name, whole, v, fd.min, fd.max)
	}
	return v, nil
}

// Matches reports whether the minute containing t (read in t's location)
// is one the schedule fires at.
func (c *CronSchedule) Matches(t time.Time) bool {
	return c.minute&(1<<uint(t.Minute())) != 0 && c.hour&(1<<uint(t.Hour())) != 0 &&
		c.month&(1<<uint(t.Month())) != 0 && c.dayMatches(t)
}

func (c *CronSchedule) dayMatches(t time.Time) bool {
	dom := c.dom&(1<<uint(t.Day())) != 0
	dow := c.dow&(1<<uint(t.Weekday())) != 0
	if c.domStar || c.dowStar {
		return dom && dow
	}
	return dom || dow
}

// cronSearchYears bounds Next's search: a schedule that fires nowhere
// (February 30th) is given up on after this many years.
const cronSearchYears = 5

// Next returns the first time strictly after after, in after's location,
// at which the schedule fires (always at the start of a minute), or the
// zero time if it does not fire within five years.
//
// Wall-clock times that do not exist (skipped by a daylight saving
// change) do not fire; a wall-clock time that happens twice fires at its
// first occurrence only.
func (c *CronSchedule) Next(after time.Time) time.Time {
	loc := after.Location()
	y, m, d := after.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // calendar arithmetic only
	end := day.AddDate(cronSearchYears, 0, 0)
	for ; !day.After(end); day = day.AddDate(0, 0, 1) {
		if c.month&(1<<uint(day.Month())) == 0 {
			// Jump to the first of the next month.
			day = time.Date(day.Year(), day.Month()+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
			continue
		}
		if !c.dayMatches(day) {
			continue
		}
		for h := range 24 {
			if c.hour&(1<<uint(h)) == 0 {
				continue
			}
			for mins := c.minute; mins != 0; mins &= mins - 1 {
				mi := bits.TrailingZeros64(mins)
				t := time.Date(day.Year(), day.Month(), day.Day(), h, mi, 0, 0, loc)
				if t.Hour() != h || t.Minute() != mi || t.Day() != day.Day() {
					continue // skipped by a daylight saving change
				}
				t = firstOccurrence(t)
				if t.After(after) {
					return t
				}
			}
		}
	}
	return time.Time{}
}

// firstOccurrence returns the earliest instant whose wall-clock time is
// t's: when clocks go back, a wall-clock time happens twice, and time.Date
// may have chosen either.
func firstOccurrence(t time.Time) time.Time {
	for _, back := range []time.Duration{2 * time.Hour, time.Hour, 30 * time.Minute} {
		e := t.Add(-back)
		if e.Hour() == t.Hour() && e.Minute() == t.Minute() && e.Day() == t.Day() {
			return e
		}
	}
	return t
}
