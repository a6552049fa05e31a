package podnet

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/utils"
	"github.com/containernetworking/cni/pkg/version"
)

// Network wires pod network namespaces into one node's bridge. It is safe
// for concurrent use on different ids; calls for the same id must not
// overlap (the kubelet handles one pod at a time).
type Network struct {
	cfg     Config
	gateway netip.Addr
	cni     *libcni.CNIConfig
	list    *libcni.NetworkConfigList
}

// Attachment is a pod's place on the network.
type Attachment struct {
	NetNS string // path of the pod's network namespace, for the container runtime
	IP    string // the pod's IPv4 address on the bridge, e.g. "10.88.0.5"
}

// ifName is the pod-side interface, as in Kubernetes.
const ifName = "eth0"

// New checks cfg (the subnet, and that the bridge, host-local and loopback
// plugins are installed) and creates the state directories. It touches no
// network: the bridge appears with the first Setup.
func New(cfg Config) (*Network, error) {
	subnet, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	gateway := subnet.Addr().Next()
	for _, d := range []string{"netns", "ipam", "cache"} {
		if err := os.MkdirAll(filepath.Join(cfg.StateDir, d), 0o700); err != nil {
			return nil, fmt.Errorf("pod network: creating state directory: %w", err)
		}
	}
	raw, err := confList(cfg, gateway)
	if err != nil {
		return nil, fmt.Errorf("pod network: building the CNI configuration: %w", err)
	}
	list, err := libcni.NetworkConfFromBytes(raw)
	if err != nil {
		return nil, fmt.Errorf("pod network: parsing the CNI configuration: %w", err)
	}
	return &Network{
		cfg:     cfg,
		gateway: gateway,
		// An explicit exec: given nil, libcni creates one lazily on every
		// call, a data race when pods are set up concurrently.
		cni: libcni.NewCNIConfigWithCacheDir(cfg.PluginDirs, filepath.Join(cfg.StateDir, "cache"), &invoke.DefaultExec{
			RawExec:       &invoke.RawExec{Stderr: os.Stderr},
			PluginDecoder: version.PluginDecoder{},
		}),
		list: list,
	}, nil
}

// Gateway returns the bridge's address, the first host of the subnet: the
// pods' default gateway, and the address the node talks to pods from.
func (n *Network) Gateway() string { return n.gateway.String() }

// netnsPath is where the namespace of sandbox id is pinned.
func (n *Network) netnsPath(id string) string {
	return filepath.Join(n.cfg.StateDir, "netns", id)
}

func (n *Network) runtimeConf(id, netns string) *libcni.RuntimeConf {
	return &libcni.RuntimeConf{ContainerID: id, NetNS: netns, IfName: ifName}
}

// Setup creates the network namespace of sandbox id and runs CNI ADD in it:
// loopback brings lo up, bridge creates the bridge if needed, a veth pair
// with eth0 in the pod, and asks host-local for an IP. On failure it undoes
// what it did, so a failed Setup leaves nothing to tear down. Setting up
// an id that is already set up is an error.
func (n *Network) Setup(ctx context.Context, id string) (Attachment, error) {
	if err := utils.ValidateContainerID(id); err != nil {
		return Attachment{}, fmt.Errorf("pod network: sandbox id %q: %s", id, err.Msg)
	}
	path := n.netnsPath(id)
	if err := createNetNS(path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return Attachment{}, fmt.Errorf("pod network: sandbox %s is already set up (%s exists); tear it down first", id, path)
		}
		return Attachment{}, fmt.Errorf("pod network: creating netns for sandbox %s: %w", id, err)
	}
	res, err := n.cni.AddNetworkList(ctx, n.list, n.runtimeConf(id, path))
	if err != nil {
		err = fmt.Errorf("pod network: CNI ADD for sandbox %s: %w", id, err)
		return Attachment{}, errors.Join(err, n.undo(id, path))
	}
	ip, err := podIP(res)
	if err != nil {
		err = fmt.Errorf("pod network: CNI ADD for sandbox %s: %w", id, err)
		return Attachment{}, errors.Join(err, n.undo(id, path))
	}
	n.forgetNeighbor(ip)
	return Attachment{NetNS: path, IP: ip.String()}, nil
}

