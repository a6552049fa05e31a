package containerdrt

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/containerd/containers"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/containerd/oci"
	"github.com/containerd/containerd/pkg/cap"
	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/tinykube/tinykube/core/kubelet"
)

// specWith builds the default spec containerd starts from, then applies
// what processOpts makes of sec.
func specWith(t *testing.T, sec kubelet.ContainerSecurity, seccompDir string) (*oci.Spec, error) {
	t.Helper()
	opts, err := processOpts(sec, seccompDir)
	if err != nil {
		return nil, err
	}
	ctx := namespaces.WithNamespace(context.Background(), "test")
	return oci.GenerateSpec(ctx, nil, &containers.Container{ID: "c1"}, opts...)
}

func defaultSpec(t *testing.T) *oci.Spec {
	t.Helper()
	s, err := specWith(t, kubelet.ContainerSecurity{}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func without(list []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(c string) bool { return slices.Contains(drop, c) })
}

// Each setting of ContainerSecurity lands where runc reads it.
func TestProcessOptsBuildTheSpec(t *testing.T) {
	def := defaultSpec(t)
	defCaps := def.Process.Capabilities.Bounding
	if len(defCaps) == 0 || slices.Contains(defCaps, "CAP_SYS_ADMIN") || def.Linux.Seccomp != nil || def.Process.NoNewPrivileges || def.Root.Readonly {
		t.Fatalf("containerd's default spec changed: caps %v, seccomp %v, no_new_privs %v, read-only root %v",
			defCaps, def.Linux.Seccomp != nil, def.Process.NoNewPrivileges, def.Root.Readonly)
	}
	current, err := cap.Current()
	if err != nil {
		t.Fatal(err)
	}
	profiles := t.TempDir()
	if err := os.MkdirAll(filepath.Join(profiles, "team"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(profiles, "team", "audit.json"), []byte(`{"defaultAction":"SCMP_ACT_LOG"}`), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name  string
		sec   kubelet.ContainerSecurity
		check func(s *oci.Spec) string // "" when the spec is right
	}{
		{"drop ALL", kubelet.ContainerSecurity{CapDrop: []string{"ALL"}}, func(s *oci.Spec) string {
			return capsAre(s, nil)
		}},
		{"drop ALL then add one", kubelet.ContainerSecurity{CapDrop: []string{"ALL"}, CapAdd: []string{"NET_BIND_SERVICE"}}, func(s *oci.Spec) string {
			return capsAre(s, []string{"CAP_NET_BIND_SERVICE"})
		}},
		{"add one to the defaults", kubelet.ContainerSecurity{CapAdd: []string{"SYS_ADMIN"}}, func(s *oci.Spec) string {
			return capsAre(s, append(slices.Clone(defCaps), "CAP_SYS_ADMIN"))
		}},
		{"drop one of the defaults", kubelet.ContainerSecurity{CapDrop: []string{"chown"}}, func(s *oci.Spec) string {
			return capsAre(s, without(defCaps, "CAP_CHOWN"))
		}},
		{"add ALL then drop one", kubelet.ContainerSecurity{CapAdd: []string{"ALL"}, CapDrop: []string{"SYS_ADMIN"}}, func(s *oci.Spec) string {
			return capsAre(s, without(current, "CAP_SYS_ADMIN"))
		}},
		{"privileged", kubelet.ContainerSecurity{Privileged: true, Seccomp: "RuntimeDefault"}, func(s *oci.Spec) string {
			if msg := capsAre(s, current); msg != "" {
				return msg
			}
			if s.Linux.Seccomp != nil || len(s.Linux.MaskedPaths) > 0 || len(s.Linux.ReadonlyPaths) > 0 {
				return "privileged keeps a seccomp filter or masked/read-only paths"
			}
			for _, m := range s.Mounts {
				if m.Type == "sysfs" && slices.Contains(m.Options, "ro") {
					return "privileged: sysfs is still read-only"
				}
			}
			if len(s.Linux.Devices) == 0 || len(s.Linux.Resources.Devices) != 1 || !s.Linux.Resources.Devices[0].Allow {
				return "privileged: not every host device, or not all allowed"
			}
			return ""
		}},
		{"allowPrivilegeEscalation false", kubelet.ContainerSecurity{NoNewPrivileges: true}, func(s *oci.Spec) string {
			return check(s.Process.NoNewPrivileges, "no_new_privs not set")
		}},
		{"read-only root", kubelet.ContainerSecurity{ReadOnlyRootFilesystem: true}, func(s *oci.Spec) string {
			return check(s.Root.Readonly, "root not read-only")
		}},
		{"RuntimeDefault seccomp", kubelet.ContainerSecurity{Seccomp: "RuntimeDefault"}, func(s *oci.Spec) string {
			return check(s.Linux.Seccomp != nil && s.Linux.Seccomp.DefaultAction == specs.ActErrno && len(s.Linux.Seccomp.Syscalls) > 0,
				"no default profile (default action ERRNO, syscalls allowed)")
		}},
		{"Unconfined seccomp", kubelet.ContainerSecurity{Seccomp: "Unconfined"}, func(s *oci.Spec) string {
			return check(s.Linux.Seccomp == nil, "a seccomp filter")
		}},
		{"Localhost seccomp", kubelet.ContainerSecurity{Seccomp: "Localhost/team/audit.json"}, func(s *oci.Spec) string {
			return check(s.Linux.Seccomp != nil && s.Linux.Seccomp.DefaultAction == specs.ActLog, "not the profile's filter (default action LOG)")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := specWith(t, tt.sec, profiles)
			if err != nil {
				t.Fatalf("processOpts(%+v): %v", tt.sec, err)
			}
			if msg := tt.check(s); msg != "" {
				t.Errorf("spec for %+v: %s", tt.sec, msg)
			}
		})
	}
}

func check(ok bool, msg string) string {
	if ok {
		return ""
	}
	return msg
}

// capsAre says how the process's bounding, effective and permitted
// capabilities differ from want ("" when they do not).
func capsAre(s *oci.Spec, want []string) string {
	want = slices.Sorted(slices.Values(want))
	c := s.Process.Capabilities
	for _, set := range []struct {
		name string
		caps []string
	}{{"bounding", c.Bounding}, {"effective", c.Effective}, {"permitted", c.Permitted}} {
		got := slices.Sorted(slices.Values(set.caps))
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b []string) bool { return slices.Equal(a, b) })); diff != "" {
			return set.name + " capabilities (-want +got):\n" + diff
		}
	}
	return ""
}

