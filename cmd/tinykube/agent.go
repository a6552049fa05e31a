package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/agent"
	"github.com/tinykube/tinykube/realnode/containerdrt"
	"github.com/tinykube/tinykube/realnode/testimage"
)

// nodeFlags are the flags of a real node, shared by `agent` and `up`.
type nodeFlags struct {
	name, address                  string
	socket, namespace, snapshotter string
	stateDir, podCIDR, bridge      string
	listen                         string
	cpu, memory, pods              string
	dns                            string
	dnsUpstreams                   []string
	noProxy                        bool
	podWorkers                     int
}

func (f *nodeFlags) register(fl *pflag.FlagSet, sim bool) {
	host, _ := os.Hostname()
	fl.StringVar(&f.name, "node-name", host, "the node's name")
	fl.StringVar(&f.address, "node-ip", "", "the node's InternalIP, where the API server reaches its kubelet (default: the machine's first IPv4 address)")
	fl.StringVar(&f.socket, "containerd-socket", "", "containerd's socket (default: "+containerdrt.DefaultSocket+")")
	fl.StringVar(&f.namespace, "containerd-namespace", "tinykube", "the containerd namespace this node's containers live in")
	fl.StringVar(&f.snapshotter, "snapshotter", "", "containerd snapshotter (default: containerd's own, overlayfs)")
	fl.StringVar(&f.stateDir, "state-dir", "", "where the node keeps logs and network state (default: DATA-DIR/nodes/NAME, or /var/lib/tinykube/nodes/NAME)")
	fl.StringVar(&f.podCIDR, "pod-cidr", "10.244.0.0/24", "this node's pod subnet")
	fl.StringVar(&f.bridge, "bridge", "tk0", "the pods' bridge device on this node")
	fl.StringVar(&f.listen, "kubelet-listen", ":10250", "where the node serves pod logs and exec to the API server (a bare :PORT listens on the node IP only, not every interface)")
	cpuHelp, memHelp := "the node's CPU capacity (default: the machine's CPUs)", "the node's memory capacity (default: the machine's memory)"
	if sim {
		cpuHelp, memHelp = "each node's CPU capacity (simulated nodes: 4; containerd: the machine's)", "each node's memory capacity (simulated nodes: 8Gi; containerd: the machine's)"
	}
	fl.StringVar(&f.cpu, "node-cpu", "", cpuHelp)
	fl.StringVar(&f.memory, "node-memory", "", memHelp)
	fl.StringVar(&f.pods, "node-pods", "110", "how many pods a node may run")
	fl.StringVar(&f.dns, "cluster-dns", "", `where the node's DNS server for pods listens (default: port 53 of the pod bridge's address); "off" gives pods the host's resolver`)
	fl.StringSliceVar(&f.dnsUpstreams, "dns-upstream", nil, "resolvers for names outside cluster.local, as IP or IP:port (default: the host's /etc/resolv.conf nameservers)")
	fl.IntVar(&f.podWorkers, "max-parallel-pod-workers", agent.DefaultPodWorkers, "how many pods the kubelet starts, stops and probes at once (each pod's work stays in order; Kubernetes runs one goroutine per pod, unbounded); -1: one pod at a time on the kubelet's loop")
	fl.BoolVar(&f.noProxy, "disable-proxy", false, "do not run the service proxy (no nftables rules for services on this node)")
}

// capacity parses the capacity flags; empty ones are left out.
func (f *nodeFlags) capacity() (api.ResourceList, error) {
	out := api.ResourceList{}
	for name, v := range map[api.ResourceName]string{api.ResourceCPU: f.cpu, api.ResourceMemory: f.memory, api.ResourcePods: f.pods} {
		if v == "" {
			continue
		}
		q, err := api.ParseQuantity(v)
		if err != nil {
			return nil, fmt.Errorf("--node-%s: %v", name, err)
		}
		out[name] = q
	}
	return out, nil
}

func (f *nodeFlags) agentConfig(cl *client.Client, socket, dataDir string) (agent.Config, error) {
	capacity, err := f.capacity()
	if err != nil {
		return agent.Config{}, err
	}
	var upstreams []string
	for _, u := range f.dnsUpstreams {
		if net.ParseIP(u) != nil {
			u = net.JoinHostPort(u, "53")
		}
		if _, _, err := net.SplitHostPort(u); err != nil {
			return agent.Config{}, fmt.Errorf("--dns-upstream %q: want an IP or IP:port", u)
		}
		upstreams = append(upstreams, u)
	}
	stateDir := f.stateDir
	if stateDir == "" {
		stateDir = filepath.Join(dataDir, "nodes", f.name)
	}
	return agent.Config{Client: cl, NodeName: f.name, Address: f.address, Capacity: capacity,
		Socket: socket, Namespace: f.namespace, Snapshotter: f.snapshotter, StateDir: stateDir,
		PodCIDR: f.podCIDR, Bridge: f.bridge, Listen: f.listen,
		DNS: f.dns, DNSUpstreams: upstreams, Proxy: agent.ProxyConfig{Disable: f.noProxy}, PodWorkers: f.podWorkers}, nil
}

