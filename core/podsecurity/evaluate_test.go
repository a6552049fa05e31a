package podsecurity

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
)

func ptr[T any](v T) *T { return &v }

// restrictedPod passes every level: the checks below break it one field
// at a time.
func restrictedPod() (*api.ObjectMeta, *api.PodSpec) {
	return &api.ObjectMeta{Name: "x"}, &api.PodSpec{
		SecurityContext: &api.PodSecurityContext{
			RunAsNonRoot:   ptr(true),
			SeccompProfile: &api.SeccompProfile{Type: "RuntimeDefault"},
		},
		Volumes: []api.Volume{{Name: "data", VolumeSource: api.VolumeSource{EmptyDir: &api.EmptyDirVolumeSource{}}}},
		Containers: []api.Container{{
			Name:  "c",
			Image: "nginx",
			SecurityContext: &api.SecurityContext{
				AllowPrivilegeEscalation: ptr(false),
				Capabilities:             &api.Capabilities{Drop: []string{"ALL"}, Add: []string{"NET_BIND_SERVICE"}},
			},
		}},
	}
}

func TestEvaluate(t *testing.T) {
	csc := func(s *api.PodSpec) *api.SecurityContext { return s.Containers[0].SecurityContext }
	second := func(s *api.PodSpec) {
		s.InitContainers = []api.Container{{Name: "init", Image: "busybox", SecurityContext: &api.SecurityContext{
			AllowPrivilegeEscalation: ptr(false), Capabilities: &api.Capabilities{Drop: []string{"ALL"}}}}}
	}
	tests := []struct {
		name   string
		level  Level
		mutate func(m *api.ObjectMeta, s *api.PodSpec)
		want   string // Detail of the violations; "" for none
	}{
		{"restricted pod", Restricted, func(*api.ObjectMeta, *api.PodSpec) {}, ""},
		{"privileged allows anything", Privileged, func(_ *api.ObjectMeta, s *api.PodSpec) { s.HostPID = true; csc(s).Privileged = ptr(true) }, ""},
		{"host namespaces", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) { s.HostNetwork, s.HostPID, s.HostIPC = true, true, true },
			"host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)"},
		{"privileged", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) { csc(s).Privileged = ptr(true) },
			`privileged (container "c" must not set securityContext.privileged=true)`},
		{"privileged containers", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) {
			second(s)
			csc(s).Privileged = ptr(true)
			s.InitContainers[0].SecurityContext.Privileged = ptr(true)
		}, `privileged (containers "init", "c" must not set securityContext.privileged=true)`},
		{"baseline capabilities", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) {
			csc(s).Capabilities.Add = []string{"SYS_ADMIN", "CHOWN", "NET_ADMIN", "SYS_ADMIN"}
		}, `non-default capabilities (container "c" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)`},
		{"baseline allows default capabilities", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) {
			csc(s).Capabilities = &api.Capabilities{Add: []string{"CHOWN", "KILL"}}
		}, ""},
		{"hostPath", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.Volumes = append(s.Volumes, api.Volume{Name: "root", VolumeSource: api.VolumeSource{HostPath: &api.HostPathVolumeSource{Path: "/"}}},
				api.Volume{Name: "logs", VolumeSource: api.VolumeSource{HostPath: &api.HostPathVolumeSource{Path: "/var/log"}}})
		}, `hostPath volumes (volumes "root", "logs")`},
		{"restricted volumes", Restricted, func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.Volumes = append(s.Volumes, api.Volume{Name: "root", VolumeSource: api.VolumeSource{HostPath: &api.HostPathVolumeSource{Path: "/"}}})
		}, `restricted volume types (volume "root" uses restricted volume type "hostPath")`},
		{"host ports", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.Containers[0].Ports = []api.ContainerPort{{ContainerPort: 80, HostPort: 8080}, {ContainerPort: 443, HostPort: 443}}
		}, `hostPort (container "c" uses hostPorts 443, 8080)`},
		{"probe host", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.Containers[0].LivenessProbe = &api.Probe{ProbeHandler: api.ProbeHandler{HTTPGet: &api.HTTPGetAction{Host: "10.0.0.1"}}}
		}, `probe or lifecycle host (container "c" uses probe or lifecycle host "10.0.0.1")`},
		{"apparmor", Baseline, func(m *api.ObjectMeta, s *api.PodSpec) {
			csc(s).AppArmorProfile = &api.AppArmorProfile{Type: "Unconfined"}
			m.Annotations = map[string]string{appArmorAnnotationPrefix + "c": "unconfined", appArmorAnnotationPrefix + "d": "localhost/x"}
		}, `forbidden AppArmor profiles (container "c" and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/c="unconfined"")`},
		{"apparmor pod", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.SecurityContext.AppArmorProfile = &api.AppArmorProfile{Type: "Unconfined"}
		}, `forbidden AppArmor profile (pod must not set AppArmor profile type to "Unconfined")`},
		{"selinux", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.SecurityContext.SELinuxOptions = &api.SELinuxOptions{Type: "spc_t"}
			csc(s).SELinuxOptions = &api.SELinuxOptions{User: "root", Role: "sysadm_r"}
		}, `seLinuxOptions (pod and container "c" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set; role may not be set)`},
		{"selinux allowed type", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) {
			csc(s).SELinuxOptions = &api.SELinuxOptions{Type: "container_engine_t", Level: "s0:c1"}
		}, ""},
		{"procMount", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) { csc(s).ProcMount = ptr("Unmasked") },
			`procMount (container "c" must not set securityContext.procMount to "Unmasked")`},
		{"procMount in a user namespace, baseline", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) {
			csc(s).ProcMount = ptr("Unmasked")
			s.HostUsers = ptr(false)
		}, ""},
		{"procMount in a user namespace, restricted", Restricted, func(_ *api.ObjectMeta, s *api.PodSpec) {
			csc(s).ProcMount = ptr("Unmasked")
			s.HostUsers = ptr(false)
		}, `procMount (container "c" must not set securityContext.procMount to "Unmasked")`},
		{"seccomp baseline", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.SecurityContext.SeccompProfile = &api.SeccompProfile{Type: "Unconfined"}
			csc(s).SeccompProfile = &api.SeccompProfile{Type: "Unconfined"}
		}, `seccompProfile (pod and container "c" must not set securityContext.seccompProfile.type to "Unconfined")`},
		{"seccomp baseline allows unset", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) { s.SecurityContext = nil }, ""},
		{"seccomp restricted requires it", Restricted, func(_ *api.ObjectMeta, s *api.PodSpec) { s.SecurityContext.SeccompProfile = nil },
			`seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`},
		{"seccomp restricted, container sets it", Restricted, func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.SecurityContext.SeccompProfile = nil
			csc(s).SeccompProfile = &api.SeccompProfile{Type: "Localhost", LocalhostProfile: ptr("p.json")}
		}, ""},
		{"sysctls", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.SecurityContext.Sysctls = []api.Sysctl{{Name: "kernel.msgmax"}, {Name: "net.ipv4.tcp_syncookies"}, {Name: "net.core.somaxconn"}}
		}, "forbidden sysctls (kernel.msgmax, net.core.somaxconn)"},
		{"windows host process", Baseline, func(_ *api.ObjectMeta, s *api.PodSpec) {
			csc(s).WindowsOptions = &api.WindowsSecurityContextOptions{HostProcess: ptr(true)}
		}, `hostProcess (container "c" must not set securityContext.windowsOptions.hostProcess=true)`},
		{"allowPrivilegeEscalation unset", Restricted, func(_ *api.ObjectMeta, s *api.PodSpec) { csc(s).AllowPrivilegeEscalation = nil },
			`allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false)`},
		{"restricted capabilities", Restricted, func(_ *api.ObjectMeta, s *api.PodSpec) {
			second(s)
			s.InitContainers[0].SecurityContext.Capabilities = nil
			csc(s).Capabilities.Add = []string{"CHOWN"}
		}, `unrestricted capabilities (container "init" must set securityContext.capabilities.drop=["ALL"]; container "c" must not include "CHOWN" in securityContext.capabilities.add)`},
		{"runAsNonRoot unset", Restricted, func(_ *api.ObjectMeta, s *api.PodSpec) { s.SecurityContext.RunAsNonRoot = nil },
			`runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true)`},
		{"runAsNonRoot false", Restricted, func(_ *api.ObjectMeta, s *api.PodSpec) { csc(s).RunAsNonRoot = ptr(false) },
			`runAsNonRoot != true (container "c" must not set securityContext.runAsNonRoot=false)`},
		{"runAsNonRoot in a user namespace", Restricted, func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.SecurityContext.RunAsNonRoot = nil
			s.HostUsers = ptr(false)
		}, ""},
		{"runAsUser 0", Restricted, func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.SecurityContext.RunAsUser = ptr[int64](0)
			csc(s).RunAsUser = ptr[int64](0)
		}, `runAsUser=0 (pod and container "c" must not set runAsUser=0)`},
		{"the brief's pod", Restricted, func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.SecurityContext = nil
			s.Containers[0].SecurityContext = &api.SecurityContext{Privileged: ptr(true)}
		}, `privileged (container "c" must not set securityContext.privileged=true), ` +
			`allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ` +
			`unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ` +
			`runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ` +
			`seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`},
	}
	for _, tt := range tests {
		meta, spec := restrictedPod()
		tt.mutate(meta, spec)
		if got := Detail(Evaluate(tt.level, LatestVersion, meta, spec)); got != tt.want {
			t.Errorf("%s: Detail(Evaluate(%s:latest)) =\n  %s\nwant\n  %s", tt.name, tt.level, got, tt.want)
		}
	}
}

