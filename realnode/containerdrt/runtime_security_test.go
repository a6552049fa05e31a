package containerdrt_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/realnode/containerdrt"
	"github.com/tinykube/tinykube/realnode/testimage"
)

func ptr[T any](v T) *T { return &v }

// importImage builds the busybox test image under another name, with
// opts, and imports it into the runtime's namespace.
func importImage(t *testing.T, rt *containerdrt.Runtime, ns string, opts testimage.Options) {
	t.Helper()
	var buf bytes.Buffer
	if err := testimage.Build(&buf, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := containerdrt.Import(rt.Client(), ns, "", &buf, nil); err != nil {
		t.Fatal(err)
	}
}

// selfStatus reads one field of this (root) process's /proc/self/status.
func selfStatus(t *testing.T, field string) string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("/proc/self/status has no %s", field)
	return ""
}

// Each securityContext setting shows in the running process as the kernel
// sees it: its ids and groups, a root it cannot write, volumes it can,
// its capabilities, no_new_privs and seccomp mode.
func TestRuntimeAppliesSecurityContext(t *testing.T) {
	rt, _, _ := newRuntime(t)
	const uid = "usec"
	if err := rt.SetupVolumes(uid, []kubelet.PodVolume{
		{Name: "scratch", EmptyDir: &kubelet.EmptyDirVolume{}, FSGroup: ptr(int64(2000))},
		{Name: "creds", Files: &kubelet.FilesVolume{Secret: true, Files: map[string]kubelet.File{"password": {Data: []byte("s3cret"), Mode: 0o400}}},
			FSGroup: ptr(int64(2000))},
	}); err != nil {
		t.Fatal(err)
	}
	sb, err := rt.RunSandbox(kubelet.SandboxConfig{PodUID: uid, Namespace: "default", Name: "p-" + uid, Labels: podLabels(uid)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // before the state directory goes: the Secret's tmpfs
		rt.StopSandbox(sb.ID)
		rt.RemoveSandbox(sb.ID)
		if err := rt.TeardownVolumes(uid); err != nil {
			t.Error(err)
		}
	})
	start := func(name string, sec kubelet.ContainerSecurity, mounts []kubelet.Mount) string {
		t.Helper()
		id, err := rt.CreateContainer(sb.ID, kubelet.ContainerConfig{Name: name, Image: "busybox", Command: []string{"sleep", "60"},
			Security: sec, Mounts: mounts, Labels: containerLabels(uid, name)})
		if err != nil {
			t.Fatalf("creating %s: %v", name, err)
		}
		if err := rt.StartContainer(id); err != nil {
			t.Fatal(err)
		}
		waitState(t, rt, id, kubelet.StateRunning)
		return id
	}
	run := func(id, script string) (int, string) {
		t.Helper()
		code, out, err := rt.Exec(id, []string{"sh", "-c", script}, 5*time.Second)
		if err != nil {
			t.Fatalf("exec %q: %v", script, err)
		}
		return code, strings.TrimSpace(out)
	}

	user := start("user", kubelet.ContainerSecurity{RunAsUser: ptr(int64(1000)), RunAsGroup: ptr(int64(3000)),
		SupplementalGroups: []int64{4000, 2000}, FSGroup: ptr(int64(2000)), ReadOnlyRootFilesystem: true},
		[]kubelet.Mount{{Volume: "scratch", ContainerPath: "/scratch"}, {Volume: "creds", ContainerPath: "/etc/creds"}})
	if _, out := run(user, "id"); !strings.HasPrefix(out, "uid=1000 gid=3000 groups=") || !strings.Contains(out, "2000") || !strings.Contains(out, "4000") {
		t.Errorf("id = %q, want uid=1000 gid=3000 and groups 2000 and 4000", out)
	}
	if code, out := run(user, "touch /x"); code == 0 || !strings.Contains(out, "Read-only file system") {
		t.Errorf("touch /x = %d %q, want it refused with Read-only file system", code, out)
	}
	if code, out := run(user, "echo hi > /scratch/f && stat -c '%g %a' /scratch /scratch/f"); code != 0 || !strings.HasPrefix(out, "2000 2777\n2000 ") {
		t.Errorf("writing the emptyDir = %d %q, want it written, the volume 2000 2777 and the file in group 2000", code, out)
	}
	if code, out := run(user, "cat /etc/creds/password"); code != 0 || out != "s3cret" {
		t.Errorf("reading a 0400 Secret file through fsGroup = %d %q, want s3cret", code, out)
	}
	if code, out := run(user, "cat /etc/hosts /etc/resolv.conf /etc/hostname >/dev/null"); code != 0 {
		t.Errorf("a non-root user reading the pod's /etc files = %d %q, want them readable", code, out)
	}

	plain := start("plain", kubelet.ContainerSecurity{}, nil)
	if _, out := run(plain, "id -u; grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\t ' ' '"); out != "0\nNoNewPrivs: 0\nSeccomp: 0" {
		t.Errorf("a container without securityContext: %q, want root, NoNewPrivs 0 and Seccomp 0", out)
	}
	if code, out := run(plain, "chown 1:1 /tmp"); code != 0 {
		t.Errorf("root with the default capabilities: chown = %d %q, want it allowed", code, out)
	}

	noCaps := start("no-caps", kubelet.ContainerSecurity{CapDrop: []string{"ALL"}}, nil)
	if code, out := run(noCaps, "chown 1:1 /tmp"); code == 0 || !strings.Contains(out, "Operation not permitted") {
		t.Errorf("root without capabilities: chown = %d %q, want Operation not permitted", code, out)
	}
	if _, out := run(noCaps, "grep CapEff /proc/self/status | tr -s '\t ' ' '"); out != "CapEff: 0000000000000000" {
		t.Errorf("drop ALL: %q, want CapEff 0", out)
	}

	hardened := start("hardened", kubelet.ContainerSecurity{NoNewPrivileges: true, Seccomp: "RuntimeDefault"}, nil)
	if _, out := run(hardened, "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\t ' ' '"); out != "NoNewPrivs: 1\nSeccomp: 2" {
		t.Errorf("allowPrivilegeEscalation false, seccomp RuntimeDefault: %q, want NoNewPrivs 1 and Seccomp 2", out)
	}

	privileged := start("privileged", kubelet.ContainerSecurity{Privileged: true}, nil)
	want := "CapEff: " + selfStatus(t, "CapEff")
	if _, out := run(privileged, "grep CapEff /proc/self/status | tr -s '\t ' ' '"); out != want {
		t.Errorf("privileged: %q, want %q (every capability the agent has)", out, want)
	}
}

