package podsecurity

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// The baseline checks: what would let a pod escape its container or reach
// the node. Each returns its violation worded as Kubernetes words it.

// hostNamespaces refuses the node's network, process and IPC namespaces.
func hostNamespaces(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	var set []string
	if spec.HostNetwork {
		set = append(set, "hostNetwork=true")
	}
	if spec.HostPID {
		set = append(set, "hostPID=true")
	}
	if spec.HostIPC {
		set = append(set, "hostIPC=true")
	}
	if len(set) == 0 {
		return nil
	}
	return &Violation{"host namespaces", strings.Join(set, ", ")}
}

// privileged refuses privileged containers.
func privileged(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	var bad []string
	containers(spec, func(c *api.Container) {
		if sc := c.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
			bad = append(bad, c.Name)
		}
	})
	if len(bad) == 0 {
		return nil
	}
	return &Violation{"privileged", named("container", "containers", bad) + " must not set securityContext.privileged=true"}
}

// defaultCapabilities are the capabilities container runtimes grant by
// default; baseline lets a container add only these (adding one back
// after dropping ALL is fine).
var defaultCapabilities = []string{
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

// capabilitiesBaseline refuses adding capabilities beyond the default set.
func capabilitiesBaseline(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	var bad, caps []string
	containers(spec, func(c *api.Container) {
		if c.SecurityContext == nil || c.SecurityContext.Capabilities == nil {
			return
		}
		ok := true
		for _, cap := range c.SecurityContext.Capabilities.Add {
			if !slices.Contains(defaultCapabilities, cap) {
				ok = false
				caps = append(caps, cap)
			}
		}
		if !ok {
			bad = append(bad, c.Name)
		}
	})
	if len(bad) == 0 {
		return nil
	}
	return &Violation{"non-default capabilities", fmt.Sprintf("%s must not include %s in securityContext.capabilities.add",
		named("container", "containers", bad), quoted(sortedSet(caps)))}
}

// hostPathVolumes refuses volumes from the node's file system.
func hostPathVolumes(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	var bad []string
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			bad = append(bad, v.Name)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &Violation{"hostPath volumes", named("volume", "volumes", bad)}
}

// hostPorts refuses ports opened on the node.
func hostPorts(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	var bad, ports []string
	containers(spec, func(c *api.Container) {
		ok := true
		for _, p := range c.Ports {
			if p.HostPort != 0 {
				ok = false
				ports = append(ports, strconv.Itoa(int(p.HostPort)))
			}
		}
		if !ok {
			bad = append(bad, c.Name)
		}
	})
	if len(bad) == 0 {
		return nil
	}
	// The ports are sorted as strings, as Kubernetes sorts them.
	ports = sortedSet(ports)
	return &Violation{"hostPort", fmt.Sprintf("%s %s %s %s", named("container", "containers", bad),
		plural("uses", "use", len(bad)), plural("hostPort", "hostPorts", len(ports)), strings.Join(ports, ", "))}
}

// hostProbes refuses probes aimed at another host than the pod (the
// kubelet would connect there on the pod's behalf).
func hostProbes(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	var bad, hosts []string
	containers(spec, func(c *api.Container) {
		found := false
		for _, p := range []*api.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
			if p == nil {
				continue
			}
			if h := p.HTTPGet; h != nil && h.Host != "" {
				found = true
				hosts = append(hosts, h.Host)
			}
			if t := p.TCPSocket; t != nil && t.Host != "" {
				found = true
				hosts = append(hosts, t.Host)
			}
		}
		if found {
			bad = append(bad, c.Name)
		}
	})
	if len(bad) == 0 {
		return nil
	}
	bad, hosts = sortedSet(bad), sortedSet(hosts)
	return &Violation{"probe or lifecycle host", fmt.Sprintf("%s %s %s %s", named("container", "containers", bad),
		plural("uses", "use", len(bad)), plural("probe or lifecycle host", "probe or lifecycle hosts", len(hosts)), quoted(hosts))}
}

// The AppArmor annotations that predate appArmorProfile.
const (
	appArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/"
	appArmorRuntimeDefault   = "runtime/default"
	appArmorLocalhostPrefix  = "localhost/"
)