// TestEvaluateVersions: a pinned version applies the checks as that
// Kubernetes release defined them.
func TestEvaluateVersions(t *testing.T) {
	nginx := func() (*api.ObjectMeta, *api.PodSpec) {
		return &api.ObjectMeta{Name: "x"}, &api.PodSpec{Containers: []api.Container{{Name: "c", Image: "nginx"}}}
	}
	tests := []struct {
		version string
		mutate  func(m *api.ObjectMeta, s *api.PodSpec)
		level   Level
		want    string
	}{
		// Before v1.22 restricted did not ask for drop ALL; before v1.19
		// not for a seccomp profile; before v1.8 not for no_new_privs.
		{"v1.7", func(*api.ObjectMeta, *api.PodSpec) {}, Restricted,
			`runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true)`},
		{"v1.21", func(*api.ObjectMeta, *api.PodSpec) {}, Restricted,
			`allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ` +
				`runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ` +
				`seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`},
		// Before v1.19 seccomp was the annotations.
		{"v1.18", func(m *api.ObjectMeta, _ *api.PodSpec) {
			m.Annotations = map[string]string{seccompPodAnnotation: "unconfined", seccompContainerAnnotation + "c": "localhost/x"}
		}, Baseline, `seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")`},
		{"v1.19", func(m *api.ObjectMeta, _ *api.PodSpec) {
			m.Annotations = map[string]string{seccompPodAnnotation: "unconfined"}
		}, Baseline, ""},
		// Sysctls became safe over time.
		{"v1.28", func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.SecurityContext = &api.PodSecurityContext{Sysctls: []api.Sysctl{{Name: "net.ipv4.tcp_fin_timeout"}, {Name: "net.ipv4.ip_local_reserved_ports"}}}
		}, Baseline, "forbidden sysctls (net.ipv4.tcp_fin_timeout)"},
		{"v1.29", func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.SecurityContext = &api.PodSecurityContext{Sysctls: []api.Sysctl{{Name: "net.ipv4.tcp_fin_timeout"}}}
		}, Baseline, ""},
		{"v1.36", func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.SecurityContext = &api.PodSecurityContext{Sysctls: []api.Sysctl{{Name: "net.ipv4.tcp_notsent_lowat"}}}
		}, Baseline, "forbidden sysctls (net.ipv4.tcp_notsent_lowat)"},
		{"v1.99", func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.SecurityContext = &api.PodSecurityContext{Sysctls: []api.Sysctl{{Name: "net.ipv4.tcp_notsent_lowat"}}}
		}, Baseline, ""},
		// Probe hosts are checked from v1.34.
		{"v1.33", func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.Containers[0].ReadinessProbe = &api.Probe{ProbeHandler: api.ProbeHandler{TCPSocket: &api.TCPSocketAction{Host: "h"}}}
		}, Baseline, ""},
		// runAsUser=0 is checked from v1.23.
		{"v1.22", func(_ *api.ObjectMeta, s *api.PodSpec) {
			s.SecurityContext = &api.PodSecurityContext{RunAsNonRoot: ptr(true), RunAsUser: ptr[int64](0), SeccompProfile: &api.SeccompProfile{Type: "RuntimeDefault"}}
			s.Containers[0].SecurityContext = &api.SecurityContext{AllowPrivilegeEscalation: ptr(false), Capabilities: &api.Capabilities{Drop: []string{"ALL"}}}
		}, Restricted, ""},
	}
	for _, tt := range tests {
		v, err := ParseVersion(tt.version)
		if err != nil {
			t.Fatalf("ParseVersion(%q) = %v", tt.version, err)
		}
		meta, spec := nginx()
		tt.mutate(meta, spec)
		if got := Detail(Evaluate(tt.level, v, meta, spec)); got != tt.want {
			t.Errorf("Detail(Evaluate(%s:%s)) =\n  %s\nwant\n  %s", tt.level, tt.version, got, tt.want)
		}
	}
}

