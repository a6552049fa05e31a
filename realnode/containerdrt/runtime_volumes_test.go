package containerdrt_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/realnode/containerdrt"
)

// execUntil runs cmd in container id until its output, trimmed, is want.
func execUntil(t *testing.T, rt *containerdrt.Runtime, id string, cmd []string, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, out, err := rt.Exec(id, cmd, 5*time.Second)
		if err == nil && code == 0 && strings.TrimSpace(out) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q in container %s = %d %q %v, want %q", cmd, id, code, out, err, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Two containers of one pod share an emptyDir; a ConfigMap-like files
// volume updated under a running container shows the new content; a
// Secret's file has its mode and lives on a tmpfs; a subPath mounts one
// directory of a volume; teardown leaves nothing on the node.
func TestRuntimeGivesContainersTheirVolumes(t *testing.T) {
	rt, _, _ := newRuntime(t)
	const uid = "uv"
	config := func(lives string) kubelet.PodVolume {
		return kubelet.PodVolume{Name: "config", Files: &kubelet.FilesVolume{Files: map[string]kubelet.File{
			"game.properties": {Data: []byte("lives=" + lives + "\n"), Mode: 0o644}}}}
	}
	vols := []kubelet.PodVolume{
		{Name: "shared", EmptyDir: &kubelet.EmptyDirVolume{}},
		config("3"),
		{Name: "creds", Files: &kubelet.FilesVolume{Secret: true, Files: map[string]kubelet.File{
			"password": {Data: []byte("s3cret"), Mode: 0o400}}}},
	}
	if err := rt.SetupVolumes(uid, vols); err != nil {
		t.Fatal(err)
	}
	sb, err := rt.RunSandbox(kubelet.SandboxConfig{PodUID: uid, Namespace: "default", Name: "p-" + uid, Labels: podLabels(uid)})
	if err != nil {
		t.Fatal(err)
	}
	start := func(name, script string, mounts []kubelet.Mount) string {
		t.Helper()
		id, err := rt.CreateContainer(sb.ID, kubelet.ContainerConfig{Name: name, Image: "busybox", Command: []string{"sh", "-c", script},
			Mounts: mounts, Labels: containerLabels(uid, name)})
		if err != nil {
			t.Fatal(err)
		}
		if err := rt.StartContainer(id); err != nil {
			t.Fatal(err)
		}
		waitState(t, rt, id, kubelet.StateRunning)
		return id
	}
	start("writer", "mkdir -p /work/sub && echo from-writer > /work/msg && echo deep > /work/sub/f; exec sleep 60",
		[]kubelet.Mount{{Volume: "shared", ContainerPath: "/work"}})
	reader := start("reader", "exec sleep 60", []kubelet.Mount{
		{Volume: "shared", ContainerPath: "/data", ReadOnly: true},
		{Volume: "shared", ContainerPath: "/only-sub", SubPath: "sub"},
		{Volume: "config", ContainerPath: "/etc/config"},
		{Volume: "creds", ContainerPath: "/etc/creds"},
	})

	execUntil(t, rt, reader, []string{"cat", "/data/msg"}, "from-writer")
	execUntil(t, rt, reader, []string{"cat", "/only-sub/f"}, "deep")
	if code, out, _ := rt.Exec(reader, []string{"sh", "-c", "echo x > /data/nope"}, 5*time.Second); code == 0 {
		t.Errorf("writing a read-only mount succeeded: %q", out)
	}
	if code, out, _ := rt.Exec(reader, []string{"sh", "-c", "echo lives=99 > /etc/config/game.properties"}, 5*time.Second); code == 0 {
		t.Errorf("writing a files volume succeeded: %q", out)
	}

	execUntil(t, rt, reader, []string{"cat", "/etc/config/game.properties"}, "lives=3")
	vols[1] = config("4")
	if err := rt.SetupVolumes(uid, vols); err != nil {
		t.Fatal(err)
	}
	execUntil(t, rt, reader, []string{"cat", "/etc/config/game.properties"}, "lives=4")

	execUntil(t, rt, reader, []string{"stat", "-L", "-c", "%a", "/etc/creds/password"}, "400")
	execUntil(t, rt, reader, []string{"cat", "/etc/creds/password"}, "s3cret")
	execUntil(t, rt, reader, []string{"sh", "-c", "grep ' /etc/creds ' /proc/mounts | cut -d' ' -f3"}, "tmpfs")
	execUntil(t, rt, reader, []string{"sh", "-c", "grep -c ' /etc/config ' /proc/mounts; grep ' /etc/config ' /proc/mounts | grep -c tmpfs || true"}, "1\n0")

	// A subPath that escapes its volume is refused before anything runs.
	if err := os.Symlink("/etc", filepath.Join(rt.VolumeDir(), uid, "empty-dir", "shared", "evil")); err != nil {
		t.Fatal(err)
	}
	_, err = rt.CreateContainer(sb.ID, kubelet.ContainerConfig{Name: "evil", Image: "busybox", Command: []string{"true"},
		Mounts: []kubelet.Mount{{Volume: "shared", ContainerPath: "/x", SubPath: "evil"}}, Labels: containerLabels(uid, "evil")})
	if err == nil || !strings.Contains(err.Error(), `subPath "evil" resolves to /etc, outside the volume`) {
		t.Errorf("CreateContainer with an escaping subPath = %v, want it refused", err)
	}

	if err := rt.StopSandbox(sb.ID); err != nil {
		t.Fatal(err)
	}
	if err := rt.RemoveSandbox(sb.ID); err != nil {
		t.Fatal(err)
	}
	if err := rt.TeardownVolumes(uid); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(rt.VolumeDir(), uid)); !os.IsNotExist(err) {
		t.Errorf("pod volume dir after teardown: %v, want it gone", err)
	}
}
