package kubelet

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
)

func TestContainerSecurityResolvesContainerOverPod(t *testing.T) {
	localhost := &api.SeccompProfile{Type: api.SeccompProfileLocalhost, LocalhostProfile: ptr("profiles/audit.json")}
	for _, tt := range []struct {
		name string
		pod  *api.PodSecurityContext
		c    *api.SecurityContext
		want ContainerSecurity
	}{
		{name: "neither: the runtime's defaults"},
		{name: "pod only", pod: &api.PodSecurityContext{RunAsUser: ptr(int64(1000)), RunAsGroup: ptr(int64(3000)), RunAsNonRoot: ptr(true)},
			want: ContainerSecurity{RunAsUser: ptr(int64(1000)), RunAsGroup: ptr(int64(3000)), RunAsNonRoot: true}},
		{name: "container over pod",
			pod:  &api.PodSecurityContext{RunAsUser: ptr(int64(1000)), RunAsGroup: ptr(int64(3000)), RunAsNonRoot: ptr(true)},
			c:    &api.SecurityContext{RunAsUser: ptr(int64(2000)), RunAsGroup: ptr(int64(4000)), RunAsNonRoot: ptr(false)},
			want: ContainerSecurity{RunAsUser: ptr(int64(2000)), RunAsGroup: ptr(int64(4000))}},
		{name: "container sets one field, the pod the others",
			pod:  &api.PodSecurityContext{RunAsUser: ptr(int64(1000)), RunAsGroup: ptr(int64(3000))},
			c:    &api.SecurityContext{RunAsUser: ptr(int64(0))},
			want: ContainerSecurity{RunAsUser: ptr(int64(0)), RunAsGroup: ptr(int64(3000))}},
		{name: "supplementalGroups then fsGroup, from the pod",
			pod:  &api.PodSecurityContext{SupplementalGroups: []int64{4000, 5000}, FSGroup: ptr(int64(2000))},
			want: ContainerSecurity{SupplementalGroups: []int64{4000, 5000, 2000}, FSGroup: ptr(int64(2000))}},
		{name: "fsGroup already a supplemental group is listed once",
			pod:  &api.PodSecurityContext{SupplementalGroups: []int64{2000}, FSGroup: ptr(int64(2000))},
			want: ContainerSecurity{SupplementalGroups: []int64{2000}, FSGroup: ptr(int64(2000))}},
		{name: "read-only root", c: &api.SecurityContext{ReadOnlyRootFilesystem: ptr(true)},
			want: ContainerSecurity{ReadOnlyRootFilesystem: true}},
		{name: "allowPrivilegeEscalation false sets no_new_privs", c: &api.SecurityContext{AllowPrivilegeEscalation: ptr(false)},
			want: ContainerSecurity{NoNewPrivileges: true}},
		{name: "allowPrivilegeEscalation true or unset does not", c: &api.SecurityContext{AllowPrivilegeEscalation: ptr(true)}},
		{name: "privileged implies allowPrivilegeEscalation", c: &api.SecurityContext{Privileged: ptr(true), AllowPrivilegeEscalation: ptr(false)},
			want: ContainerSecurity{Privileged: true}},
		{name: "capabilities as given", c: &api.SecurityContext{Capabilities: &api.Capabilities{Add: []string{"NET_BIND_SERVICE"}, Drop: []string{"ALL"}}},
			want: ContainerSecurity{CapAdd: []string{"NET_BIND_SERVICE"}, CapDrop: []string{"ALL"}}},
		{name: "pod's seccomp profile", pod: &api.PodSecurityContext{SeccompProfile: &api.SeccompProfile{Type: api.SeccompProfileRuntimeDefault}},
			want: ContainerSecurity{Seccomp: "RuntimeDefault"}},
		{name: "container's seccomp profile over the pod's",
			pod:  &api.PodSecurityContext{SeccompProfile: &api.SeccompProfile{Type: api.SeccompProfileRuntimeDefault}},
			c:    &api.SecurityContext{SeccompProfile: &api.SeccompProfile{Type: api.SeccompProfileUnconfined}},
			want: ContainerSecurity{Seccomp: "Unconfined"}},
		{name: "a Localhost profile carries its path", c: &api.SecurityContext{SeccompProfile: localhost},
			want: ContainerSecurity{Seccomp: "Localhost/profiles/audit.json"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pod := &api.Pod{Spec: api.PodSpec{SecurityContext: tt.pod, Containers: []api.Container{{Name: "app", SecurityContext: tt.c}}}}
			got := containerSecurity(pod, &pod.Spec.Containers[0])
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("containerSecurity(pod %+v, container %+v) (-want +got):\n%s", tt.pod, tt.c, diff)
			}
		})
	}
}

