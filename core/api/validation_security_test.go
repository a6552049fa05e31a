package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidateSecurityContext(t *testing.T) {
	const pc, cc = "spec.securityContext", "spec.containers[0].securityContext"
	sc := func(p *Pod) *SecurityContext {
		if p.Spec.Containers[0].SecurityContext == nil {
			p.Spec.Containers[0].SecurityContext = &SecurityContext{}
		}
		return p.Spec.Containers[0].SecurityContext
	}
	psc := func(p *Pod) *PodSecurityContext {
		if p.Spec.SecurityContext == nil {
			p.Spec.SecurityContext = &PodSecurityContext{}
		}
		return p.Spec.SecurityContext
	}
	tests := []struct {
		name   string
		mutate func(p *Pod)
		want   []string
	}{
		{"a restricted pod is valid", func(p *Pod) {
			psc(p).RunAsNonRoot = ptrTo(true)
			psc(p).SeccompProfile = &SeccompProfile{Type: "RuntimeDefault"}
			psc(p).Sysctls = []Sysctl{{Name: "net.ipv4.ip_local_port_range", Value: "1024 65535"}, {Name: "kernel/shm_rmid_forced", Value: "1"}}
			psc(p).FSGroupChangePolicy = ptrTo("OnRootMismatch")
			psc(p).SupplementalGroupsPolicy = ptrTo("Strict")
			psc(p).SupplementalGroups = []int64{0, 2147483647}
			c := sc(p)
			c.RunAsUser, c.RunAsGroup = ptrTo[int64](1000), ptrTo[int64](1000)
			c.AllowPrivilegeEscalation, c.ReadOnlyRootFilesystem = ptrTo(false), ptrTo(true)
			c.Capabilities = &Capabilities{Drop: []string{"ALL"}, Add: []string{"NET_BIND_SERVICE", "CAP_CHOWN"}}
			c.ProcMount = ptrTo("Default")
			c.SeccompProfile = &SeccompProfile{Type: "Localhost", LocalhostProfile: ptrTo("profiles/audit.json")}
			c.AppArmorProfile = &AppArmorProfile{Type: "Localhost", LocalhostProfile: ptrTo("k8s-apparmor-example")}
		}, nil},
		{"pod ids in range", func(p *Pod) {
			psc(p).RunAsUser, psc(p).RunAsGroup, psc(p).FSGroup = ptrTo[int64](-1), ptrTo[int64](1<<31), ptrTo[int64](-5)
			psc(p).SupplementalGroups = []int64{1, -2}
		}, []string{
			pc + ".runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive",
			pc + ".runAsGroup: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive",
			pc + ".fsGroup: Invalid value: -5: must be between 0 and 2147483647, inclusive",
			pc + ".supplementalGroups[1]: Invalid value: -2: must be between 0 and 2147483647, inclusive",
		}},
		{"container ids in range", func(p *Pod) { sc(p).RunAsUser, sc(p).RunAsGroup = ptrTo[int64](-1), ptrTo[int64](-1) }, []string{
			cc + ".runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive",
			cc + ".runAsGroup: Invalid value: -1: must be between 0 and 2147483647, inclusive",
		}},
		{"sysctls", func(p *Pod) {
			psc(p).Sysctls = []Sysctl{{Name: ""}, {Name: "Net.IPv4"}, {Name: "kernel.msgmax"}, {Name: "kernel.msgmax"}, {Name: "a..b"}}
		}, []string{
			pc + ".sysctls[0].name: Required value",
			pc + `.sysctls[1].name: Invalid value: "Net.IPv4": must have at most 253 characters and match regex ([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?`,
			pc + `.sysctls[3].name: Duplicate value: "kernel.msgmax"`,
			pc + `.sysctls[4].name: Invalid value: "a..b": must have at most 253 characters and match regex ([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?`,
		}},
		{"pod policies", func(p *Pod) {
			psc(p).FSGroupChangePolicy = ptrTo("Sometimes")
			psc(p).SupplementalGroupsPolicy = ptrTo("merge")
		}, []string{
			pc + `.supplementalGroupsPolicy: Unsupported value: "merge": supported values: "Merge", "Strict"`,
			pc + `.fsGroupChangePolicy: Unsupported value: "Sometimes": supported values: "Always", "OnRootMismatch"`,
		}},
		{"seccomp type required", func(p *Pod) { psc(p).SeccompProfile = &SeccompProfile{} },
			[]string{pc + ".seccompProfile.type: Required value: type is required when seccompProfile is set"}},
		{"seccomp type unknown", func(p *Pod) { sc(p).SeccompProfile = &SeccompProfile{Type: "runtime/default"} },
			[]string{cc + `.seccompProfile.type: Unsupported value: "runtime/default": supported values: "Localhost", "RuntimeDefault", "Unconfined"`}},
		{"seccomp localhost needs a profile", func(p *Pod) { sc(p).SeccompProfile = &SeccompProfile{Type: "Localhost"} },
			[]string{cc + ".seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost"}},
		{"seccomp localhost profile is relative", func(p *Pod) {
			sc(p).SeccompProfile = &SeccompProfile{Type: "Localhost", LocalhostProfile: ptrTo("/etc/../x.json")}
		}, []string{
			cc + `.seccompProfile.localhostProfile: Invalid value: "/etc/../x.json": must be a relative path`,
			cc + `.seccompProfile.localhostProfile: Invalid value: "/etc/../x.json": must not contain '..'`,
		}},
		{"seccomp profile only for Localhost", func(p *Pod) {
			psc(p).SeccompProfile = &SeccompProfile{Type: "RuntimeDefault", LocalhostProfile: ptrTo("x.json")}
		}, []string{pc + `.seccompProfile.localhostProfile: Invalid value: "x.json": can only be set when seccomp type is Localhost`}},
		{"apparmor type required", func(p *Pod) { sc(p).AppArmorProfile = &AppArmorProfile{} },
			[]string{cc + ".appArmorProfile.type: Required value: type is required when appArmorProfile is set"}},
		{"apparmor type unknown", func(p *Pod) { psc(p).AppArmorProfile = &AppArmorProfile{Type: "unconfined"} },
			[]string{pc + `.appArmorProfile.type: Unsupported value: "unconfined": supported values: "Localhost", "RuntimeDefault", "Unconfined"`}},
		{"apparmor localhost needs a profile", func(p *Pod) { sc(p).AppArmorProfile = &AppArmorProfile{Type: "Localhost"} },
			[]string{cc + ".appArmorProfile.localhostProfile: Required value: must be set when AppArmor type is Localhost"}},
		{"apparmor profile blank", func(p *Pod) { sc(p).AppArmorProfile = &AppArmorProfile{Type: "Localhost", LocalhostProfile: ptrTo("")} },
			[]string{cc + ".appArmorProfile.localhostProfile: Required value: must be set when AppArmor type is Localhost"}},
		{"apparmor profile padded", func(p *Pod) {
			sc(p).AppArmorProfile = &AppArmorProfile{Type: "Localhost", LocalhostProfile: ptrTo(" x")}
		},
			[]string{cc + `.appArmorProfile.localhostProfile: Invalid value: " x": must not be padded with whitespace`}},
		{"apparmor profile only for Localhost", func(p *Pod) {
			sc(p).AppArmorProfile = &AppArmorProfile{Type: "Unconfined", LocalhostProfile: ptrTo("x")}
		}, []string{cc + `.appArmorProfile.localhostProfile: Invalid value: "x": can only be set when AppArmor type is Localhost`}},
		{"procMount", func(p *Pod) { sc(p).ProcMount = ptrTo("Masked") },
			[]string{cc + `.procMount: Unsupported value: "Masked": supported values: "Default", "Unmasked"`}},
		{"capability names", func(p *Pod) {
			sc(p).Capabilities = &Capabilities{Add: []string{"NET_ADMIN", "net admin"}, Drop: []string{""}}
		}, []string{
			cc + `.capabilities.add[1]: Invalid value: "net admin": must be a Linux capability name such as NET_ADMIN, CAP_NET_ADMIN or ALL (letters, digits and '_')`,
			cc + `.capabilities.drop[0]: Invalid value: "": must be a Linux capability name such as NET_ADMIN, CAP_NET_ADMIN or ALL (letters, digits and '_')`,
		}},
		{"privileged without escalation", func(p *Pod) { sc(p).Privileged, sc(p).AllowPrivilegeEscalation = ptrTo(true), ptrTo(false) },
			[]string{cc + ": Invalid value: cannot set `allowPrivilegeEscalation` to false and `privileged` to true"}},
		{"privileged with escalation", func(p *Pod) { sc(p).Privileged, sc(p).AllowPrivilegeEscalation = ptrTo(true), ptrTo(true) }, nil},
		{"init containers are checked", func(p *Pod) {
			p.Spec.InitContainers = []Container{{Name: "init", Image: "busybox", SecurityContext: &SecurityContext{ProcMount: ptrTo("x")}}}
		}, []string{`spec.initContainers[0].securityContext.procMount: Unsupported value: "x": supported values: "Default", "Unmasked"`}},
	}
	for _, tt := range tests {
		pod := validPod()
		tt.mutate(pod)
		got := errStrings(Validate(pod))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Validate(pod) (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestSecurityContextImmutable: a pod's securityContext, its own and its
// containers', cannot change once the pod exists, as the rest of its spec.
func TestSecurityContextImmutable(t *testing.T) {
	old := validPod()
	tests := []struct {
		name   string
		mutate func(p *Pod)
		want   string
	}{
		{"container privileged", func(p *Pod) { p.Spec.Containers[0].SecurityContext = &SecurityContext{Privileged: ptrTo(true)} }, "spec.containers"},
		{"pod runAsUser", func(p *Pod) { p.Spec.SecurityContext = &PodSecurityContext{RunAsUser: ptrTo[int64](0)} }, "spec.securityContext"},
		{"hostPID", func(p *Pod) { p.Spec.HostPID = true }, "spec.hostPID"},
	}
	for _, tt := range tests {
		next := validPod()
		next.ResourceVersion, old.ResourceVersion = "1", "1"
		tt.mutate(next)
		errs := ValidateUpdate(next, old)
		want := "spec: Forbidden: pod updates may not change fields other than " + podUpdatableFields + " (changed: " + tt.want + ")"
		if got := errStrings(errs); len(got) != 1 || got[0] != want {
			t.Errorf("%s: ValidateUpdate = %q, want [%q]", tt.name, got, want)
		}
	}
}
