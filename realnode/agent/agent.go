package agent

import (
	"bufio"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"

	"github.com/containerd/log"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/localpath"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/realnode/containerdrt"
	promreg "github.com/tinykube/tinykube/realnode/metrics"
	"github.com/tinykube/tinykube/realnode/podnet"
	"github.com/tinykube/tinykube/realnode/prober"
	"github.com/tinykube/tinykube/realnode/runloop"
)

// Config describes one node.
type Config struct {
	// Client talks to the API server.
	Client   *client.Client
	NodeName string
	// Address is the node's InternalIP: where the API server reaches its
	// kubelet server and what pods see as status.hostIP.
	Address string
	// Capacity is what the node offers; zero fields are read from the
	// machine (CPUs, memory) or defaulted (110 pods).
	Capacity api.ResourceList
	Labels   map[string]string

	// containerd.
	Socket      string // DefaultSocket when empty
	Namespace   string // "tinykube"
	Snapshotter string

	// StateDir keeps the node's logs, network namespaces, IPAM state and pods' volumes.
	StateDir string
	// PodCIDR is this node's pod subnet; Bridge names the CNI bridge.
	PodCIDR, Bridge string
	// PluginDirs are where the CNI plugins are (/usr/lib/cni, /opt/cni/bin).
	PluginDirs []string

	// Listen is where the kubelet server listens: Address:10250 when
	// empty; a bare ":PORT" also means the node's Address, never every
	// interface (":0" picks a free port there).
	Listen string

	// ServingCert is the kubelet server's certificate (kubelet-serving,
	// issued for system:node:NodeName and the node's addresses, see
	// Join); ClusterCA verifies the API server's client certificate
	// (kubeletserver.APIServerClientName). The kubelet server speaks
	// HTTPS and answers the API server only; Start refuses a Config
	// without both unless PlainKubeletServer.
	ServingCert *tls.Certificate
	ClusterCA   *x509.CertPool
	// PlainKubeletServer serves logs and exec over plain HTTP to anyone
	// who reaches Listen: only for a benchmark whose node talks to the
	// API in process, on loopback.
	PlainKubeletServer bool

	// DNS is where the node's DNS server listens: "" for port 53 of the
	// pod bridge's address, "off" for none (pods get the host's resolver).
	// DNSUpstreams answer names outside ClusterDomain ("cluster.local");
	// nil means the host's /etc/resolv.conf nameservers. See dns.go.
	DNS           string
	DNSUpstreams  []string
	ClusterDomain string

	// PodWorkers bounds how many pods the kubelet works on at once
	// (podworkers.go): 0 means DefaultPodWorkers; a negative number none,
	// every sync and probe on the kubelet's loop one after another, as
	// before pod workers (for comparison).
	PodWorkers int

	// Tuning passes kubelet settings through (back-off, periods); its
	// Loop, Client, Runtime and node fields are filled in here.
	Tuning kubelet.Config

	// Proxy configures the service proxy (nftables), on unless disabled.
	Proxy ProxyConfig

	Log io.Writer
}

// Agent is a running node.
type Agent struct {
	cfg     Config
	loop    *runloop.Loop
	cancel  context.CancelFunc
	Runtime *containerdrt.Runtime
	Network *podnet.Network
	kubelet *kubelet.Kubelet
	// workers runs the kubelet's per-pod work; nil with PodWorkers < 0.
	workers *podWorkerPool
	server  *kubeletServer
	proxy   *serviceProxy
	dns     *nodeDNS
	// metrics is the node process' Prometheus metrics, served at the
	// kubelet server's /metrics (metrics.go).
	metrics *promreg.Registry
}

