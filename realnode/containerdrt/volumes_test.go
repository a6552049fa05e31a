package containerdrt

import (
	"bufio"
	"maps"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/realnode/netnstest"
)

// generation gives a set of files whose every byte says which generation
// wrote it, so a reader can tell a mix from a whole.
func generation(g byte) map[string]kubelet.File {
	body := func(n int) []byte { return []byte(strings.Repeat(string('a'+g), n)) }
	return map[string]kubelet.File{
		"a":            {Data: body(4096), Mode: 0o644},
		"b":            {Data: body(10), Mode: 0o600},
		"certs/ca.crt": {Data: body(300), Mode: 0o444},
	}
}

// A reader never sees a file half written, an old file beside a new one
// under one "..data", or a missing file, while the set is rewritten again
// and again. Between two writes every reader finishes one read (updates
// are rare next to reads): a reader stalled across two whole writes may
// find its directory gone, which is not what this checks.
func TestWriteFilesSwapsAtomically(t *testing.T) {
	dir := t.TempDir()
	if _, err := writeFiles(dir, generation(0), noGroup); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var reads, bad atomic.Int64
	var firstBad atomic.Value
	var done [2]atomic.Int64 // reads finished, per reader
	for i := range done {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ; !stop.Load(); done[i].Add(1) {
				a, err := os.ReadFile(filepath.Join(dir, "a"))
				if err != nil || len(a) != 4096 || strings.Trim(string(a), string(a[0])) != "" {
					bad.Add(1)
					firstBad.CompareAndSwap(nil, "a: "+string(a[:min(len(a), 8)])+" "+errString(err))
					continue
				}
				// Both files through one resolution of "..data".
				fd, err := unix.Open(filepath.Join(dir, dataLink), unix.O_DIRECTORY|unix.O_RDONLY, 0)
				if err != nil {
					bad.Add(1)
					firstBad.CompareAndSwap(nil, "..data: "+err.Error())
					continue
				}
				x, errx := readAt(fd, "a")
				y, erry := readAt(fd, "certs/ca.crt")
				unix.Close(fd)
				if errx == nil && erry == nil && x[0] != y[0] {
					bad.Add(1)
					firstBad.CompareAndSwap(nil, "mix: a is "+string(x[0])+", certs/ca.crt is "+string(y[0]))
				}
				reads.Add(1)
			}
		}()
	}
	for i := range 300 {
		if _, err := writeFiles(dir, generation(byte(1+i%20)), noGroup); err != nil {
			t.Fatal(err)
		}
		for r := range done {
			for n := done[r].Load(); done[r].Load() < n+2; {
				runtime.Gosched()
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	if bad.Load() > 0 {
		t.Fatalf("%d of %d reads saw a broken set, first: %v", bad.Load(), reads.Load(), firstBad.Load())
	}
	if reads.Load() == 0 {
		t.Fatal("the readers never read")
	}

	// What is left: one timestamped directory, "..data", and the
	// top-level links.
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	target, _ := os.Readlink(filepath.Join(dir, dataLink))
	var dirs []string
	for _, n := range names {
		if strings.HasPrefix(n, "..20") {
			dirs = append(dirs, n)
		}
	}
	if diff := cmp.Diff(sortedCopy(append([]string{"..data", "a", "b", "certs"}, dirs...)), sortedCopy(names)); diff != "" || len(dirs) != 2 || !slices.Contains(dirs, target) {
		t.Errorf("volume dir entries (-want +got):\n%s (..data -> %q; want it and the one before)", diff, target)
	}
	for p, mode := range map[string]os.FileMode{"a": 0o644, "b": 0o600, "certs/ca.crt": 0o444} {
		if fi, err := os.Stat(filepath.Join(dir, p)); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v (%v), want %v", p, fi.Mode().Perm(), err, mode)
		}
	}
}

func readAt(dirfd int, path string) ([]byte, error) {
	fd, err := unix.Openat(dirfd, path, unix.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	b := make([]byte, 1)
	_, err = f.Read(b)
	return b, err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// A set written again unchanged is not rewritten; a changed one is, and
// names it no longer has go.
func TestWriteFilesRewritesOnlyChanges(t *testing.T) {
	dir := t.TempDir()
	steps := []struct {
		files       map[string]kubelet.File
		wantChanged bool
		wantTop     []string
	}{
		{map[string]kubelet.File{"a": {Data: []byte("1")}, "b": {Data: []byte("2")}}, true, []string{"a", "b"}},
		{map[string]kubelet.File{"a": {Data: []byte("1")}, "b": {Data: []byte("2")}}, false, []string{"a", "b"}},
		{map[string]kubelet.File{"a": {Data: []byte("1")}, "b": {Data: []byte("2"), Mode: 0o600}}, true, []string{"a", "b"}},
		{map[string]kubelet.File{"a": {Data: []byte("1")}}, true, []string{"a"}},
		{map[string]kubelet.File{"a": {Data: []byte("1")}, "d/e": {Data: []byte("3")}}, true, []string{"a", "d"}},
		{map[string]kubelet.File{}, true, nil},
	}
	for i, s := range steps {
		changed, err := writeFiles(dir, s.files, noGroup)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if changed != s.wantChanged {
			t.Errorf("step %d: writeFiles changed = %v, want %v", i, changed, s.wantChanged)
		}
		entries, _ := os.ReadDir(dir)
		var top []string
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), "..") {
				top = append(top, e.Name())
			}
		}
		if diff := cmp.Diff(s.wantTop, top); diff != "" {
			t.Errorf("step %d: top-level names (-want +got):\n%s", i, diff)
		}
		for p, f := range s.files {
			if got, err := os.ReadFile(filepath.Join(dir, p)); err != nil || string(got) != string(f.Data) {
				t.Errorf("step %d: %s = %q (%v), want %q", i, p, got, err, f.Data)
			}
		}
	}
}

