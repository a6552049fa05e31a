package podnet

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/pkg/utils"
)

// Config describes one node's pod network.
type Config struct {
	// Network is the CNI network name (default "tinykube"). host-local keeps
	// its allocations in StateDir/ipam/<Network>.
	Network string
	// Bridge is the Linux bridge the pods' veths attach to (default "tk0").
	// Two nodes sharing one machine (or one test) need two bridges.
	Bridge string
	// Subnet is this node's pod CIDR, e.g. "10.88.0.0/24": an IPv4 network
	// address with a prefix of /30 or longer. Its first host is the
	// bridge's address and the pods' gateway; pods get the rest.
	Subnet string
	// PluginDirs are searched for the CNI plugin executables
	// (default /usr/lib/cni, then /opt/cni/bin).
	PluginDirs []string
	// StateDir holds everything this network keeps on disk: the pods'
	// netns files in netns/<id>, host-local's allocations in ipam/, and
	// libcni's cache of ADD results (which DEL needs) in cache/.
	StateDir string
}

// DefaultPluginDirs are where Debian's containernetworking-plugins package
// and the upstream release tarball put the plugins.
var DefaultPluginDirs = []string{"/usr/lib/cni", "/opt/cni/bin"}

// requiredPlugins are the CNI plugins the network list runs, in order.
var requiredPlugins = []string{"loopback", "bridge", "host-local"}

const installHint = "install them with `apt-get install containernetworking-plugins` or set Config.PluginDirs"

// cniVersion is the CNI spec version of the network list. 1.0.0 is the
// newest that containernetworking-plugins 1.1 speaks, and (from 0.4.0 on)
// it makes libcni cache ADD results and hand them to DEL.
const cniVersion = "1.0.0"

// withDefaults checks cfg and fills in the defaults; it returns the
// parsed subnet.
func (cfg *Config) withDefaults() (netip.Prefix, error) {
	if cfg.Network == "" {
		cfg.Network = "tinykube"
	}
	if cfg.Bridge == "" {
		cfg.Bridge = "tk0"
	}
	if len(cfg.PluginDirs) == 0 {
		cfg.PluginDirs = DefaultPluginDirs
	}
	if err := utils.ValidateNetworkName(cfg.Network); err != nil {
		return netip.Prefix{}, fmt.Errorf("pod network: Config.Network %q: %s", cfg.Network, err.Msg)
	}
	if len(cfg.Bridge) > 15 || strings.ContainsAny(cfg.Bridge, "/ \t\n:") {
		return netip.Prefix{}, fmt.Errorf("pod network: Config.Bridge %q is not a valid Linux interface name (at most 15 characters, no '/', ':' or spaces)", cfg.Bridge)
	}
	if cfg.StateDir == "" {
		return netip.Prefix{}, fmt.Errorf("pod network: Config.StateDir is required (netns files, IP allocations and the CNI cache live there)")
	}
	if !filepath.IsAbs(cfg.StateDir) {
		return netip.Prefix{}, fmt.Errorf("pod network: Config.StateDir %q must be an absolute path (CNI plugins run with their own working directory)", cfg.StateDir)
	}
	if cfg.Subnet == "" {
		return netip.Prefix{}, fmt.Errorf("pod network: Config.Subnet is required: this node's pod CIDR, e.g. 10.88.0.0/24")
	}
	subnet, err := netip.ParsePrefix(cfg.Subnet)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("pod network: Config.Subnet %q is not a CIDR like 10.88.0.0/24: %v", cfg.Subnet, err)
	}
	switch {
	case !subnet.Addr().Is4():
		return netip.Prefix{}, fmt.Errorf("pod network: Config.Subnet %q: only IPv4 pod networks are supported", cfg.Subnet)
	case subnet.Bits() > 30:
		return netip.Prefix{}, fmt.Errorf("pod network: Config.Subnet %q is too small: a /30 or larger is needed for a gateway and a pod", cfg.Subnet)
	case subnet.Masked() != subnet:
		return netip.Prefix{}, fmt.Errorf("pod network: Config.Subnet %q has host bits set; did you mean %s?", cfg.Subnet, subnet.Masked())
	}
	if err := checkPlugins(cfg.PluginDirs); err != nil {
		return netip.Prefix{}, err
	}
	return subnet, nil
}

// checkPlugins says which required plugins are in none of dirs.
func checkPlugins(dirs []string) error {
	var missing []string
	for _, p := range requiredPlugins {
		found := false
		for _, d := range dirs {
			if fi, err := os.Stat(filepath.Join(d, p)); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("pod network: CNI plugins %s not found in %s; %s", strings.Join(missing, ", "), strings.Join(dirs, ", "), installHint)
	}
	return nil
}

// confList is the CNI network configuration list the node runs for every
// pod. The runtime (libcni) runs its plugins in order on ADD and in
// reverse order on DEL, passing each plugin the previous one's result.
func confList(cfg Config, gateway netip.Addr) ([]byte, error) {
	type obj = map[string]any
	list := obj{
		"cniVersion": cniVersion,
		"name":       cfg.Network,
		"plugins": []obj{
			{"type": "loopback"},
			{
				"type":        "bridge",
				"bridge":      cfg.Bridge,
				"isGateway":   true,  // the bridge gets the gateway address: the node reaches pods through it
				"ipMasq":      false, // no NAT: pod traffic leaves with the pod's own IP
				"hairpinMode": true,  // a pod may reach itself through a service address
				"ipam": obj{
					"type":    "host-local",
					"dataDir": filepath.Join(cfg.StateDir, "ipam"),
					"ranges": [][]obj{{{
						"subnet":  cfg.Subnet,
						"gateway": gateway.String(),
					}}},
					"routes": []obj{{"dst": "0.0.0.0/0"}},
				},
			},
		},
	}
	return json.Marshal(list)
}
