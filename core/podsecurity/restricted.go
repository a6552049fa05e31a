package podsecurity

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// The restricted checks: hardening a pod must opt into. Unlike the
// baseline checks, several fail a pod that sets nothing (runAsNonRoot,
// seccompProfile, allowPrivilegeEscalation, capabilities.drop).

// allowPrivilegeEscalation requires no_new_privs in every container.
func allowPrivilegeEscalation(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	var bad []string
	containers(spec, func(c *api.Container) {
		if sc := c.SecurityContext; sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			bad = append(bad, c.Name)
		}
	})
	if len(bad) == 0 {
		return nil
	}
	return &Violation{"allowPrivilegeEscalation != false", named("container", "containers", bad) + " must set securityContext.allowPrivilegeEscalation=false"}
}

// capabilitiesRestricted requires every container to drop ALL and add back
// nothing but NET_BIND_SERVICE.
func capabilitiesRestricted(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	var noDrop, adding, caps []string
	containers(spec, func(c *api.Container) {
		if c.SecurityContext == nil || c.SecurityContext.Capabilities == nil {
			noDrop = append(noDrop, c.Name)
			return
		}
		cs := c.SecurityContext.Capabilities
		if !slices.Contains(cs.Drop, "ALL") {
			noDrop = append(noDrop, c.Name)
		}
		added := false
		for _, cap := range cs.Add {
			if cap != "NET_BIND_SERVICE" {
				added = true
				caps = append(caps, cap)
			}
		}
		if added {
			adding = append(adding, c.Name)
		}
	})
	var details []string
	if len(noDrop) > 0 {
		details = append(details, named("container", "containers", noDrop)+` must set securityContext.capabilities.drop=["ALL"]`)
	}
	if len(adding) > 0 {
		details = append(details, fmt.Sprintf("%s must not include %s in securityContext.capabilities.add",
			named("container", "containers", adding), quoted(sortedSet(caps))))
	}
	if len(details) == 0 {
		return nil
	}
	return &Violation{"unrestricted capabilities", strings.Join(details, "; ")}
}

// restrictedVolumes allows only the volume types that carry the pod's own
// data (emptyDir, configMap, secret, downwardAPI, projected,
// persistentVolumeClaim); of the others tinykube knows only hostPath.
func restrictedVolumes(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	var bad, types []string
	for _, v := range spec.Volumes {
		s := v.VolumeSource
		switch {
		case s.ConfigMap != nil, s.DownwardAPI != nil, s.EmptyDir != nil, s.PersistentVolumeClaim != nil,
			s.Projected != nil, s.Secret != nil:
			continue
		case s.HostPath != nil:
			types = append(types, "hostPath")
		default:
			types = append(types, "unknown")
		}
		bad = append(bad, v.Name)
	}
	if len(bad) == 0 {
		return nil
	}
	types = sortedSet(types)
	return &Violation{"restricted volume types", fmt.Sprintf("%s %s %s %s", named("volume", "volumes", bad),
		plural("uses", "use", len(bad)), plural("restricted volume type", "restricted volume types", len(types)), quoted(types))}
}

// runAsNonRoot requires runAsNonRoot=true, on the pod or on every
// container; an explicit false anywhere is named first.
func runAsNonRoot(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	pod, podTrue := false, false
	if sc := spec.SecurityContext; sc != nil && sc.RunAsNonRoot != nil {
		pod, podTrue = !*sc.RunAsNonRoot, *sc.RunAsNonRoot
	}
	var explicit, implicit []string
	containers(spec, func(c *api.Container) {
		switch sc := c.SecurityContext; {
		case sc != nil && sc.RunAsNonRoot != nil:
			if !*sc.RunAsNonRoot {
				explicit = append(explicit, c.Name)
			}
		case !podTrue:
			implicit = append(implicit, c.Name)
		}
	})
	switch {
	case pod || len(explicit) > 0:
		return &Violation{"runAsNonRoot != true", setters(pod, explicit) + " must not set securityContext.runAsNonRoot=false"}
	case len(implicit) > 0:
		return &Violation{"runAsNonRoot != true", "pod or " + named("container", "containers", implicit) + " must set securityContext.runAsNonRoot=true"}
	}
	return nil
}

// runAsUser refuses an explicit uid 0.
func runAsUser(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	pod := spec.SecurityContext != nil && spec.SecurityContext.RunAsUser != nil && *spec.SecurityContext.RunAsUser == 0
	var bad []string
	containers(spec, func(c *api.Container) {
		if sc := c.SecurityContext; sc != nil && sc.RunAsUser != nil && *sc.RunAsUser == 0 {
			bad = append(bad, c.Name)
		}
	})
	if !pod && len(bad) == 0 {
		return nil
	}
	return &Violation{"runAsUser=0", setters(pod, bad) + " must not set runAsUser=0"}
}

// seccompRestricted requires a confining seccomp profile, on the pod or on
// every container; an explicit Unconfined anywhere is named first.
func seccompRestricted(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	var values []string
	pod, podSet := false, false
	if sc := spec.SecurityContext; sc != nil && sc.SeccompProfile != nil {
		if goodSeccomp(sc.SeccompProfile.Type) {
			podSet = true
		} else {
			pod = true
			values = append(values, sc.SeccompProfile.Type)
		}
	}
	var explicit, implicit []string
	containers(spec, func(c *api.Container) {
		switch sc := c.SecurityContext; {
		case sc != nil && sc.SeccompProfile != nil:
			if !goodSeccomp(sc.SeccompProfile.Type) {
				explicit = append(explicit, c.Name)
				values = append(values, sc.SeccompProfile.Type)
			}
		case !podSet:
			implicit = append(implicit, c.Name)
		}
	})
	switch {
	case pod || len(explicit) > 0:
		return &Violation{"seccompProfile", fmt.Sprintf("%s must not set securityContext.seccompProfile.type to %s",
			setters(pod, explicit), quoted(sortedSet(values)))}
	case len(implicit) > 0:
		return &Violation{"seccompProfile", "pod or " + named("container", "containers", implicit) +
			` must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`}
	}
	return nil
}