func (c *cli) agentCommand() *cobra.Command {
	var nf nodeFlags
	var token, tokenFile string
	cmd := &cobra.Command{
		Use:   "agent --server URL[,URL...] --token K10…",
		Short: "Run this machine as a node: the kubelet on containerd, with CNI pod networking",
		Long: `Run a node agent: it registers this machine as a Node, heartbeats, and runs the
pods the scheduler binds to it with containerd (one containerd namespace per node)
in network namespaces wired up by the CNI bridge plugin. Needs root.

Images come from 'tinykube image import FILE.tar' or a registry, if one is reachable.

With a highly available control plane, name every server: --server URL1,URL2,URL3.
The agent sticks to one and moves to the next when it cannot be reached or has
lost its etcd quorum (it answers 503); its watches re-open on the next one.

To join, give it a join token (--token, --token-file or $TINYKUBE_TOKEN): the contents
of DATA_DIR/token on a server, or one from 'tinykube token create'. The token
carries the hash of the cluster's CA: the agent fetches the CA from --server,
refuses to go on if its hash differs (sending nothing), and only then uses the
token's secret to ask for the node's certificates, which it keeps in
STATE_DIR/pki. A restarted agent uses those and needs no token.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			socket := nf.socket
			if socket == "" {
				socket = containerdrt.DefaultSocket
			}
			cfg, err := nf.agentConfig(nil, socket, "/var/lib/tinykube")
			if err != nil {
				return err
			}
			cfg.Log = c.stdout
			tok, err := joinToken(token, tokenFile)
			if err != nil {
				return err
			}
			if err := c.joinAgent(cmd.Context(), &cfg, tok); err != nil {
				return err
			}
			a, err := agent.Start(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			<-cmd.Context().Done()
			fmt.Fprintln(c.stdout, "stopping the agent; containers keep running and are adopted at the next start")
			a.Stop()
			return nil
		},
	}
	nf.register(cmd.Flags(), false)
	cmd.Flags().StringVar(&token, "token", "", "the join token, K10<CA hash>::<secret> (default: $TINYKUBE_TOKEN)")
	cmd.Flags().StringVar(&tokenFile, "token-file", "", "a file holding the join token (a server's DATA_DIR/token)")
	return cmd
}

// joinToken returns the join token from --token, --token-file or
// $TINYKUBE_TOKEN, in that order ("" when none is given).
func joinToken(token, file string) (string, error) {
	if token != "" {
		return token, nil
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--token-file: %v", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return os.Getenv("TINYKUBE_TOKEN"), nil
}

// joinAgent gives cfg its API client and TLS material: joined with the
// token (or the certificates a previous join kept in the state dir), the
// node talks to the servers as system:node:NAME and its kubelet server
// speaks HTTPS. Without either it refuses to start, saying which token to
// pass.
func (c *cli) joinAgent(ctx context.Context, cfg *agent.Config, token string) error {
	if cfg.Address == "" {
		cfg.Address = agent.HostAddress()
	}
	if token == "" {
		if _, err := agent.LoadCredentials(filepath.Join(cfg.StateDir, "pki"), cfg.NodeName); err != nil {
			return fmt.Errorf("no join token and no node certificates in %s (%v): pass --token with the contents of DATA_DIR/token on a server, or a token from 'tinykube token create'", filepath.Join(cfg.StateDir, "pki"), err)
		}
	}
	if c.server == "" {
		return fmt.Errorf("joining needs the API server: pass --server https://HOST:6443 (several, comma-separated, for an HA control plane)")
	}
	creds, err := agent.Join(ctx, agent.JoinConfig{Servers: c.server, Token: token, NodeName: cfg.NodeName,
		Address: cfg.Address, StateDir: cfg.StateDir, Log: c.stdout})
	if err != nil {
		return err
	}
	cl := client.New(creds.Transport(c.server))
	cl.OnWarning = func(w string) { fmt.Fprintf(c.stderr, "Warning: %s\n", w) }
	cfg.Client, cfg.ServingCert, cfg.ClusterCA = cl, &creds.Serving, creds.CA
	return nil
}

// containerdFor finds a containerd for `up`: the one named, else the
// system's if it answers, else a private one started under dataDir (root
// only). stop, when not nil, stops the private one.
func containerdFor(socket, dataDir string) (use string, stop func(), err error) {
	if socket != "" {
		return socket, nil, containerdrt.Ping(socket)
	}
	if containerdrt.Ping(containerdrt.DefaultSocket) == nil {
		return containerdrt.DefaultSocket, nil, nil
	}
	if os.Geteuid() != 0 {
		return "", nil, fmt.Errorf("no containerd answers on %s, and only root can start one (run as root, or start containerd)", containerdrt.DefaultSocket)
	}
	d, err := containerdrt.StartDaemon(filepath.Join(dataDir, "containerd"))
	if err != nil {
		return "", nil, err
	}
	return d.Socket, func() { d.Stop() }, nil
}

// seedBusybox imports the busybox test image into the node's namespace
// when it is missing and the machine has a static busybox, so the
// examples run on a machine that reaches no registry.
func (c *cli) seedBusybox(socket, ns, snapshotter, dataDir string) {
	cl, err := containerdrt.Dial(socket, 5*time.Second)
	if err != nil {
		return
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(containerdrt.WithNamespace(ns), 5*time.Second)
	defer cancel()
	if _, err := cl.GetImage(ctx, testimage.DefaultName); err == nil {
		return
	}
	if _, err := os.Stat(testimage.DefaultBusybox); err != nil {
		fmt.Fprintf(c.stderr, "note: no %s to build the busybox image from (apt-get install busybox-static); import images with 'tinykube image import'\n", testimage.DefaultBusybox)
		return
	}
	path := filepath.Join(dataDir, "images", "busybox.tar")
	if err := testimage.BuildFile(path, testimage.Options{}); err != nil {
		fmt.Fprintf(c.stderr, "note: building the busybox image: %v\n", err)
		return
	}
	if err := importArchive(c, cl, ns, snapshotter, path); err != nil {
		fmt.Fprintf(c.stderr, "note: %v\n", err)
	}
}