func TestCheckFilePathsRefusesEscapes(t *testing.T) {
	for _, tc := range []struct {
		path string
		want string // "" for accepted
	}{
		{"config.yaml", ""},
		{"certs/ca.crt", ""},
		{"/etc/passwd", "must be a relative path"},
		{"../x", "must not contain '..'"},
		{"a/../../x", "is not clean"},
		{"..data", "must not start with '..'"},
		{"..x/y", "must not start with '..'"},
		{"./a", "is not clean"},
		{"", "must be a relative path"},
	} {
		err := checkFilePaths(map[string]kubelet.File{tc.path: {}})
		if got := errString(err); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("checkFilePaths(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
	err := checkFilePaths(map[string]kubelet.File{"a": {}, "a/b": {}})
	if !strings.Contains(errString(err), `"a/b" is inside "a", which is a file`) {
		t.Errorf("checkFilePaths(a, a/b) = %v, want a clash", err)
	}
}

func TestCheckHostPathTypes(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o700)
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	missing := filepath.Join(dir, "missing")
	for _, tc := range []struct {
		path, typ string
		want      string // "" for accepted
	}{
		{missing, "", ""},
		{sub, "Directory", ""},
		{file, "Directory", "is a regular file, but type Directory requires a directory"},
		{missing, "Directory", "does not exist on this node (type Directory requires it)"},
		{file, "File", ""},
		{sub, "File", "is a directory, but type File requires a regular file"},
		{sock, "Socket", ""},
		{file, "Socket", "requires a socket"},
		{"/dev/null", "CharDevice", ""},
		{"/dev/null", "BlockDevice", "is a character device, but type BlockDevice requires a block device"},
		{sub, "CharDevice", "requires a character device"},
		{file, "DirectoryOrCreate", "is a regular file, but type DirectoryOrCreate requires a directory"},
		{sub, "FileOrCreate", "is a directory, but type FileOrCreate requires a regular file"},
		{filepath.Join(dir, "nodir", "f"), "FileOrCreate", "its directory must exist"},
		{file, "Fifo", `hostPath.type "Fifo" is not one of`},
	} {
		got := errString(checkHostPath(tc.path, tc.typ))
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("checkHostPath(%s, %q) = %q, want %q", tc.path, tc.typ, got, tc.want)
		}
	}

	// The ...OrCreate types make what is missing, with Kubernetes' modes.
	for _, tc := range []struct {
		typ  string
		path string
		want os.FileMode
	}{
		{"DirectoryOrCreate", filepath.Join(dir, "made", "deep"), os.ModeDir | 0o755},
		{"FileOrCreate", filepath.Join(dir, "made.txt"), 0o644},
	} {
		if err := checkHostPath(tc.path, tc.typ); err != nil {
			t.Fatalf("checkHostPath(%s, %s) = %v", tc.path, tc.typ, err)
		}
		if fi, err := os.Stat(tc.path); err != nil || fi.Mode() != tc.want {
			t.Errorf("%s made %s with mode %v (%v), want %v", tc.typ, tc.path, fi.Mode(), err, tc.want)
		}
	}
}

