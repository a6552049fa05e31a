package api

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestParseCronScheduleErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"* * * *", "expected exactly 5 fields"},
		{"60 * * * *", "minute field \"60\": 60 is out of range 0-59"},
		{"* 24 * * *", "hour field"},
		{"* * 0 * *", "day of month field \"0\": 0 is out of range 1-31"},
		{"* * * 13 *", "month field"},
		{"* * * * 8", "day of week field"},
		{"*/0 * * * *", "step \"0\" must be a positive number"},
		{"5-1 * * * *", "starts after it ends"},
		{"x * * * *", "is not a number or a name"},
		{"@every 5m", "unknown macro"},
		{"TZ=UTC * * * * *", "cannot use TZ or CRON_TZ"},
	}
	for _, tt := range tests {
		_, err := ParseCronSchedule(tt.spec)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseCronSchedule(%q) = %v, want an error containing %q", tt.spec, err, tt.want)
		}
	}
}

func TestCronNext(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04 Mon", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	base := at("2026-01-01 00:00 Thu")
	tests := []struct {
		spec, after, want string
	}{
		{"*/1 * * * *", "2026-01-01 00:00 Thu", "2026-01-01 00:01 Thu"},
		{"*/15 * * * *", "2026-01-01 00:00 Thu", "2026-01-01 00:15 Thu"},
		{"10-50/20 * * * *", "2026-01-01 00:31 Thu", "2026-01-01 00:50 Thu"},
		{"5/20 * * * *", "2026-01-01 00:46 Thu", "2026-01-01 01:05 Thu"},
		{"0 3 * * *", "2026-01-01 03:00 Thu", "2026-01-02 03:00 Fri"},
		{"0 0 * * SUN", "2026-01-01 00:00 Thu", "2026-01-04 00:00 Sun"},
		{"0 0 * * 7", "2026-01-01 00:00 Thu", "2026-01-04 00:00 Sun"},
		{"0 0 * * MON-FRI", "2026-01-02 00:00 Fri", "2026-01-05 00:00 Mon"},
		{"0 0 * FEB *", "2026-01-01 00:00 Thu", "2026-02-01 00:00 Sun"},
		{"0 0 1,15 * *", "2026-01-02 00:00 Fri", "2026-01-15 00:00 Thu"},
		// Both day fields restricted: either matches (the 13th, or a Friday).
		{"0 0 13 * 5", "2026-01-01 00:00 Thu", "2026-01-02 00:00 Fri"},
		// One of them '*': both must match, so only Fridays.
		{"0 0 */1 * 5", "2026-01-01 00:00 Thu", "2026-01-02 00:00 Fri"},
		{"0 0 29 2 *", "2026-01-01 00:00 Thu", "2028-02-29 00:00 Tue"},
		{"@hourly", "2026-01-01 00:00 Thu", "2026-01-01 01:00 Thu"},
		{"@daily", "2026-01-01 00:00 Thu", "2026-01-02 00:00 Fri"},
		{"@midnight", "2026-01-01 00:00 Thu", "2026-01-02 00:00 Fri"},
		{"@weekly", "2026-01-01 00:00 Thu", "2026-01-04 00:00 Sun"},
		{"@monthly", "2026-01-01 00:00 Thu", "2026-02-01 00:00 Sun"},
		{"@yearly", "2026-01-01 00:00 Thu", "2027-01-01 00:00 Fri"},
		{"@annually", "2026-01-01 00:00 Thu", "2027-01-01 00:00 Fri"},
	}
	_ = base
	for _, tt := range tests {
		s, err := ParseCronSchedule(tt.spec)
		if err != nil {
			t.Fatalf("ParseCronSchedule(%q): %v", tt.spec, err)
		}
		if got := s.Next(at(tt.after)); !got.Equal(at(tt.want)) {
			t.Errorf("%q.Next(%s) = %s, want %s", tt.spec, tt.after, got.Format("2006-01-02 15:04 Mon"), tt.want)
		}
	}
	s, _ := ParseCronSchedule("0 0 30 2 *")
	if got := s.Next(base); !got.IsZero() {
		t.Errorf("February 30th fired at %v", got)
	}
	// In a fixed zone five hours behind UTC, "0 3 * * *" is 08:00 UTC.
	s, _ = ParseCronSchedule("0 3 * * *")
	est := time.FixedZone("EST", -5*3600)
	if got, want := s.Next(base.In(est)), time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Next in EST = %v, want %v", got.UTC(), want)
	}
}