// The resolved settings are copies: a runtime that changes them cannot
// change the pod in the kubelet's cache.
func TestContainerSecurityCopiesThePod(t *testing.T) {
	pod := &api.Pod{Spec: api.PodSpec{SecurityContext: &api.PodSecurityContext{RunAsUser: ptr(int64(1000)), SupplementalGroups: []int64{4000}},
		Containers: []api.Container{{Name: "app", SecurityContext: &api.SecurityContext{Capabilities: &api.Capabilities{Drop: []string{"ALL"}}}}}}}
	got := containerSecurity(pod, &pod.Spec.Containers[0])
	*got.RunAsUser = 0
	got.SupplementalGroups[0] = 0
	got.CapDrop[0] = "NONE"
	if *pod.Spec.SecurityContext.RunAsUser != 1000 || pod.Spec.SecurityContext.SupplementalGroups[0] != 4000 ||
		pod.Spec.Containers[0].SecurityContext.Capabilities.Drop[0] != "ALL" {
		t.Errorf("changing the resolved security changed the pod: %+v", pod.Spec)
	}
}

func TestImageUser(t *testing.T) {
	for _, tt := range []struct {
		user     string
		wantUID  *int64
		wantName string
	}{
		{"", ptr(int64(0)), ""},
		{"0", ptr(int64(0)), ""},
		{"1000", ptr(int64(1000)), ""},
		{"1000:3000", ptr(int64(1000)), ""},
		{"nginx", nil, "nginx"},
		{"nginx:web", nil, "nginx"},
		{":3000", ptr(int64(0)), ""},
	} {
		uid, name := ImageUser(tt.user)
		if !cmp.Equal(uid, tt.wantUID) || name != tt.wantName {
			t.Errorf("ImageUser(%q) = %v, %q, want %v, %q", tt.user, deref(uid), name, deref(tt.wantUID), tt.wantName)
		}
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestCheckRunAsNonRoot(t *testing.T) {
	labels := map[string]string{LabelPodName: "web", LabelPodNamespace: "shop", LabelPodUID: "u-1"}
	for _, tt := range []struct {
		name      string
		sec       ContainerSecurity
		imageUser string
		want      string // "" for nil
	}{
		{name: "not asked", sec: ContainerSecurity{}, imageUser: ""},
		{name: "image without a user runs as root", sec: ContainerSecurity{RunAsNonRoot: true}, imageUser: "",
			want: `container has runAsNonRoot and image will run as root (pod: "web_shop(u-1)", container: app)`},
		{name: "image user 0", sec: ContainerSecurity{RunAsNonRoot: true}, imageUser: "0:0",
			want: `container has runAsNonRoot and image will run as root (pod: "web_shop(u-1)", container: app)`},
		{name: "numeric image user", sec: ContainerSecurity{RunAsNonRoot: true}, imageUser: "101"},
		{name: "named image user", sec: ContainerSecurity{RunAsNonRoot: true}, imageUser: "nginx",
			want: `container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root (pod: "web_shop(u-1)", container: app)`},
		{name: "runAsUser settles a named image user", sec: ContainerSecurity{RunAsNonRoot: true, RunAsUser: ptr(int64(101))}, imageUser: "nginx"},
		{name: "runAsUser settles a root image", sec: ContainerSecurity{RunAsNonRoot: true, RunAsUser: ptr(int64(1000))}, imageUser: ""},
		{name: "runAsUser 0", sec: ContainerSecurity{RunAsNonRoot: true, RunAsUser: ptr(int64(0))}, imageUser: "1000",
			want: `container's runAsUser breaks non-root policy (pod: "web_shop(u-1)", container: app)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRunAsNonRoot(ContainerConfig{Name: "app", Labels: labels, Security: tt.sec}, tt.imageUser)
			got := ""
			if err != nil {
				if _, ok := err.(*ConfigError); !ok {
					t.Errorf("CheckRunAsNonRoot = %T, want a *ConfigError", err)
				}
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("CheckRunAsNonRoot(%+v, image user %q) = %q, want %q", tt.sec, tt.imageUser, got, tt.want)
			}
		})
	}
}

// The kubelet gives the runtime each container's resolved settings.
func TestKubeletHandsTheRuntimeEachContainersSecurity(t *testing.T) {
	w := newConfigWorld(t)
	w.create(webPod(func(p *api.Pod) {
		p.Spec.SecurityContext = &api.PodSecurityContext{RunAsUser: ptr(int64(1000)), FSGroup: ptr(int64(2000))}
		p.Spec.Containers[0].SecurityContext = &api.SecurityContext{ReadOnlyRootFilesystem: ptr(true), AllowPrivilegeEscalation: ptr(false)}
	}))
	w.v.RunFor(2 * time.Second)
	want := ContainerSecurity{RunAsUser: ptr(int64(1000)), SupplementalGroups: []int64{2000}, FSGroup: ptr(int64(2000)),
		ReadOnlyRootFilesystem: true, NoNewPrivileges: true}
	if diff := cmp.Diff(want, w.rt.configs["app"].Security); diff != "" {
		t.Errorf("the runtime's ContainerConfig.Security (-want +got):\n%s", diff)
	}
}