func TestSubPathStaysInsideItsVolume(t *testing.T) {
	root := filepath.Join(t.TempDir(), "vol")
	os.MkdirAll(filepath.Join(root, "data", "x"), 0o755)
	outside := t.TempDir()
	os.Symlink(outside, filepath.Join(root, "out"))                     // absolute, outside
	os.Symlink("../../", filepath.Join(root, "data", "up"))             // relative, outside
	os.Symlink("data", filepath.Join(root, "in"))                       // relative, inside
	os.Symlink(filepath.Join(root, "data"), filepath.Join(root, "abs")) // absolute, inside
	realRoot, _ := filepath.EvalSymlinks(root)
	for _, tc := range []struct {
		sub    string
		create bool
		want   string // the source, relative to the volume
		err    string
	}{
		{sub: "data/x", want: "data/x"},
		{sub: "in/x", want: "data/x"},
		{sub: "abs/x", want: "data/x"},
		{sub: "new/deep", create: true, want: "new/deep"},
		{sub: "new2", err: "does not exist in the volume"},
		{sub: "out", create: true, err: "outside the volume"},
		{sub: "out/made", create: true, err: "outside the volume"},
		{sub: "data/up/etc", create: true, err: "outside the volume"},
		{sub: "in/up", err: "outside the volume"},
		{sub: "../x", err: "must not contain '..'"},
		{sub: "/etc", err: "must be a relative path"},
	} {
		got, err := subPathSource(root, tc.sub, tc.create)
		if tc.err != "" {
			if !strings.Contains(errString(err), tc.err) {
				t.Errorf("subPathSource(%q) = %q, %v; want error %q", tc.sub, got, err, tc.err)
			}
			continue
		}
		if want := filepath.Join(realRoot, tc.want); err != nil || got != want {
			t.Errorf("subPathSource(%q) = %q, %v; want %q", tc.sub, got, err, want)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("subPath made %v outside the volume", entries)
	}
}

// tmpfsMounts lists the tmpfs mounts under dir, with their super options
// (size=...), from /proc/self/mountinfo.
func tmpfsMounts(t *testing.T, dir string) map[string]string {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := slices.Index(fields, "-")
		if sep < 0 || len(fields) < sep+4 || fields[sep+1] != "tmpfs" {
			continue
		}
		if rel, err := filepath.Rel(dir, fields[4]); err == nil && !strings.HasPrefix(rel, "..") {
			if _, dup := out[rel]; dup {
				out[rel] += " AND AGAIN"
			}
			out[rel] += fields[sep+3]
		}
	}
	return out
}

func hasOpt(opts, opt string) bool { return slices.Contains(strings.Split(opts, ","), opt) }

