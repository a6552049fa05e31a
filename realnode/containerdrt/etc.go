package containerdrt

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	cdns "github.com/tinykube/tinykube/core/dns"
	"github.com/tinykube/tinykube/core/kubelet"
)

// A pod's /etc/resolv.conf, /etc/hosts and /etc/hostname are written once per sandbox,
// into SandboxDir/<id>/, and bind-mounted read-only into every container
// of the pod, as the kubelet does: the image's own files are hidden, and
// all containers of a pod agree on its name and resolver.

// sandboxDir is where sandbox id's files are.
func (r *Runtime) sandboxDir(id string) string { return filepath.Join(r.cfg.SandboxDir, id) }

// writeEtc writes sandbox id's resolv.conf and hosts. The resolver
// follows the pod's dnsPolicy:
//
//   - ClusterFirst (the default) and ClusterFirstWithHostNet (there is no
//     host network, so the two are the same): the cluster's nameserver and
//     search list, from Config.DNS; the host's resolver when no cluster
//     nameserver is configured;
//   - Default: the host's resolver;
//   - None: the API has no dnsConfig to take the resolver from, so the pod
//     gets the host's, as under Default.
func (r *Runtime) writeEtc(id, ip string, cfg kubelet.SandboxConfig) error {
	dir := r.sandboxDir(id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("sandbox %s: %w", id, err)
	}
	var resolv []byte
	switch cfg.DNSPolicy {
	case "", "ClusterFirst", "ClusterFirstWithHostNet":
		if r.cfg.DNS.Nameserver != "" {
			resolv = []byte(cdns.ResolvConf(cfg.Namespace, r.cfg.DNS))
			break
		}
		fallthrough
	default:
		var err error
		if resolv, err = hostResolvConf(r.cfg.HostResolvConf); err != nil {
			return fmt.Errorf("sandbox %s: the host's resolver for pod %s/%s: %w", id, cfg.Namespace, cfg.Name, err)
		}
	}
	hostname := cfg.Hostname
	if len(hostname) > 63 {
		hostname = hostname[:63]
	}
	hosts := cdns.Hosts(ip, hostname, cfg.Subdomain, cfg.Namespace, r.cfg.DNS.ClusterDomain)
	for name, data := range map[string][]byte{"resolv.conf": resolv, "hosts": []byte(hosts), "hostname": []byte(hostname + "\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("sandbox %s: %w", id, err)
		}
	}
	return nil
}

// hostResolvConf reads the host's resolver configuration for a pod. When
// every nameserver in it is a loopback address (systemd-resolved's stub
// at 127.0.0.53), a pod could not reach any of them from its own network
// namespace, so systemd-resolved's list of real upstreams is used instead
// when there is one.
func hostResolvConf(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if onlyLoopback(data) {
		if real, err := os.ReadFile("/run/systemd/resolve/resolv.conf"); err == nil {
			return real, nil
		}
	}
	return data, nil
}

func onlyLoopback(resolv []byte) bool {
	found := false
	sc := bufio.NewScanner(bytes.NewReader(resolv))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "nameserver" {
			ip, err := netip.ParseAddr(f[1])
			if err == nil && !ip.IsLoopback() {
				return false
			}
			found = true
		}
	}
	return found
}

// etcMounts bind-mounts sandbox id's files over the image's, read-only.
// A sandbox made before the files were written (an older agent) has none,
// and its containers keep the image's.
func (r *Runtime) etcMounts(id string) []specs.Mount {
	var out []specs.Mount
	// /etc/hostname as Kubernetes' kubelet mounts it: tools (and `kubectl
	// cp POD:/etc/hostname`) expect it in every container.
	for _, name := range []string{"resolv.conf", "hosts", "hostname"} {
		src := filepath.Join(r.sandboxDir(id), name)
		if _, err := os.Stat(src); err == nil {
			out = append(out, specs.Mount{Destination: "/etc/" + name, Type: "bind", Source: src,
				Options: []string{"rbind", "ro", "nosuid", "nodev", "noexec"}})
		}
	}
	return out
}
