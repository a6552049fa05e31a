package kubelet

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// A container's securityContext is read over its pod's: a field the
// container sets wins, a field it leaves unset takes the pod's value, and
// what neither sets is the runtime's default (the image's user, the
// runtime's capabilities, no seccomp filter). The kubelet resolves the two
// into one ContainerSecurity, and the runtime applies it. Some fields exist
// only on one side:
//
//   - supplementalGroups and fsGroup are the pod's alone: every container
//     gets them as extra groups, fsGroup last;
//   - capabilities, privileged, readOnlyRootFilesystem and
//     allowPrivilegeEscalation are the container's alone.
//
// allowPrivilegeEscalation is a negative: only an explicit false sets the
// kernel's no_new_privs, and a privileged container may always escalate
// (the API refuses privileged with allowPrivilegeEscalation false).
//
// runAsNonRoot is a check, not a setting: the runtime, which alone knows
// the image's user, asks CheckRunAsNonRoot before it creates the
// container.

// containerSecurity resolves the security settings c runs with, its own
// securityContext over pod's. c is one of pod's containers (or init
// containers); neither is changed.
func containerSecurity(pod *api.Pod, c *api.Container) ContainerSecurity {
	var out ContainerSecurity
	psc := pod.Spec.SecurityContext
	if psc == nil {
		psc = &api.PodSecurityContext{}
	}
	csc := c.SecurityContext
	if csc == nil {
		csc = &api.SecurityContext{}
	}
	out.RunAsUser = clonePtr(firstSet(csc.RunAsUser, psc.RunAsUser))
	out.RunAsGroup = clonePtr(firstSet(csc.RunAsGroup, psc.RunAsGroup))
	if p := firstSet(csc.RunAsNonRoot, psc.RunAsNonRoot); p != nil {
		out.RunAsNonRoot = *p
	}
	out.SupplementalGroups = slices.Clone(psc.SupplementalGroups)
	if psc.FSGroup != nil {
		out.FSGroup = clonePtr(psc.FSGroup)
		if !slices.Contains(out.SupplementalGroups, *psc.FSGroup) {
			out.SupplementalGroups = append(out.SupplementalGroups, *psc.FSGroup)
		}
	}
	out.ReadOnlyRootFilesystem = isTrue(csc.ReadOnlyRootFilesystem)
	out.Privileged = isTrue(csc.Privileged)
	if p := csc.AllowPrivilegeEscalation; p != nil && !*p && !out.Privileged {
		out.NoNewPrivileges = true
	}
	if caps := csc.Capabilities; caps != nil {
		out.CapAdd = slices.Clone(caps.Add)
		out.CapDrop = slices.Clone(caps.Drop)
	}
	out.Seccomp = seccompOf(firstSet(csc.SeccompProfile, psc.SeccompProfile))
	return out
}

// seccompOf writes a seccompProfile as ContainerSecurity.Seccomp: "" when
// unset, the type otherwise, and "Localhost/" followed by the profile's
// path (relative to the node's seccomp directory) for a Localhost one.
func seccompOf(p *api.SeccompProfile) string {
	if p == nil {
		return ""
	}
	if p.Type == api.SeccompProfileLocalhost {
		path := ""
		if p.LocalhostProfile != nil {
			path = *p.LocalhostProfile
		}
		return api.SeccompProfileLocalhost + "/" + path
	}
	return p.Type
}

// firstSet returns the container's setting when it has one, else the
// pod's (either may be nil).
func firstSet[T any](container, pod *T) *T {
	if container != nil {
		return container
	}
	return pod
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func isTrue(p *bool) bool { return p != nil && *p }

// ImageUser reads an image's configured user (the OCI image config's
// "User": "", "1000", "1000:3000", "nginx", "nginx:web") as Kubernetes'
// kubelet does: the part before the colon is a uid when it is a number,
// else a user name; an image that names no user runs as root (uid 0).
// Exactly one of uid and name is set.
func ImageUser(user string) (uid *int64, name string) {
	u, _, _ := strings.Cut(user, ":")
	if u == "" {
		zero := int64(0)
		return &zero, ""
	}
	if n, err := strconv.ParseInt(u, 10, 64); err == nil {
		return &n, ""
	}
	return nil, u
}

// CheckRunAsNonRoot is what a runtime asks before it creates a container
// whose Security has RunAsNonRoot: it returns a *ConfigError, worded as
// Kubernetes' kubelet words it, when the process would run as root — an
// explicit runAsUser 0, or no runAsUser and an image whose user (imageUser,
// the image config's "User") is uid 0, unset, or a name, which cannot be
// shown not to be root. The pod is named from cfg's labels. It returns nil
// when runAsNonRoot is not asked or is satisfied.
func CheckRunAsNonRoot(cfg ContainerConfig, imageUser string) error {
	sec := cfg.Security
	if !sec.RunAsNonRoot {
		return nil
	}
	pod := fmt.Sprintf("%s_%s(%s)", cfg.Labels[LabelPodName], cfg.Labels[LabelPodNamespace], cfg.Labels[LabelPodUID])
	if sec.RunAsUser != nil {
		if *sec.RunAsUser == 0 {
			return &ConfigError{Message: fmt.Sprintf("container's runAsUser breaks non-root policy (pod: %q, container: %s)", pod, cfg.Name)}
		}
		return nil
	}
	uid, name := ImageUser(imageUser)
	switch {
	case uid == nil:
		return &ConfigError{Message: fmt.Sprintf("container has runAsNonRoot and image has non-numeric user (%s), cannot verify user is non-root (pod: %q, container: %s)", name, pod, cfg.Name)}
	case *uid == 0:
		return &ConfigError{Message: fmt.Sprintf("container has runAsNonRoot and image will run as root (pod: %q, container: %s)", pod, cfg.Name)}
	}
	return nil
}