// appArmorProfile refuses AppArmor profiles other than the runtime's
// default and the node's own (Localhost), in the fields and in the old
// annotations.
func appArmorProfile(meta *api.ObjectMeta, spec *api.PodSpec) *Violation {
	allowed := func(t string) bool { return t == api.SeccompProfileRuntimeDefault || t == api.SeccompProfileLocalhost }
	var who, values []string
	if sc := spec.SecurityContext; sc != nil && sc.AppArmorProfile != nil && !allowed(sc.AppArmorProfile.Type) {
		who = append(who, "pod")
		values = append(values, sc.AppArmorProfile.Type)
	}
	var bad []string
	containers(spec, func(c *api.Container) {
		if sc := c.SecurityContext; sc != nil && sc.AppArmorProfile != nil && !allowed(sc.AppArmorProfile.Type) {
			bad = append(bad, c.Name)
			values = append(values, sc.AppArmorProfile.Type)
		}
	})
	if len(bad) > 0 {
		who = append(who, named("container", "containers", bad))
	}
	values = sortedSet(values)
	var annotations []string
	for k, v := range meta.Annotations {
		if strings.HasPrefix(k, appArmorAnnotationPrefix) && v != "" && v != appArmorRuntimeDefault && !strings.HasPrefix(v, appArmorLocalhostPrefix) {
			annotations = append(annotations, fmt.Sprintf("%s=%q", k, v))
		}
	}
	if len(annotations) > 0 {
		slices.Sort(annotations)
		values = append(values, annotations...)
		who = append(who, plural("annotation", "annotations", len(annotations)))
	}
	if len(who) == 0 {
		return nil
	}
	return &Violation{plural("forbidden AppArmor profile", "forbidden AppArmor profiles", len(values)),
		fmt.Sprintf("%s must not set AppArmor profile type to %s", strings.Join(who, " and "), quoted(values))}
}

