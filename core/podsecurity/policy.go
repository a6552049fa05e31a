package podsecurity

import "github.com/tinykube/tinykube/core/api"

// The namespace labels that choose a namespace's policy, one level and
// one version per mode.
const (
	labelPrefix         = "pod-security.kubernetes.io/"
	EnforceLevelLabel   = labelPrefix + "enforce"
	EnforceVersionLabel = labelPrefix + "enforce-version"
	AuditLevelLabel     = labelPrefix + "audit"
	AuditVersionLabel   = labelPrefix + "audit-version"
	WarnLevelLabel      = labelPrefix + "warn"
	WarnVersionLabel    = labelPrefix + "warn-version"
)

// The audit annotations the admission plugin writes, keyed as Kubernetes'
// in-tree plugin keys them.
const (
	AuditViolationsAnnotation = labelPrefix + "audit-violations"
	EnforcePolicyAnnotation   = labelPrefix + "enforce-policy"
)

// Policy is what a namespace asks of its pods in each mode: Enforce
// refuses a violating pod, Audit records the violation in the audit log,
// Warn tells the client.
type Policy struct {
	Enforce, Audit, Warn LevelVersion
}

// DefaultPolicy is an unlabelled namespace's: privileged:latest in every
// mode (Kubernetes' default; nothing is checked until a namespace opts in).
var DefaultPolicy = Policy{
	Enforce: LevelVersion{Privileged, LatestVersion},
	Audit:   LevelVersion{Privileged, LatestVersion},
	Warn:    LevelVersion{Privileged, LatestVersion},
}

// FullyPrivileged reports whether no mode checks anything.
func (p Policy) FullyPrivileged() bool {
	return p.Enforce.Level == Privileged && p.Audit.Level == Privileged && p.Warn.Level == Privileged
}

// PolicyFromLabels reads a namespace's labels over DefaultPolicy. It
// always returns a usable policy; a label it cannot read is also returned
// as a field error (metadata.labels[KEY]) and read the safe way: a bad
// enforce level as restricted, a bad audit or warn level as privileged (a
// mistake there should not refuse pods), a bad version as latest.
//
// When enforce is set and warn is not, warn follows enforce (level, and
// version if warn-version is unset too), so that a namespace which refuses
// a pod also explains, through warnings, why its pod templates would fail.
func PolicyFromLabels(labels map[string]string) (Policy, api.FieldErrors) {
	p := DefaultPolicy
	var errs api.FieldErrors
	bad := func(label, value string, err error) {
		errs = append(errs, api.FieldInvalid("metadata.labels["+label+"]", value, err.Error()))
	}
	level := func(label string, into *Level, failOpen bool) (set, ok bool) {
		v, set := labels[label]
		if !set {
			return false, false
		}
		l, err := ParseLevel(v)
		if err != nil {
			bad(label, v, err)
			if failOpen {
				l = Privileged
			}
		}
		*into = l
		return true, err == nil
	}
	version := func(label string, into *Version) bool {
		v, set := labels[label]
		if !set {
			return false
		}
		ver, err := ParseVersion(v)
		if err != nil {
			bad(label, v, err)
		}
		*into = ver
		return true
	}
	_, enforceOK := level(EnforceLevelLabel, &p.Enforce.Level, false)
	version(EnforceVersionLabel, &p.Enforce.Version)
	level(AuditLevelLabel, &p.Audit.Level, true)
	version(AuditVersionLabel, &p.Audit.Version)
	warnSet, _ := level(WarnLevelLabel, &p.Warn.Level, true)
	warnVersionSet := version(WarnVersionLabel, &p.Warn.Version)
	if !warnSet && enforceOK && p.Enforce.Level.strictness() > p.Warn.Level.strictness() {
		p.Warn.Level = p.Enforce.Level
		if !warnVersionSet {
			p.Warn.Version = p.Enforce.Version
		}
	}
	return p, errs
}