// Start connects to containerd, sets up the pod network, starts the kubelet
// server and the kubelet. It returns once the node is running.
func Start(ctx context.Context, cfg Config) (*Agent, error) {
	if cfg.NodeName == "" {
		return nil, fmt.Errorf("agent: no node name")
	}
	if cfg.Client != nil && cfg.Client.UserAgent == "" {
		// The kubelet's writes are recorded under "kubelet", as
		// Kubernetes records them.
		named := *cfg.Client
		named.UserAgent = "kubelet/" + cfg.NodeName
		cfg.Client = &named
	}
	if cfg.Socket == "" {
		cfg.Socket = containerdrt.DefaultSocket
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "tinykube"
	}
	if cfg.StateDir == "" {
		cfg.StateDir = filepath.Join("/var/lib/tinykube/nodes", cfg.NodeName)
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	// containerd's client logs each registry it tries; the kubelet
	// reports pull failures itself, as events and container statuses.
	log.SetLevel("warn")
	capacity, err := machineCapacity(cfg.Capacity)
	if err != nil {
		return nil, err
	}
	cfg.Capacity = capacity
	if cfg.Address == "" {
		cfg.Address = HostAddress()
	}
	cfg.Listen = listenAddress(cfg.Listen, cfg.Address)

	network, err := podnet.New(podnet.Config{Network: "tinykube-" + cfg.Namespace, Bridge: cfg.Bridge, Subnet: cfg.PodCIDR,
		PluginDirs: cfg.PluginDirs, StateDir: filepath.Join(cfg.StateDir, "net")})
	if err != nil {
		return nil, err
	}
	nodeDNS, podDNS, err := listenDNS(cfg, network)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	reg := promreg.NewRegistry()
	l := runloop.New()
	l.Recorder = reg // the kubelet and its work queue report to it
	rt, err := containerdrt.New(containerdrt.Config{Socket: cfg.Socket, Namespace: cfg.Namespace, Snapshotter: cfg.Snapshotter,
		LogDir: filepath.Join(cfg.StateDir, "logs"), Network: network, Post: l.Post,
		SandboxDir: filepath.Join(cfg.StateDir, "sandboxes"), VolumeDir: filepath.Join(cfg.StateDir, "volumes"), DNS: podDNS})
	if err != nil {
		nodeDNS.stop(l)
		cancel()
		return nil, err
	}
	a := &Agent{cfg: cfg, loop: l, cancel: cancel, Runtime: rt, Network: network, dns: nodeDNS, metrics: reg}
	a.cleanOrphanNetworks()

	srv, port, err := startKubeletServer(cfg, a)
	if err != nil {
		rt.Close()
		nodeDNS.stop(l)
		cancel()
		return nil, fmt.Errorf("kubelet server on %s: %w", cfg.Listen, err)
	}
	a.server = srv

	kc := cfg.Tuning
	kc.Loop, kc.Client, kc.Runtime = l, cfg.Client, rt
	kc.Prober = &prober.Prober{Exec: rt.Exec}
	if cfg.PodWorkers >= 0 {
		a.workers = newPodWorkerPool(l, cmp.Or(cfg.PodWorkers, DefaultPodWorkers))
		kc.Workers = a.workers
		kc.Runtime, kc.Prober = loopFreeRuntime{rt: rt, loop: l}, loopFreeProber{p: kc.Prober, loop: l}
	}
	kc.NodeName, kc.Address, kc.Port = cfg.NodeName, cfg.Address, int32(port)
	kc.Capacity, kc.Labels = cfg.Capacity, cfg.Labels
	go l.Run(ctx)
	l.Do(func() {
		a.kubelet = kubelet.Start(kc)
		// The node's local-path provisioner runs with its kubelet: only
		// the node can make and remove its own directories.
		localpath.Start(localpath.Config{Loop: l, Client: cfg.Client, NodeName: cfg.NodeName,
			Storage: dirStorage{root: filepath.Join(cfg.StateDir, "volumes")}})
		a.dns.start(l, cfg)
	})
	a.proxy = startProxy(ctx, cfg)
	fmt.Fprintf(cfg.Log, "node %s: containerd %s (namespace %s), pods in %s on bridge %s, kubelet server on %s:%d\n",
		cfg.NodeName, rtVersion(rt), cfg.Namespace, cfg.PodCIDR, cfg.Bridge, cfg.Address, port)
	return a, nil
}

func rtVersion(rt *containerdrt.Runtime) string { _, v := rt.Version(); return v }

// Stop stops the kubelet and its server. The containers keep running: an
// agent started later on the same containerd namespace adopts them.
func (a *Agent) Stop() {
	a.loop.Do(func() { a.kubelet.Stop() })
	if a.workers != nil {
		a.workers.wait() // each drops what is left of its pod's work
	}
	a.proxy.stop()
	a.dns.stop(a.loop)
	a.server.close()
	a.cancel()
	a.Runtime.Close()
}

// Port is where the kubelet server listens.
func (a *Agent) Port() int { return a.server.port }

// cleanOrphanNetworks removes the network namespaces a crash left behind:
// those whose sandbox record containerd no longer has.
func (a *Agent) cleanOrphanNetworks() {
	ids, err := a.Network.List()
	if err != nil {
		return
	}
	sandboxes, _, err := a.Runtime.List()
	if err != nil {
		return
	}
	known := map[string]bool{}
	for _, s := range sandboxes {
		known[s.ID] = true
	}
	for _, id := range ids {
		if !known[id] {
			a.Network.Teardown(context.Background(), id)
		}
	}
}

// machineCapacity fills what c leaves out from the machine.
func machineCapacity(c api.ResourceList) (api.ResourceList, error) {
	out := api.ResourceList{}
	for k, v := range c {
		out[k] = v
	}
	if _, ok := out[api.ResourceCPU]; !ok {
		out[api.ResourceCPU] = api.MustParseQuantity(strconv.Itoa(goruntime.NumCPU()))
	}
	if _, ok := out[api.ResourceMemory]; !ok {
		mem, err := MemTotal()
		if err != nil {
			return nil, fmt.Errorf("reading the machine's memory (pass --node-memory): %w", err)
		}
		out[api.ResourceMemory] = api.MustParseQuantity(strconv.FormatInt(mem, 10))
	}
	if _, ok := out[api.ResourcePods]; !ok {
		out[api.ResourcePods] = api.MustParseQuantity("110")
	}
	return out, nil
}

// MemTotal is the machine's memory in bytes (MemTotal in /proc/meminfo).
func MemTotal() (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no MemTotal in /proc/meminfo")
}

// HostAddress is the machine's first non-loopback IPv4 address, or
// 127.0.0.1 when it has none.
func HostAddress() string {
	ifaces, err := net.Interfaces()
	if err != nil {
		return "127.0.0.1"
	}
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 || strings.HasPrefix(ifc.Name, "tk") || strings.HasPrefix(ifc.Name, "veth") || strings.HasPrefix(ifc.Name, "cni") {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
				return ipn.IP.String()
			}
		}
	}
	return "127.0.0.1"
}
