package api

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Validation of securityContext, the pod's and each container's, with
// Kubernetes' messages. What the fields may say is checked here; whether a
// namespace allows what they say is Pod Security admission's question
// (core/podsecurity).

// The values of enumerated security fields, sorted as Kubernetes lists
// them.
var (
	profileTypes              = []string{SeccompProfileLocalhost, SeccompProfileRuntimeDefault, SeccompProfileUnconfined}
	procMountTypes            = []string{"Default", "Unmasked"}
	fsGroupChangePolicies     = []string{"Always", "OnRootMismatch"}
	supplementalGroupsPolices = []string{"Merge", "Strict"}
)

// A sysctl name: dot- or slash-separated segments of [a-z0-9_-], each
// starting and ending with a letter or digit, 253 characters at most.
const (
	sysctlSegmentFmt = "[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
	sysctlFmt        = "(" + sysctlSegmentFmt + "[\\./])*" + sysctlSegmentFmt
	sysctlMaxLength  = 253
)

var (
	sysctlRe = regexp.MustCompile("^" + sysctlFmt + "$")
	// capabilityRe is a Linux capability name with or without its CAP_
	// prefix ("NET_ADMIN", "CAP_NET_ADMIN", "ALL"); runtimes add the
	// prefix when it is missing.
	capabilityRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// validatePodSecurityContext checks spec.securityContext at p: ids in
// range, sysctls well-formed and unique, the enumerated policies, and the
// seccomp and AppArmor profiles. A nil sc is valid.
func validatePodSecurityContext(sc *PodSecurityContext, p path) FieldErrors {
	if sc == nil {
		return nil
	}
	errs := validateIDs(sc.RunAsUser, sc.RunAsGroup, p)
	if sc.FSGroup != nil {
		errs = append(errs, validateID(*sc.FSGroup, p.child("fsGroup"))...)
	}
	for i, g := range sc.SupplementalGroups {
		errs = append(errs, validateID(g, p.child("supplementalGroups").index(i))...)
	}
	if v := sc.SupplementalGroupsPolicy; v != nil && !oneOf(*v, supplementalGroupsPolices...) {
		errs = append(errs, FieldNotSupported(p.child("supplementalGroupsPolicy").String(), *v, supplementalGroupsPolices))
	}
	errs = append(errs, validateSysctls(sc.Sysctls, p.child("sysctls"))...)
	if v := sc.FSGroupChangePolicy; v != nil && !oneOf(*v, fsGroupChangePolicies...) {
		errs = append(errs, FieldNotSupported(p.child("fsGroupChangePolicy").String(), *v, fsGroupChangePolicies))
	}
	errs = append(errs, validateSeccompProfile(sc.SeccompProfile, p.child("seccompProfile"))...)
	errs = append(errs, validateAppArmorProfile(sc.AppArmorProfile, p.child("appArmorProfile"))...)
	return errs
}

// validateSecurityContext checks one container's securityContext at p:
// ids in range, procMount, profiles, capability names, and that a
// privileged container does not also claim no privilege escalation (the
// two contradict each other). A nil sc is valid.
func validateSecurityContext(sc *SecurityContext, p path) FieldErrors {
	if sc == nil {
		return nil
	}
	errs := validateIDs(sc.RunAsUser, sc.RunAsGroup, p)
	if v := sc.ProcMount; v != nil && !oneOf(*v, procMountTypes...) {
		errs = append(errs, FieldNotSupported(p.child("procMount").String(), *v, procMountTypes))
	}
	if c := sc.Capabilities; c != nil {
		for _, l := range []struct {
			names []string
			field string
		}{{c.Add, "add"}, {c.Drop, "drop"}} {
			for i, name := range l.names {
				if !capabilityRe.MatchString(name) {
					errs = append(errs, FieldInvalid(p.child("capabilities", l.field).index(i).String(), name,
						"must be a Linux capability name such as NET_ADMIN, CAP_NET_ADMIN or ALL (letters, digits and '_')"))
				}
			}
		}
	}
	if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation && sc.Privileged != nil && *sc.Privileged {
		// Kubernetes prints the whole securityContext as the value; its
		// pointers would make the message differ run to run, so the value
		// is left out.
		errs = append(errs, &FieldError{Type: ErrorTypeInvalid, Field: p.String(),
			Detail: "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"})
	}
	errs = append(errs, validateSeccompProfile(sc.SeccompProfile, p.child("seccompProfile"))...)
	errs = append(errs, validateAppArmorProfile(sc.AppArmorProfile, p.child("appArmorProfile"))...)
	return errs
}

// validateIDs checks runAsUser and runAsGroup below p.
func validateIDs(user, group *int64, p path) FieldErrors {
	var errs FieldErrors
	if user != nil {
		errs = append(errs, validateID(*user, p.child("runAsUser"))...)
	}
	if group != nil {
		errs = append(errs, validateID(*group, p.child("runAsGroup"))...)
	}
	return errs
}

// validateID checks a user or group id: 0 to 2^31-1, as Kubernetes bounds
// them (ids above are used by user namespaces' mappings).
func validateID(id int64, p path) FieldErrors {
	if id < 0 || id > math.MaxInt32 {
		return FieldErrors{FieldInvalid(p.String(), id, inclusiveRangeError(0, math.MaxInt32))}
	}
	return nil
}

// validateSysctls checks each sysctl's name (required, well-formed) and
// that no name repeats.
func validateSysctls(sysctls []Sysctl, p path) FieldErrors {
	var errs FieldErrors
	seen := map[string]bool{}
	for i, s := range sysctls {
		np := p.index(i).child("name")
		switch {
		case s.Name == "":
			errs = append(errs, FieldRequired(np.String(), ""))
		case len(s.Name) > sysctlMaxLength || !sysctlRe.MatchString(s.Name):
			errs = append(errs, FieldInvalid(np.String(), s.Name,
				"must have at most "+strconv.Itoa(sysctlMaxLength)+" characters and match regex "+sysctlFmt))
		case seen[s.Name]:
			errs = append(errs, FieldDuplicate(np.String(), s.Name))
		}
		seen[s.Name] = true
	}
	return errs
}

// validateSeccompProfile checks a seccomp profile at p: a known type, and
// a localhostProfile (a relative path below the kubelet's seccomp
// directory) exactly when the type is Localhost.
func validateSeccompProfile(sp *SeccompProfile, p path) FieldErrors {
	if sp == nil {
		return nil
	}
	var errs FieldErrors
	switch {
	case sp.Type == "":
		errs = append(errs, FieldRequired(p.child("type").String(), "type is required when seccompProfile is set"))
	case !oneOf(sp.Type, profileTypes...):
		errs = append(errs, FieldNotSupported(p.child("type").String(), sp.Type, profileTypes))
	}
	lp := p.child("localhostProfile")
	switch {
	case sp.Type == SeccompProfileLocalhost && sp.LocalhostProfile == nil:
		errs = append(errs, FieldRequired(lp.String(), "must be set when seccomp type is Localhost"))
	case sp.Type == SeccompProfileLocalhost:
		errs = append(errs, validateRelativePath(*sp.LocalhostProfile, lp)...)
	case sp.LocalhostProfile != nil:
		errs = append(errs, FieldInvalid(lp.String(), *sp.LocalhostProfile, "can only be set when seccomp type is Localhost"))
	}
	return errs
}

// maxLocalhostProfileLength bounds an AppArmor profile's name, as
// Kubernetes does.
const maxLocalhostProfileLength = 4095

// validateAppArmorProfile checks an AppArmor profile at p: a known type,
// and a localhostProfile (a profile name loaded on the node, not blank, not
// padded) exactly when the type is Localhost.
func validateAppArmorProfile(ap *AppArmorProfile, p path) FieldErrors {
	if ap == nil {
		return nil
	}
	lp := p.child("localhostProfile")
	switch ap.Type {
	case SeccompProfileLocalhost:
		if ap.LocalhostProfile == nil {
			return FieldErrors{FieldRequired(lp.String(), "must be set when AppArmor type is Localhost")}
		}
		var errs FieldErrors
		v := *ap.LocalhostProfile
		switch {
		case strings.TrimSpace(v) != v:
			errs = append(errs, FieldInvalid(lp.String(), v, "must not be padded with whitespace"))
		case v == "":
			errs = append(errs, FieldRequired(lp.String(), "must be set when AppArmor type is Localhost"))
		}
		if len(v) > maxLocalhostProfileLength {
			errs = append(errs, FieldTooLong(lp.String(), maxLocalhostProfileLength))
		}
		return errs
	case SeccompProfileRuntimeDefault, SeccompProfileUnconfined:
		if ap.LocalhostProfile != nil {
			return FieldErrors{FieldInvalid(lp.String(), *ap.LocalhostProfile, "can only be set when AppArmor type is Localhost")}
		}
		return nil
	case "":
		return FieldErrors{FieldRequired(p.child("type").String(), "type is required when appArmorProfile is set")}
	}
	return FieldErrors{FieldNotSupported(p.child("type").String(), ap.Type, profileTypes)}
}
