package containerdrt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/containerd/containers"
	"github.com/containerd/containerd/contrib/seccomp"
	"github.com/containerd/containerd/oci"

	"github.com/tinykube/tinykube/core/kubelet"
)

// A container's securityContext, as the kubelet resolved it
// (kubelet.ContainerSecurity), becomes options on its OCI spec, applied
// after the image's own (user, working directory) and in the order
// containerd's CRI plugin applies them, because later options read what
// earlier ones set:
//
//  1. the user: runAsUser and runAsGroup over the image's user, then the
//     image's /etc/group memberships of that user, then the pod's
//     supplementalGroups and fsGroup;
//  2. capabilities: "ALL" added, then "ALL" dropped, then the named ones
//     added, then the named ones dropped — so drop ALL, add
//     NET_BIND_SERVICE leaves just that one;
//  3. privileged: every capability the agent has, the node's devices, no
//     masked or read-only /proc paths, writable sysfs and cgroupfs;
//  4. no_new_privs only when allowPrivilegeEscalation is false (containerd's
//     default spec sets it; Kubernetes' default is to allow escalation),
//     and a read-only root filesystem;
//  5. seccomp last: the default profile allows system calls according to
//     the capabilities the process ends up with. A privileged container
//     gets no filter, whatever it asks.
//
// runAsNonRoot is checked first, against the image's user, with the
// kubelet's rule (kubelet.CheckRunAsNonRoot): a refusal is a
// *kubelet.ConfigError, which the kubelet shows as
// CreateContainerConfigError.

// securityOpts returns the spec options that apply cfg.Security to a
// container whose image names imageUser (its config's "User"), or the
// *kubelet.ConfigError that refuses it. seccompDir is where Localhost
// profiles are.
func securityOpts(cfg kubelet.ContainerConfig, imageUser, seccompDir string) ([]oci.SpecOpts, error) {
	if err := kubelet.CheckRunAsNonRoot(cfg, imageUser); err != nil {
		return nil, err
	}
	opts := userOpts(cfg.Security, imageUser)
	more, err := processOpts(cfg.Security, seccompDir)
	if err != nil {
		return nil, &kubelet.ConfigError{Message: fmt.Sprintf("container %s: %v", cfg.Name, err)}
	}
	return append(opts, more...), nil
}

// userOpts sets the process's uid, gid and extra groups. With neither
// runAsUser nor runAsGroup the image's user stays (oci.WithImageConfigArgs
// set it); runAsGroup alone keeps the image's user with that group. The
// options that look a user up in the image's /etc/passwd and /etc/group
// mount the container's snapshot, so they need one (containerd.WithNewSnapshot
// comes before the spec).
func userOpts(sec kubelet.ContainerSecurity, imageUser string) []oci.SpecOpts {
	var opts []oci.SpecOpts
	user := ""
	switch {
	case sec.RunAsUser != nil && sec.RunAsGroup != nil:
		user = strconv.FormatInt(*sec.RunAsUser, 10)
		opts = append(opts, oci.WithUIDGID(uint32(*sec.RunAsUser), uint32(*sec.RunAsGroup)))
	case sec.RunAsUser != nil:
		// The image's /etc/passwd gives the uid's group, else group 0.
		user = strconv.FormatInt(*sec.RunAsUser, 10)
		opts = append(opts, oci.WithUserID(uint32(*sec.RunAsUser)))
	case sec.RunAsGroup != nil:
		user, _, _ = strings.Cut(imageUser, ":")
		if user == "" {
			user = "0"
		}
		opts = append(opts, oci.WithUser(user+":"+strconv.FormatInt(*sec.RunAsGroup, 10)))
	}
	if user != "" {
		// Setting the user cleared its groups: take the image's again.
		opts = append(opts, oci.WithAdditionalGIDs(user))
	}
	if len(sec.SupplementalGroups) > 0 {
		opts = append(opts, withSupplementalGroups(sec.SupplementalGroups))
	}
	return opts
}