// The SELinux types a container may run as: the container types of the
// usual policies (container_engine_t, for nested runtimes, from 1.31).
var (
	seLinuxTypes    = []string{"", "container_t", "container_init_t", "container_kvm_t"}
	seLinuxTypes131 = []string{"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
)

// seLinuxOptions refuses custom SELinux users and roles, and types outside
// allowedTypes.
func seLinuxOptions(allowedTypes []string) checkFunc {
	return func(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
		var types []string
		var setUser, setRole bool
		ok := func(o *api.SELinuxOptions) bool {
			good := true
			if !slices.Contains(allowedTypes, o.Type) {
				good = false
				types = append(types, o.Type)
			}
			if o.User != "" {
				good, setUser = false, true
			}
			if o.Role != "" {
				good, setRole = false, true
			}
			return good
		}
		pod := false
		if sc := spec.SecurityContext; sc != nil && sc.SELinuxOptions != nil {
			pod = !ok(sc.SELinuxOptions)
		}
		var bad []string
		containers(spec, func(c *api.Container) {
			if sc := c.SecurityContext; sc != nil && sc.SELinuxOptions != nil && !ok(sc.SELinuxOptions) {
				bad = append(bad, c.Name)
			}
		})
		if !pod && len(bad) == 0 {
			return nil
		}
		var what []string
		if types = sortedSet(types); len(types) > 0 {
			what = append(what, named("type", "types", types))
		}
		if setUser {
			what = append(what, "user may not be set")
		}
		if setRole {
			what = append(what, "role may not be set")
		}
		return &Violation{"seLinuxOptions", fmt.Sprintf("%s set forbidden securityContext.seLinuxOptions: %s",
			setters(pod, bad), strings.Join(what, "; "))}
	}
}

// procMount refuses an unmasked /proc.
func procMount(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	var bad, types []string
	containers(spec, func(c *api.Container) {
		if sc := c.SecurityContext; sc != nil && sc.ProcMount != nil && *sc.ProcMount != "Default" {
			bad = append(bad, c.Name)
			types = append(types, *sc.ProcMount)
		}
	})
	if len(bad) == 0 {
		return nil
	}
	return &Violation{"procMount", fmt.Sprintf("%s must not set securityContext.procMount to %s",
		named("container", "containers", bad), quoted(sortedSet(types)))}
}

// The seccomp annotations that predate seccompProfile (policies before
// v1.19 read them).
const (
	seccompPodAnnotation       = "seccomp.security.alpha.kubernetes.io/pod"
	seccompContainerAnnotation = "container.seccomp.security.alpha.kubernetes.io/"
)

// seccompAnnotations refuses the old annotations' unconfined profiles.
func seccompAnnotations(meta *api.ObjectMeta, spec *api.PodSpec) *Violation {
	allowed := func(v string) bool {
		return v == "runtime/default" || v == "docker/default" || strings.HasPrefix(v, "localhost/")
	}
	var bad []string
	if v, ok := meta.Annotations[seccompPodAnnotation]; ok && !allowed(v) {
		bad = append(bad, fmt.Sprintf("%s=%q", seccompPodAnnotation, v))
	}
	containers(spec, func(c *api.Container) {
		k := seccompContainerAnnotation + c.Name
		if v, ok := meta.Annotations[k]; ok && !allowed(v) {
			bad = append(bad, fmt.Sprintf("%s=%q", k, v))
		}
	})
	if len(bad) == 0 {
		return nil
	}
	bad = sortedSet(bad)
	return &Violation{"seccompProfile", fmt.Sprintf("forbidden %s %s", plural("annotation", "annotations", len(bad)), strings.Join(bad, ", "))}
}

// goodSeccomp reports whether a seccomp profile type confines the
// process.
func goodSeccomp(t string) bool {
	return t == api.SeccompProfileRuntimeDefault || t == api.SeccompProfileLocalhost
}

// seccompBaseline refuses an explicitly Unconfined seccomp profile (unset
// is allowed: the runtime's default applies).
func seccompBaseline(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	var values []string
	pod := false
	if sc := spec.SecurityContext; sc != nil && sc.SeccompProfile != nil && !goodSeccomp(sc.SeccompProfile.Type) {
		pod = true
		values = append(values, sc.SeccompProfile.Type)
	}
	var bad []string
	containers(spec, func(c *api.Container) {
		if sc := c.SecurityContext; sc != nil && sc.SeccompProfile != nil && !goodSeccomp(sc.SeccompProfile.Type) {
			bad = append(bad, c.Name)
			values = append(values, sc.SeccompProfile.Type)
		}
	})
	if !pod && len(bad) == 0 {
		return nil
	}
	return &Violation{"seccompProfile", fmt.Sprintf("%s must not set securityContext.seccompProfile.type to %s",
		setters(pod, bad), quoted(sortedSet(values)))}
}

// safeSysctls are the sysctls each revision of the sysctls check allows:
// namespaced ones that cannot affect other pods.
var safeSysctls = func() [][]string {
	v0 := []string{"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
		"net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"}
	v27 := append(slices.Clone(v0), "net.ipv4.ip_local_reserved_ports")
	v29 := append(slices.Clone(v27), "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
		"net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes")
	v32 := append(slices.Clone(v29), "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem")
	v37 := append(slices.Clone(v32), "net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat")
	return [][]string{v0, v27, v29, v32, v37}
}()

// sysctls refuses sysctls outside the safe set, in the pod's order.
func sysctls(safe []string) checkFunc {
	return func(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
		if spec.SecurityContext == nil {
			return nil
		}
		var bad []string
		for _, s := range spec.SecurityContext.Sysctls {
			if !slices.Contains(safe, s.Name) {
				bad = append(bad, s.Name)
			}
		}
		if len(bad) == 0 {
			return nil
		}
		return &Violation{"forbidden sysctls", strings.Join(bad, ", ")}
	}
}

// windowsHostProcess refuses Windows host-process containers (which run
// on the node itself).
func windowsHostProcess(_ *api.ObjectMeta, spec *api.PodSpec) *Violation {
	hostProcess := func(o *api.WindowsSecurityContextOptions) bool {
		return o != nil && o.HostProcess != nil && *o.HostProcess
	}
	var bad []string
	containers(spec, func(c *api.Container) {
		if c.SecurityContext != nil && hostProcess(c.SecurityContext.WindowsOptions) {
			bad = append(bad, c.Name)
		}
	})
	pod := spec.SecurityContext != nil && hostProcess(spec.SecurityContext.WindowsOptions)
	if !pod && len(bad) == 0 {
		return nil
	}
	return &Violation{"hostProcess", setters(pod, bad) + " must not set securityContext.windowsOptions.hostProcess=true"}
}