// runAsNonRoot is checked against the image's user: busybox runs as
// root and is refused with the kubelet's ConfigError; an image whose user
// is 1000 runs, as 1000.
func TestRuntimeChecksRunAsNonRootAgainstTheImage(t *testing.T) {
	rt, _, _ := newRuntime(t)
	importImage(t, rt, "node-a", testimage.Options{Name: "tinykube.test/nonroot:1", User: "1000"})
	const uid = "unr"
	sb, err := rt.RunSandbox(kubelet.SandboxConfig{PodUID: uid, Namespace: "default", Name: "p-" + uid, Labels: podLabels(uid)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = rt.CreateContainer(sb.ID, kubelet.ContainerConfig{Name: "root", Image: "busybox", Command: []string{"sleep", "60"},
		Security: kubelet.ContainerSecurity{RunAsNonRoot: true}, Labels: containerLabels(uid, "root")})
	var ce *kubelet.ConfigError
	want := `container has runAsNonRoot and image will run as root (pod: "p-unr_default(unr)", container: root)`
	if !errors.As(err, &ce) || ce.Message != want {
		t.Fatalf("CreateContainer(runAsNonRoot, busybox) = %v, want ConfigError %q", err, want)
	}
	if _, cs, _ := rt.List(); len(cs) != 0 {
		t.Errorf("a refused container was created: %+v", cs)
	}

	id, err := rt.CreateContainer(sb.ID, kubelet.ContainerConfig{Name: "nonroot", Image: "tinykube.test/nonroot:1", Command: []string{"sleep", "60"},
		Security: kubelet.ContainerSecurity{RunAsNonRoot: true}, Labels: containerLabels(uid, "nonroot")})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.StartContainer(id); err != nil {
		t.Fatal(err)
	}
	waitState(t, rt, id, kubelet.StateRunning)
	if _, out, _ := rt.Exec(id, []string{"id", "-u"}, 5*time.Second); strings.TrimSpace(out) != "1000" {
		t.Errorf("id -u = %q, want the image's user 1000", out)
	}
}