// cronFieldGen draws one field's text from the forms the parser accepts.
func cronFieldGen(min, max int, names []string) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		var parts []string
		for range rapid.IntRange(1, 3).Draw(t, "parts") {
			lo := rapid.IntRange(min, max).Draw(t, "lo")
			val := func(v int) string {
				if names != nil && v-min < len(names) && rapid.Bool().Draw(t, "name") {
					return names[v-min]
				}
				return fmt.Sprint(v)
			}
			switch rapid.IntRange(0, 5).Draw(t, "form") {
			case 0:
				parts = append(parts, "*")
			case 1:
				parts = append(parts, fmt.Sprintf("*/%d", rapid.IntRange(1, max-min+1).Draw(t, "step")))
			case 2:
				parts = append(parts, val(lo))
			case 3:
				hi := rapid.IntRange(lo, max).Draw(t, "hi")
				parts = append(parts, val(lo)+"-"+val(hi))
			case 4:
				hi := rapid.IntRange(lo, max).Draw(t, "hi")
				parts = append(parts, fmt.Sprintf("%d-%d/%d", lo, hi, rapid.IntRange(1, 10).Draw(t, "step")))
			default:
				parts = append(parts, fmt.Sprintf("%d/%d", lo, rapid.IntRange(1, 10).Draw(t, "step")))
			}
		}
		return strings.Join(parts, ",")
	})
}

// Next is strictly after its argument, fires on a matching minute, and
// skips no matching minute in between (checked minute by minute over a
// bounded window).
func TestCronNextProperties(t *testing.T) {
	months := []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	days := []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
	rapid.Check(t, func(t *rapid.T) {
		spec := strings.Join([]string{
			cronFieldGen(0, 59, nil).Draw(t, "minute"),
			cronFieldGen(0, 23, nil).Draw(t, "hour"),
			cronFieldGen(1, 31, nil).Draw(t, "dom"),
			cronFieldGen(1, 12, months).Draw(t, "month"),
			cronFieldGen(0, 7, days).Draw(t, "dow"),
		}, " ")
		s, err := ParseCronSchedule(spec)
		if err != nil {
			t.Fatalf("ParseCronSchedule(%q): %v", spec, err)
		}
		loc := time.FixedZone("z", rapid.IntRange(-12, 14).Draw(t, "offset hours")*3600)
		after := time.Unix(rapid.Int64Range(1.7e9, 2.0e9).Draw(t, "after"), 0).In(loc)
		next := s.Next(after)
		if !next.IsZero() {
			if !next.After(after) {
				t.Fatalf("%q.Next(%v) = %v, not after", spec, after, next)
			}
			if !s.Matches(next) || next.Second() != 0 {
				t.Fatalf("%q.Next(%v) = %v, which the schedule does not fire at", spec, after, next)
			}
		}
		// Brute force: no matching minute between after and next, over at
		// most 10 days.
		limit := after.Add(10 * 24 * time.Hour)
		if !next.IsZero() && next.Before(limit) {
			limit = next
		}
		for m := after.Truncate(time.Minute).Add(time.Minute); m.Before(limit); m = m.Add(time.Minute) {
			if s.Matches(m) {
				t.Fatalf("%q.Next(%v) = %v skipped %v, which matches", spec, after, next, m)
			}
		}
	})
}