// TestChecksOrdered: the table is baseline then restricted, each sorted by
// id, and every check's revisions increase, so Evaluate reports in
// Kubernetes' order.
func TestChecksOrdered(t *testing.T) {
	var baseline, restricted []string
	for _, c := range checks {
		switch c.Level {
		case Baseline:
			if len(restricted) > 0 {
				t.Errorf("baseline check %s after restricted ones", c.ID)
			}
			baseline = append(baseline, c.ID)
		case Restricted:
			restricted = append(restricted, c.ID)
		default:
			t.Errorf("check %s has level %q, want baseline or restricted", c.ID, c.Level)
		}
		for i := 1; i < len(c.Versions); i++ {
			if c.Versions[i].Since <= c.Versions[i-1].Since {
				t.Errorf("check %s: revision %d (v1.%d) not after v1.%d", c.ID, i, c.Versions[i].Since, c.Versions[i-1].Since)
			}
		}
	}
	if !slices.IsSorted(baseline) || !slices.IsSorted(restricted) {
		t.Errorf("check ids not sorted: baseline %v, restricted %v", baseline, restricted)
	}
	if maxMinor != 37 {
		t.Errorf("maxMinor = %d, want 37", maxMinor)
	}
}

func TestReasons(t *testing.T) {
	meta, spec := restrictedPod()
	spec.HostNetwork = true
	spec.Containers[0].SecurityContext.Privileged = ptr(true)
	if got, want := Reasons(Evaluate(Baseline, LatestVersion, meta, spec)), "host namespaces, privileged"; got != want {
		t.Errorf("Reasons = %q, want %q", got, want)
	}
}

