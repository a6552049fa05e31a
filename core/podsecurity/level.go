package podsecurity

import (
	"errors"
	"regexp"
	"strconv"
)

// Level is a Pod Security Standards level.
type Level string

// The levels, from the least strict.
const (
	Privileged Level = "privileged"
	Baseline   Level = "baseline"
	Restricted Level = "restricted"
)

// levelErr is Kubernetes' message for a level label that names none.
const levelErr = "must be one of privileged, baseline, restricted"

// ParseLevel reads a level label's value. A value that names no level is
// an error, and Restricted: a namespace whose enforce label is wrong fails
// closed.
func ParseLevel(s string) (Level, error) {
	switch l := Level(s); l {
	case Privileged, Baseline, Restricted:
		return l, nil
	}
	return Restricted, errors.New(levelErr)
}

// StricterThan reports whether l refuses more than m.
func (l Level) StricterThan(m Level) bool { return l.strictness() > m.strictness() }

// strictness orders the levels: privileged 0, baseline 1, restricted 2.
func (l Level) strictness() int {
	switch l {
	case Baseline:
		return 1
	case Restricted:
		return 2
	}
	return 0
}

// Version is a policy version: the standards as Kubernetes 1.Minor defined
// them, or the latest this package knows (Latest).
type Version struct {
	Minor  int
	Latest bool
}

// LatestVersion is the policy as it is today.
var LatestVersion = Version{Latest: true}

// String prints "latest" or "v1.N", as the labels write them.
func (v Version) String() string {
	if v.Latest {
		return "latest"
	}
	return "v1." + strconv.Itoa(v.Minor)
}

// versionRe is a version label's value besides "latest": v1. and a minor
// without leading zeros.
var versionRe = regexp.MustCompile(`^v1\.(0|[1-9][0-9]*)$`)

// versionErr is Kubernetes' message for a version label it cannot read.
const versionErr = `must be "latest" or "v1.x"`

// ParseVersion reads a version label's value: "latest" or "v1.N". A value
// it cannot read is an error, and LatestVersion.
func ParseVersion(s string) (Version, error) {
	if s == "latest" {
		return LatestVersion, nil
	}
	m := versionRe.FindStringSubmatch(s)
	if m == nil {
		return LatestVersion, errors.New(versionErr)
	}
	minor, err := strconv.Atoi(m[1])
	if err != nil {
		// Too many digits for an int: no Kubernetes release.
		return LatestVersion, errors.New(versionErr)
	}
	return Version{Minor: minor}, nil
}

// older reports whether v is an older policy than w (latest is newer than
// every numbered version).
func (v Version) older(w Version) bool {
	switch {
	case v.Latest:
		return false
	case w.Latest:
		return true
	}
	return v.Minor < w.Minor
}

// LevelVersion is a level at a version: "restricted:latest".
type LevelVersion struct {
	Level   Level
	Version Version
}

// String prints "level:version", as Kubernetes' messages name a policy.
func (lv LevelVersion) String() string { return string(lv.Level) + ":" + lv.Version.String() }
