package testimage

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// DefaultBusybox is where Debian's busybox-static installs the binary.
const DefaultBusybox = "/bin/busybox"

// DefaultName is the name the image is imported under: what `image:
// busybox` in a manifest normalizes to.
const DefaultName = "docker.io/library/busybox:latest"

// Options says what to build.
type Options struct {
	Busybox string   // the static busybox binary (DefaultBusybox)
	Name    string   // the image's full name (DefaultName)
	Cmd     []string // the default command (["sh"])
	// User is the image config's user ("1000", "1000:3000", "nobody");
	// "" runs as root, as busybox's image does.
	User string
	// Files are added to the image, by path inside it ("bin/incluster"),
	// after busybox's own (a program a test built, in a directory the
	// image has: bin, etc, usr/bin, var, tmp ...).
	Files map[string]File
}

// File is one extra file of the image.
type File struct {
	Data []byte
	Mode int64 // permission bits, e.g. 0o755
}

func (o *Options) setDefaults() {
	if o.Busybox == "" {
		o.Busybox = DefaultBusybox
	}
	if o.Name == "" {
		o.Name = DefaultName
	}
	if len(o.Cmd) == 0 {
		o.Cmd = []string{"sh"}
	}
}

// epoch is every file's modification time, so the same busybox always
// gives the same image digest.
var epoch = time.Unix(0, 0).UTC()

// Media types of the OCI image specification.
const (
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaIndex    = "application/vnd.oci.image.index.v1+json"
)

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// blob is one content-addressed file of the layout.
type blob struct {
	desc descriptor
	data []byte
}

func newBlob(mediaType string, data []byte) blob {
	sum := sha256.Sum256(data)
	return blob{desc: descriptor{MediaType: mediaType, Digest: "sha256:" + hex.EncodeToString(sum[:]), Size: int64(len(data))}, data: data}
}

// Build writes the image archive to w.
func Build(w io.Writer, opts Options) error {
	opts.setDefaults()
	bin, err := os.ReadFile(opts.Busybox)
	if err != nil {
		return fmt.Errorf("test image: reading busybox: %w (install it with: apt-get install busybox-static)", err)
	}
	applets, err := listApplets(opts.Busybox)
	if err != nil {
		return err
	}
	layer, err := rootfs(bin, applets, opts.Files)
	if err != nil {
		return err
	}
	layerBlob := newBlob(mediaLayer, layer)
	diffID := layerBlob.desc.Digest // uncompressed: the diff ID is the digest
	imageConfig := map[string]any{
		"Env":        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		"Cmd":        opts.Cmd,
		"WorkingDir": "/",
	}
	if opts.User != "" {
		imageConfig["User"] = opts.User
	}
	config, err := json.Marshal(map[string]any{
		"created":      epoch.Format(time.RFC3339),
		"architecture": runtime.GOARCH,
		"os":           "linux",
		"config":       imageConfig,
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{diffID}},
	})
	if err != nil {
		return err
	}
	configBlob := newBlob(mediaConfig, config)
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     mediaManifest,
		"config":        configBlob.desc,
		"layers":        []descriptor{layerBlob.desc},
	})
	if err != nil {
		return err
	}
	manifestBlob := newBlob(mediaManifest, manifest)
	top := manifestBlob.desc
	top.Annotations = map[string]string{
		"io.containerd.image.name":          opts.Name,
		"org.opencontainers.image.ref.name": refName(opts.Name),
	}
	index, err := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": mediaIndex, "manifests": []descriptor{top}})
	if err != nil {
		return err
	}

	tw := tar.NewWriter(w)
	files := []struct {
		name string
		data []byte
	}{
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{"index.json", index},
	}
	for _, b := range []blob{layerBlob, configBlob, manifestBlob} {
		files = append(files, struct {
			name string
			data []byte
		}{"blobs/sha256/" + strings.TrimPrefix(b.desc.Digest, "sha256:"), b.data})
	}
	for _, dir := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: epoch}); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: 0o644, Size: int64(len(f.data)), ModTime: epoch}); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	return tw.Close()
}

// BuildFile writes the image archive to path.
func BuildFile(path string, opts Options) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Build(f, opts); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// refName is the tag part of a name ("latest" of "busybox:latest").
func refName(name string) string {
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		return name[i+1:]
	}
	return "latest"
}

// listApplets asks busybox which programs it can be.
func listApplets(busybox string) ([]string, error) {
	out, err := exec.Command(busybox, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("test image: %s --list: %w", busybox, err)
	}
	var applets []string
	for _, a := range strings.Fields(string(out)) {
		if a != "busybox" && !strings.Contains(a, "/") {
			applets = append(applets, a)
		}
	}
	slices.Sort(applets)
	return applets, nil
}

// rootfs is the image's single layer: busybox, its links, the files and
// directories programs expect, and extra (in path order, so the same
// files always give the same digest).
func rootfs(busybox []byte, applets []string, extra map[string]File) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(name string, mode int64) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, ModTime: epoch})
	}
	file := func(name string, mode int64, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: epoch}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	for _, d := range []string{"bin", "dev", "etc", "proc", "root", "sys", "usr", "usr/bin", "var", "var/www"} {
		if err := dir(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := dir("tmp", 0o1777); err != nil {
		return nil, err
	}
	if err := file("bin/busybox", 0o755, busybox); err != nil {
		return nil, err
	}
	for _, a := range applets {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + a, Linkname: "busybox", Mode: 0o777, ModTime: epoch}); err != nil {
			return nil, err
		}
	}
	etc := map[string]string{
		"etc/passwd":         "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
		"etc/group":          "root:x:0:\nnogroup:x:65534:\n",
		"var/www/index.html": "hello from tinykube's busybox image\n",
	}
	for _, name := range []string{"etc/group", "etc/passwd", "var/www/index.html"} {
		if err := file(name, 0o644, []byte(etc[name])); err != nil {
			return nil, err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(extra)) {
		if err := file(strings.TrimPrefix(name, "/"), extra[name].Mode, extra[name].Data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