func TestPolicyFromLabels(t *testing.T) {
	lv := func(l Level, v Version) LevelVersion { return LevelVersion{l, v} }
	latest, v125 := LatestVersion, Version{Minor: 25}
	priv := lv(Privileged, latest)
	tests := []struct {
		labels map[string]string
		want   Policy
		errs   []string
	}{
		{nil, DefaultPolicy, nil},
		{map[string]string{EnforceLevelLabel: "restricted"}, Policy{lv(Restricted, latest), priv, lv(Restricted, latest)}, nil},
		{map[string]string{EnforceLevelLabel: "baseline", EnforceVersionLabel: "v1.25", WarnLevelLabel: "restricted"},
			Policy{lv(Baseline, v125), priv, lv(Restricted, latest)}, nil},
		{map[string]string{EnforceLevelLabel: "baseline", EnforceVersionLabel: "v1.25"},
			Policy{lv(Baseline, v125), priv, lv(Baseline, v125)}, nil},
		{map[string]string{AuditLevelLabel: "baseline", AuditVersionLabel: "v1.25"}, Policy{priv, lv(Baseline, v125), priv}, nil},
		{map[string]string{EnforceLevelLabel: "strict", WarnLevelLabel: "loud", EnforceVersionLabel: "1.25", AuditVersionLabel: "v1.025"},
			Policy{lv(Restricted, latest), priv, priv}, []string{
				`metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted`,
				`metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: "1.25": must be "latest" or "v1.x"`,
				`metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "v1.025": must be "latest" or "v1.x"`,
				`metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "loud": must be one of privileged, baseline, restricted`,
			}},
	}
	for _, tt := range tests {
		got, errs := PolicyFromLabels(tt.labels)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("PolicyFromLabels(%v) (-want +got):\n%s", tt.labels, diff)
		}
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		if diff := cmp.Diff(tt.errs, msgs); diff != "" {
			t.Errorf("PolicyFromLabels(%v) errors (-want +got):\n%s", tt.labels, diff)
		}
	}
}