// forgetNeighbor drops what the node remembers of ip's link-layer address.
// host-local hands a released IP out again; if the node still holds the
// MAC of the pod that had it before (its ARP entry outlives the pod by half
// a minute or more), its packets to the new pod go to a MAC nobody has
// until the entry expires. Same as `ip neigh del IP dev BRIDGE`; failure
// (nothing to forget, no `ip`) is harmless.
func (n *Network) forgetNeighbor(ip netip.Addr) {
	if path, err := exec.LookPath("ip"); err == nil {
		exec.Command(path, "neigh", "del", ip.String(), "dev", n.cfg.Bridge).Run()
	}
}

// undo releases whatever a failed Setup may hold. A plugin that failed
// half-way may have taken an IP or made a veth; DEL is defined to clean up
// after a partial ADD.
func (n *Network) undo(id, path string) error {
	// A fresh context: the caller's may be the reason Setup failed.
	if err := n.cni.DelNetworkList(context.Background(), n.list, n.runtimeConf(id, path)); err != nil {
		return fmt.Errorf("pod network: undoing the failed setup of sandbox %s: CNI DEL: %w (run Teardown again)", id, err)
	}
	if err := removeNetNS(path); err != nil {
		return fmt.Errorf("pod network: undoing the failed setup of sandbox %s: %w", id, err)
	}
	return nil
}

// podIP picks the pod's IPv4 address out of a CNI result: the one on the
// interface inside the sandbox.
func podIP(r types.Result) (netip.Addr, error) {
	res, err := types100.GetResult(r)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("reading the result: %w", err)
	}
	for _, c := range res.IPs {
		inSandbox := c.Interface != nil && *c.Interface >= 0 && *c.Interface < len(res.Interfaces) &&
			res.Interfaces[*c.Interface].Sandbox != ""
		if ip, ok := netip.AddrFromSlice(c.Address.IP.To4()); ok && inSandbox {
			return ip, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("the result has no IPv4 address on the pod's %s (%d addresses, %d interfaces)", ifName, len(res.IPs), len(res.Interfaces))
}

// Teardown runs CNI DEL for sandbox id (libcni hands the plugins the result
// cached at ADD, so they know what to release) and removes its network
// namespace. Tearing down an id that is partly or entirely gone is not an
// error, so the kubelet can simply retry, and clean up orphans found by
// List after a crash.
func (n *Network) Teardown(ctx context.Context, id string) error {
	if err := utils.ValidateContainerID(id); err != nil {
		return fmt.Errorf("pod network: sandbox id %q: %s", id, err.Msg)
	}
	path := n.netnsPath(id)
	netns := path
	if !isNetNS(path) {
		// The namespace is gone (a reboot, or a Teardown that got this far
		// before); with no netns the plugins only release the IP.
		netns = ""
	}
	if err := n.cni.DelNetworkList(ctx, n.list, n.runtimeConf(id, netns)); err != nil {
		return fmt.Errorf("pod network: CNI DEL for sandbox %s: %w", id, err)
	}
	if err := removeNetNS(path); err != nil {
		return fmt.Errorf("pod network: removing netns of sandbox %s: %w", id, err)
	}
	return nil
}

// List returns the ids of the sandboxes whose netns file exists, sorted. An
// agent compares them with the pods it runs to find what a crash left.
func (n *Network) List() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(n.cfg.StateDir, "netns"))
	if err != nil {
		return nil, fmt.Errorf("pod network: listing sandboxes: %w", err)
	}
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, e.Name())
	}
	slices.Sort(ids)
	return ids, nil
}