// Memory emptyDirs and Secrets are tmpfs mounts; a new volumes over the
// same directory (a restarted agent) keeps every volume as it is; volumes
// no longer listed go, and a teardown leaves nothing but what hostPath and
// local volumes point at.
func TestVolumesTmpfsAdoptionAndTeardown(t *testing.T) {
	netnstest.Require(t) // root, and the private mount namespace Main made
	base := t.TempDir()
	dir := filepath.Join(base, "volumes")
	host := filepath.Join(base, "host", "logs")
	local := filepath.Join(base, "disk1")
	os.MkdirAll(local, 0o755)
	os.WriteFile(filepath.Join(local, "keep"), []byte("pv data"), 0o644)
	t.Cleanup(func() { (&volumes{dir: dir}).teardown("u1") })

	vols := []kubelet.PodVolume{
		{Name: "scratch", EmptyDir: &kubelet.EmptyDirVolume{}},
		{Name: "cache", EmptyDir: &kubelet.EmptyDirVolume{Medium: "Memory", SizeLimitBytes: 1 << 20}},
		{Name: "config", Files: &kubelet.FilesVolume{Files: map[string]kubelet.File{"app.conf": {Data: []byte("x=1")}}}},
		{Name: "creds", Files: &kubelet.FilesVolume{Secret: true, Files: map[string]kubelet.File{"password": {Data: []byte("s3cret"), Mode: 0o400}}}},
		{Name: "logs", HostPath: &kubelet.HostPathVolume{Path: host, Type: "DirectoryOrCreate"}},
		{Name: "pv", Local: &kubelet.LocalVolume{Path: local}},
	}
	v := &volumes{dir: dir}
	if err := v.setup("u1", vols); err != nil {
		t.Fatal(err)
	}
	pod := filepath.Join(dir, "u1")
	wantMounts := map[string]string{"u1/empty-dir/cache": "size=1024k", "u1/files/creds": ""}
	check := func(when string) {
		t.Helper()
		got := tmpfsMounts(t, dir)
		if diff := cmp.Diff(slices.Sorted(maps.Keys(wantMounts)), slices.Sorted(maps.Keys(got))); diff != "" {
			t.Errorf("%s: tmpfs mounts (-want +got):\n%s\n%v", when, diff, got)
		}
		for p, opt := range wantMounts {
			if opt != "" && !hasOpt(got[p], opt) {
				t.Errorf("%s: tmpfs at %s has options %q, want %s", when, p, got[p], opt)
			}
		}
	}
	check("after setup")
	if fi, err := os.Stat(filepath.Join(pod, "empty-dir", "scratch")); err != nil || fi.Mode().Perm() != 0o777 {
		t.Errorf("emptyDir scratch: %v %v, want a 0777 directory", fi, err)
	}
	if fi, err := os.Stat(host); err != nil || !fi.IsDir() {
		t.Errorf("hostPath DirectoryOrCreate did not make %s: %v", host, err)
	}
	os.WriteFile(filepath.Join(pod, "empty-dir", "scratch", "work"), []byte("w"), 0o644)
	os.WriteFile(filepath.Join(pod, "empty-dir", "cache", "hot"), []byte("h"), 0o644)
	data := func(vol string) string {
		s, _ := os.Readlink(filepath.Join(pod, "files", vol, dataLink))
		return s
	}
	configData, credsData := data("config"), data("creds")

	// A restarted agent: a new volumes over the same directory.
	v = &volumes{dir: dir}
	if err := v.setup("u1", vols); err != nil {
		t.Fatal(err)
	}
	check("after adoption")
	for _, p := range []string{"empty-dir/scratch/work", "empty-dir/cache/hot"} {
		if _, err := os.Stat(filepath.Join(pod, p)); err != nil {
			t.Errorf("after adoption: %s lost: %v", p, err)
		}
	}
	if data("config") != configData || data("creds") != credsData {
		t.Errorf("after adoption: files rewritten: ..data %s→%s, %s→%s", configData, data("config"), credsData, data("creds"))
	}
	if b, err := os.ReadFile(filepath.Join(pod, "files", "creds", "password")); err != nil || string(b) != "s3cret" {
		t.Errorf("creds/password = %q, %v", b, err)
	}

	// Volumes no longer listed go (tmpfs unmounted); a kind change makes
	// the volume again.
	vols = []kubelet.PodVolume{vols[0], {Name: "config", EmptyDir: &kubelet.EmptyDirVolume{}}, vols[5]}
	if err := v.setup("u1", vols); err != nil {
		t.Fatal(err)
	}
	wantMounts = map[string]string{}
	check("after shrinking")
	var left []string
	filepath.WalkDir(pod, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(pod, p)
		left = append(left, rel)
		return nil
	})
	if diff := cmp.Diff([]string{".", "empty-dir", "empty-dir/config", "empty-dir/scratch", "empty-dir/scratch/work", "files", "host-path", "local", "local/pv"}, left); diff != "" {
		t.Errorf("after shrinking, the pod's volume dir (-want +got):\n%s", diff)
	}

	if err := v.teardown("u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pod); !os.IsNotExist(err) {
		t.Errorf("after teardown, %s: %v, want it gone", pod, err)
	}
	if b, err := os.ReadFile(filepath.Join(local, "keep")); err != nil || string(b) != "pv data" {
		t.Errorf("teardown touched the local volume: %q %v", b, err)
	}
	if _, err := os.Stat(host); err != nil {
		t.Errorf("teardown touched the hostPath: %v", err)
	}
}

