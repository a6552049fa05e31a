package cronjob

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FixedZones resolves the time zones that need no tz database: UTC,
// Etc/UTC, GMT, Etc/GMT and the fixed offsets Etc/GMT+N and Etc/GMT-N
// (POSIX signs: Etc/GMT+5 is five hours behind UTC). It is the default
// when Config.Zones is nil, and the simulator's choice: deterministic on
// every machine.
func FixedZones(name string) (*time.Location, error) {
	switch name {
	case "UTC", "Etc/UTC", "GMT", "Etc/GMT", "Etc/Universal", "Etc/Zulu", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0":
		return time.UTC, nil
	}
	if rest, ok := strings.CutPrefix(name, "Etc/GMT"); ok && len(rest) > 1 && (rest[0] == '+' || rest[0] == '-') {
		h, err := strconv.Atoi(rest[1:])
		if err == nil && h >= 0 && h <= 14 {
			if rest[0] == '+' {
				h = -h
			}
			return time.FixedZone(name, h*3600), nil
		}
	}
	return nil, fmt.Errorf("unknown time zone %s (this controller knows only UTC and Etc/GMT±N)", name)
}
