package containerdrt

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/containerd/reference/docker"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
)

// NormalizeImage turns what a pod spec says ("busybox", "nginx:1.25")
// into the full name containerd stores ("docker.io/library/busybox:latest").
func NormalizeImage(image string) (string, error) {
	ref, err := docker.ParseDockerRef(image)
	if err != nil {
		return "", &kubelet.ImageError{Reason: "InvalidImageName", Message: fmt.Sprintf("Failed to apply default image tag %q: %v", image, err)}
	}
	return ref.String(), nil
}

// image returns a local, unpacked image.
func (r *Runtime) image(name string) (containerd.Image, error) {
	full, err := NormalizeImage(name)
	if err != nil {
		return nil, err
	}
	img, err := r.client.GetImage(r.callCtx(), full)
	if errdefs.IsNotFound(err) {
		return nil, &kubelet.ImageError{Reason: "ErrImageNeverPull", Message: fmt.Sprintf("image %q is not present on this node", name)}
	}
	if err != nil {
		return nil, fmt.Errorf("image %q: %w", name, err)
	}
	return img, r.unpack(img)
}

// unpack makes sure the image's layers are in the snapshotter, ready to
// be a container's root filesystem.
func (r *Runtime) unpack(img containerd.Image) error {
	ok, err := img.IsUnpacked(r.callCtx(), r.cfg.Snapshotter)
	if err != nil || ok {
		return err
	}
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.PullTimeout)
	defer cancel()
	if err := img.Unpack(ctx, r.cfg.Snapshotter); err != nil {
		return fmt.Errorf("unpacking image %s: %w", img.Name(), err)
	}
	return nil
}

func (r *Runtime) ensureImage(name string, policy api.PullPolicy) error {
	full, err := NormalizeImage(name)
	if err != nil {
		return err
	}
	img, err := r.client.GetImage(r.callCtx(), full)
	present := err == nil
	if err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("image %q: %w", name, err)
	}
	switch {
	case present && policy != api.PullAlways:
		return r.unpack(img)
	case !present && policy == api.PullNever:
		return &kubelet.ImageError{Reason: "ErrImageNeverPull",
			Message: fmt.Sprintf("Container image %q is not present with pull policy of Never (load it with: tinykube image import FILE.tar)", name)}
	}
	// Pull. This blocks the kubelet's loop for as long as the pull takes
	// (bounded by PullTimeout); tinykube's images are mostly imported.
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.PullTimeout)
	defer cancel()
	if _, err := r.client.Pull(ctx, full, containerd.WithPullUnpack, containerd.WithPullSnapshotter(r.cfg.Snapshotter)); err != nil {
		hint := ""
		if !present {
			hint = " (no registry reachable? build or fetch an archive and load it with: tinykube image import FILE.tar)"
		}
		return &kubelet.ImageError{Reason: "ErrImagePull", Message: fmt.Sprintf("pulling %q: %v%s", full, err, hint)}
	}
	return nil
}

// ImportResult names one image an archive held.
type ImportResult struct {
	Name   string
	Digest string
	Size   int64
}

// Import loads an OCI or Docker image archive into containerd's namespace
// ns and unpacks every image it names for the snapshotter, reporting each
// as it lands.
func Import(client *containerd.Client, ns, snapshotter string, archive io.Reader, progress func(ImportResult)) ([]ImportResult, error) {
	ctx, cancel := context.WithTimeout(WithNamespace(ns), 10*time.Minute)
	defer cancel()
	imgs, err := client.Import(ctx, archive)
	if err != nil {
		return nil, fmt.Errorf("importing image archive: %w (is it an OCI or Docker archive, as made by `tinykube image build` or `docker save`?)", err)
	}
	if len(imgs) == 0 {
		return nil, fmt.Errorf("the archive names no image (its index.json carries no io.containerd.image.name or org.opencontainers.image.ref.name annotation)")
	}
	var out []ImportResult
	for _, i := range imgs {
		img := containerd.NewImage(client, i)
		if err := img.Unpack(ctx, snapshotter); err != nil {
			return out, fmt.Errorf("unpacking %s: %w", i.Name, err)
		}
		size, _ := img.Size(ctx)
		res := ImportResult{Name: i.Name, Digest: i.Target.Digest.String(), Size: size}
		if progress != nil {
			progress(res)
		}
		out = append(out, res)
	}
	return out, nil
}

// WithNamespace is a context for calls in containerd namespace ns.
func WithNamespace(ns string) context.Context {
	return namespaces.WithNamespace(context.Background(), ns)
}