func TestVolumeMountsOptionsAndErrors(t *testing.T) {
	dir := t.TempDir()
	host := t.TempDir()
	v := &volumes{dir: dir}
	if err := v.setup("u1", []kubelet.PodVolume{
		{Name: "scratch", EmptyDir: &kubelet.EmptyDirVolume{}},
		{Name: "config", Files: &kubelet.FilesVolume{Files: map[string]kubelet.File{"app.conf": {Data: []byte("x=1")}}}},
		{Name: "h", HostPath: &kubelet.HostPathVolume{Path: host}},
	}); err != nil {
		t.Fatal(err)
	}
	os.Symlink("/etc", filepath.Join(dir, "u1", "empty-dir", "scratch", "evil"))
	realDir, _ := filepath.EvalSymlinks(dir)
	got, err := v.volumeMounts("u1", []kubelet.Mount{
		{Volume: "scratch", ContainerPath: "/data"},
		{Volume: "scratch", ContainerPath: "/ro", ReadOnly: true},
		{Volume: "config", ContainerPath: "/etc/app"},
		{Volume: "config", ContainerPath: "/etc/app.conf", SubPath: "app.conf"},
		{Volume: "h", ContainerPath: "/host/", SubPath: "logs"},
	})
	if err != nil {
		t.Fatal(err)
	}
	vol := func(kind, name string) string { return filepath.Join(dir, "u1", kind, name) }
	appConf, _ := filepath.EvalSymlinks(filepath.Join(vol("files", "config"), "app.conf"))
	realHost, _ := filepath.EvalSymlinks(host)
	type m struct{ Dst, Src, Opts string }
	var gotM []m
	for _, x := range got {
		gotM = append(gotM, m{x.Destination, x.Source, strings.Join(x.Options, ",")})
	}
	want := []m{
		{"/data", vol("empty-dir", "scratch"), "rbind,rw"},
		{"/ro", vol("empty-dir", "scratch"), "rbind,ro"},
		{"/etc/app", vol("files", "config"), "rbind,ro"},
		{"/etc/app.conf", appConf, "rbind,ro"},
		{"/host", filepath.Join(realHost, "logs"), "rbind,rw"},
	}
	if diff := cmp.Diff(want, gotM); diff != "" {
		t.Errorf("volumeMounts (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(appConf, realDir) {
		t.Errorf("subPath of a files volume resolved to %s, outside %s", appConf, realDir)
	}
	for _, tc := range []struct {
		mount kubelet.Mount
		want  string
	}{
		{kubelet.Mount{Volume: "nope", ContainerPath: "/x"}, `volume "nope" of pod u1 is not set up on this node`},
		{kubelet.Mount{Volume: "scratch", ContainerPath: "x"}, `mount path "x" must be absolute`},
		{kubelet.Mount{Volume: "scratch", ContainerPath: "/x", SubPath: "evil/shadow"}, `volume "scratch": subPath "evil/shadow" resolves to /etc, outside the volume`},
		{kubelet.Mount{Volume: "config", ContainerPath: "/x", SubPath: "other.conf"}, `subPath "other.conf" does not exist in the volume`},
	} {
		_, err := v.volumeMounts("u1", []kubelet.Mount{tc.mount})
		if !strings.Contains(errString(err), tc.want) {
			t.Errorf("volumeMounts(%+v) = %v, want %q", tc.mount, err, tc.want)
		}
	}
	if _, err := os.Stat("/etc/shadow/x"); err == nil {
		t.Error("a subPath escape made something under /etc")
	}
	if err := v.teardown("u1"); err != nil {
		t.Fatal(err)
	}
}