// withSupplementalGroups adds gids to the process's extra groups, each
// once, after those it has.
func withSupplementalGroups(gids []int64) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		if s.Process == nil {
			return errors.New("supplemental groups: the spec has no process")
		}
		for _, g := range gids {
			if !slices.Contains(s.Process.User.AdditionalGids, uint32(g)) {
				s.Process.User.AdditionalGids = append(s.Process.User.AdditionalGids, uint32(g))
			}
		}
		return nil
	}
}

// processOpts sets what the process may do: capabilities, privileged,
// no_new_privs, a read-only root and seccomp, in that order. It fails on
// a seccomp profile it cannot apply (an unknown type, a Localhost path
// that leaves seccompDir or names no file); it reads nothing but that
// file, so it also serves to build specs in tests without containerd.
func processOpts(sec kubelet.ContainerSecurity, seccompDir string) ([]oci.SpecOpts, error) {
	var opts []oci.SpecOpts
	if slices.ContainsFunc(sec.CapAdd, isAll) {
		opts = append(opts, oci.WithAllCurrentCapabilities)
	}
	if slices.ContainsFunc(sec.CapDrop, isAll) {
		opts = append(opts, oci.WithCapabilities(nil))
	}
	if add := capNames(sec.CapAdd); len(add) > 0 {
		opts = append(opts, oci.WithAddedCapabilities(add))
	}
	if drop := capNames(sec.CapDrop); len(drop) > 0 {
		opts = append(opts, oci.WithDroppedCapabilities(drop))
	}
	if sec.Privileged {
		opts = append(opts, oci.WithPrivileged, oci.WithHostDevices, oci.WithAllDevicesAllowed)
	}
	// containerd's default spec sets no_new_privs; Kubernetes lets a
	// process escalate unless allowPrivilegeEscalation is false.
	if sec.NoNewPrivileges {
		opts = append(opts, oci.WithNoNewPrivileges)
	} else {
		opts = append(opts, oci.WithNewPrivileges)
	}
	if sec.ReadOnlyRootFilesystem {
		opts = append(opts, oci.WithRootFSReadonly())
	}
	if sec.Privileged {
		return opts, nil // privileged: no seccomp filter (oci.WithPrivileged cleared it)
	}
	typ, profile, _ := strings.Cut(sec.Seccomp, "/")
	switch typ {
	case "", "Unconfined":
	case "RuntimeDefault":
		opts = append(opts, seccomp.WithDefaultProfile())
	case "Localhost":
		path, err := localhostProfile(seccompDir, profile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, seccomp.WithProfile(path))
	default:
		return nil, fmt.Errorf("seccomp profile type %q is not one of RuntimeDefault, Unconfined, Localhost", typ)
	}
	return opts, nil
}

func isAll(c string) bool { return strings.EqualFold(c, "ALL") }

// capNames writes Kubernetes' capability names as the OCI spec has them
// ("NET_ADMIN" is CAP_NET_ADMIN), leaving out ALL.
func capNames(caps []string) []string {
	var out []string
	for _, c := range caps {
		if isAll(c) {
			continue
		}
		out = append(out, "CAP_"+strings.TrimPrefix(strings.ToUpper(c), "CAP_"))
	}
	return out
}

// localhostProfile is the path of a Localhost seccomp profile: name,
// relative to dir (the node's seccomp directory, as the kubelet's
// /var/lib/kubelet/seccomp). A name that is absolute or has a ".."
// element is refused — it could name any file of the node — and so is
// one that names no regular file.
func localhostProfile(dir, name string) (string, error) {
	if name == "" || filepath.IsAbs(name) || slices.Contains(strings.Split(filepath.ToSlash(name), "/"), "..") {
		return "", fmt.Errorf("seccomp localhostProfile %q must be a relative path without '..', inside the node's seccomp directory %s", name, dir)
	}
	path := filepath.Join(dir, name)
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("seccomp localhostProfile %q: no such profile on this node (put it at %s)", name, path)
	case err != nil:
		return "", fmt.Errorf("seccomp localhostProfile %q: %w", name, err)
	case !fi.Mode().IsRegular():
		return "", fmt.Errorf("seccomp localhostProfile %q: %s is not a regular file", name, path)
	}
	return path, nil
}
