package containerdrt

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/tinykube/tinykube/core/kubelet"
)

// A pod's fsGroup owns its emptyDir and files volumes: group, setgid
// directories, group-readable files; a second setup rewrites nothing.
func TestSetupGivesVolumesToTheFSGroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("changing a file's group to one the user is not in takes root")
	}
	v := volumes{dir: t.TempDir()}
	gid := int64(2000)
	vols := []kubelet.PodVolume{
		{Name: "scratch", EmptyDir: &kubelet.EmptyDirVolume{}, FSGroup: &gid},
		{Name: "cfg", Files: &kubelet.FilesVolume{Files: map[string]kubelet.File{
			"password": {Data: []byte("x"), Mode: 0o400}, "certs/ca.crt": {Data: []byte("y"), Mode: 0o644}}}, FSGroup: &gid},
		{Name: "plain", EmptyDir: &kubelet.EmptyDirVolume{}},
	}
	if err := v.setup("u1", vols); err != nil {
		t.Fatal(err)
	}
	pod := filepath.Join(v.dir, "u1")
	data, err := os.Readlink(filepath.Join(pod, kindFiles, "cfg", dataLink))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		gid  uint32
		mode fs.FileMode
	}{
		{filepath.Join(pod, kindEmptyDir, "scratch"), 2000, fs.ModeDir | fs.ModeSetgid | 0o777},
		{filepath.Join(pod, kindEmptyDir, "plain"), 0, fs.ModeDir | 0o777},
		{filepath.Join(pod, kindFiles, "cfg"), 2000, fs.ModeDir | fs.ModeSetgid | 0o755},
		{filepath.Join(pod, kindFiles, "cfg", data), 2000, fs.ModeDir | fs.ModeSetgid | 0o755},
		{filepath.Join(pod, kindFiles, "cfg", data, "certs"), 2000, fs.ModeDir | fs.ModeSetgid | 0o755},
		{filepath.Join(pod, kindFiles, "cfg", data, "password"), 2000, 0o440},
		{filepath.Join(pod, kindFiles, "cfg", data, "certs", "ca.crt"), 2000, 0o644},
	} {
		fi, err := os.Lstat(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if g := fi.Sys().(*syscall.Stat_t).Gid; g != tt.gid || fi.Mode() != tt.mode {
			t.Errorf("%s: group %d mode %v, want %d %v", tt.path, g, fi.Mode(), tt.gid, tt.mode)
		}
	}

	if err := v.setup("u1", vols); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.Readlink(filepath.Join(pod, kindFiles, "cfg", dataLink)); again != data {
		t.Errorf("a second setup rewrote the files (..data %s, then %s), want them kept", data, again)
	}
}