// A seccomp profile that cannot be applied is refused before anything is
// created, saying what to do.
func TestProcessOptsRefuseBadSeccompProfiles(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ seccomp, want string }{
		{"Localhost/../../etc/shadow", `seccomp localhostProfile "../../etc/shadow" must be a relative path without '..'`},
		{"Localhost//etc/shadow", `seccomp localhostProfile "/etc/shadow" must be a relative path without '..'`},
		{"Localhost/", `seccomp localhostProfile "" must be a relative path`},
		{"Localhost/missing.json", `seccomp localhostProfile "missing.json": no such profile on this node (put it at ` + filepath.Join(dir, "missing.json") + ")"},
		{"Strict", `seccomp profile type "Strict" is not one of RuntimeDefault, Unconfined, Localhost`},
	} {
		_, err := processOpts(kubelet.ContainerSecurity{Seccomp: tt.seccomp}, dir)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("processOpts(seccomp %q) = %v, want an error with %q", tt.seccomp, err, tt.want)
		}
	}
}

// Supplemental groups come after the groups the process has, each once.
func TestWithSupplementalGroups(t *testing.T) {
	s := &oci.Spec{Process: &specs.Process{User: specs.User{UID: 1000, GID: 3000, AdditionalGids: []uint32{3000}}}}
	if err := withSupplementalGroups([]int64{4000, 2000, 3000})(context.Background(), nil, nil, s); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint32{3000, 4000, 2000}, s.Process.User.AdditionalGids); diff != "" {
		t.Errorf("additional gids (-want +got):\n%s", diff)
	}
}
