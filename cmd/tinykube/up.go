package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/metricsserver"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/realnode/agent"
	"github.com/tinykube/tinykube/realnode/containerdrt"
	"github.com/tinykube/tinykube/realnode/controlplane"
	"github.com/tinykube/tinykube/realnode/httpapi"
	"github.com/tinykube/tinykube/realnode/kubeconfig"
	"github.com/tinykube/tinykube/realnode/pki"
)

func (c *cli) upCommand() *cobra.Command {
	cfg := controlplane.Config{Version: version}
	var runtimeKind string
	var nodes int
	var nf nodeFlags
	var images []string
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Run a whole cluster in one process: the server and its node(s)",
		Long: `Run the server (API, embedded etcd, scheduler, controllers) and a node in one
process, ready to use.

With --runtime=containerd (the default when run as root with containerd
installed) this machine is the node: pods run in containerd, each in its own
network namespace on the CNI bridge, and answer on their IPs from this machine.
When no containerd is running, up starts a private one under --data-dir. When
the busybox image is missing and /bin/busybox is static (busybox-static), up
builds and imports it, so the examples run without a registry.

With --runtime=sim the nodes' containers are simulated in real time: the real
kubelet, scheduler and controllers, on any laptop, with no root or containerd.
Each node's kubelet serves its stats summary on 127.0.0.1, so kubectl top and
autoscalers work; a container uses what its pod's sim.tinykube.io/behavior
annotation says (cpu=300m,memory=48Mi), else 1m and 4Mi. Logs and exec answer
that a simulated container has no process.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if nodes < 0 {
				return fmt.Errorf("--nodes must be at least 1")
			}
			start := time.Now()
			kind, socket, stopContainerd, why := c.chooseRuntime(runtimeKind, nf.socket, cfg.DataDir)
			if kind == "" {
				return errors.New(why)
			}
			if stopContainerd != nil {
				defer stopContainerd()
			}
			if nodes == 0 {
				nodes = map[string]int{"containerd": 1, "sim": 3}[kind]
			}
			if kind == "containerd" && nodes > 1 {
				return fmt.Errorf("--nodes=%d: a containerd cluster in one process has one node, this machine; add machines with 'tinykube agent'", nodes)
			}
			if kind == "containerd" {
				// One machine: the API server reaches its kubelet on
				// loopback, and the kubelet's port (exec!) stays off the
				// network unless asked for.
				if !cmd.Flags().Changed("kubelet-listen") {
					nf.listen = "127.0.0.1:10250"
				}
				if !cmd.Flags().Changed("node-ip") {
					nf.address = "127.0.0.1"
				}
			}
			if p, err := kubeconfig.DefaultPath(); err == nil {
				cfg.KubeconfigPath = p
			}
			cfg.Log = c.stderr
			if cfg.AdvertiseAddress == "" && kind == "containerd" {
				// Pods on this machine reach the API through its address
				// (simulated pods need none: the API stays on loopback).
				cfg.AdvertiseAddress = controlplane.DefaultAdvertiseAddress(cfg.Listen, agent.HostAddress)
			}
			s, err := controlplane.Start(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer s.Close()
			var summary string
			if kind == "containerd" {
				// The node is its own user, system:node:NAME, with a
				// client certificate straight from the cluster CA (an
				// agent on another machine gets one by joining).
				cc, err := s.ClientConfig(auth.NodeUser(nf.name).Name, auth.Nodes)
				if err != nil {
					return fmt.Errorf("issuing the node's client certificate: %v", err)
				}
				tr, err := httpapi.NewTransportConfig(s.URL, cc)
				if err != nil {
					return err
				}
				cl := client.New(tr)
				for _, path := range images {
					if err := c.importInto(socket, nf.namespace, nf.snapshotter, path); err != nil {
						return err
					}
				}
				c.seedBusybox(socket, nf.namespace, nf.snapshotter, cfg.DataDir)
				acfg, err := nf.agentConfig(cl, socket, cfg.DataDir)
				if err != nil {
					return err
				}
				acfg.Log = c.stdout
				// The kubelet server's certificate, also straight from
				// the CA: it answers the API server only.
				if acfg.ServingCert, acfg.ClusterCA, err = nodeServingCert(s.CA(), nf.name, acfg.Address); err != nil {
					return err
				}
				a, err := agent.Start(cmd.Context(), acfg)
				if err != nil {
					return err
				}
				defer a.Stop()
				summary = fmt.Sprintf("node %s on containerd (%s), pods in %s", nf.name, socket, nf.podCIDR)
			} else {
				if why != "" {
					fmt.Fprintf(c.stderr, "note: %s; the nodes' containers are simulated\n", why)
				}
				capacity, err := simCapacity(nf)
				if err != nil {
					return err
				}
				for i := 1; i <= nodes; i++ {
					name := fmt.Sprintf("node-%d", i)
					if _, err := startSimNode(cmd.Context(), name, client.New(asUser(s.API.Handle, auth.NodeUser(name))), capacity, s.CA()); err != nil {
						return err
					}
				}
				summary = fmt.Sprintf("%d simulated node(s) (%s CPU, %s memory each)", nodes, capacity.Cpu(), capacity.Memory())
			}
			fmt.Fprintf(c.stdout, "tinykube %s up in %.1fs: API %s, %s\n", version, time.Since(start).Seconds(), s.URL, summary)
			example := "examples/deployment.yaml"
			if kind == "containerd" {
				example = "examples/web.yaml"
			}
			fmt.Fprintf(c.stdout, "kubeconfig: %s\nTry: tinykube apply -f %s && tinykube get pods -o wide\n", s.Kubeconfig, example)
			<-cmd.Context().Done()
			fmt.Fprintln(c.stdout, "shutting down")
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&cfg.DataDir, "data-dir", defaultDataDir(), "where etcd keeps its data, the node its state, and the kubeconfig is written")
	fl.StringVar(&cfg.Listen, "listen", "127.0.0.1:6443", "the API's address (HTTPS)")
	fl.StringVar(&cfg.AdvertiseAddress, "advertise-address", "", "the IP pods reach this server at, listed by the kubernetes Service's Endpoints (default with containerd: the --listen host unless it is loopback, else this machine's first non-loopback IPv4); with --listen on loopback the API is served there too")
	fl.StringVar(&cfg.EtcdClientURL, "etcd-client-url", "https://127.0.0.1:2379", "where the embedded etcd serves clients (TLS, clients need a certificate from the cluster CA)")
	fl.StringVar(&cfg.EtcdPeerURL, "etcd-peer-url", "https://127.0.0.1:2380", "where the embedded etcd serves peers (TLS)")
	fl.StringVar(&runtimeKind, "runtime", "auto", "the node's container runtime: containerd, sim (simulated containers, in real time), or auto (containerd when it can be used, else sim)")
	fl.IntVar(&nodes, "nodes", 0, "how many nodes to run (default: this machine alone on containerd, or 3 simulated nodes)")
	fl.StringArrayVar(&images, "import", nil, "image archives to load into the node's containerd first (repeatable)")
	fl.StringVar(&cfg.Controllers.LoadBalancerPool, "lb-pool", controlplane.DefaultLoadBalancerPool, "addresses for Services of type LoadBalancer: CIDR prefixes and addresses, comma-separated (the default is on loopback, reachable on this machine only)")
	fl.StringVar(&cfg.Controllers.Scoring, "scheduler-scoring", "LeastAllocated", "LeastAllocated (spread) or MostAllocated (bin packing)")
	serviceRangeFlags(fl, &cfg)
	hardeningFlags(fl, &cfg)
	limitFlags(fl, &cfg)
	fl.DurationVar(&cfg.MetricResolution, "metric-resolution", metricsserver.DefaultResolution, "how often the metrics pipeline asks every kubelet for its stats summary (kubectl top, autoscalers); metrics-server's flag")
	nf.register(fl, true)
	return cmd
}

// chooseRuntime settles --runtime: for containerd (asked for, or auto) it
// finds or starts a containerd and says why when it cannot; auto then
// falls back to the simulated runtime. kind is "" when the asked-for
// runtime cannot be had.
func (c *cli) chooseRuntime(asked, socket, dataDir string) (kind, use string, stop func(), why string) {
	switch asked {
	case "sim":
		return "sim", "", nil, ""
	case "containerd", "auto":
	default:
		return "", "", nil, fmt.Sprintf("--runtime=%s: choose containerd, sim or auto", asked)
	}
	use, stop, err := containerdFor(socket, dataDir)
	if err == nil {
		return "containerd", use, stop, ""
	}
	if asked == "containerd" {
		return "", "", nil, "--runtime=containerd: " + err.Error()
	}
	return "sim", "", nil, "containerd cannot be used (" + err.Error() + ")"
}

// simCapacity is a simulated node's capacity: the flags, or 4 CPUs and 8Gi.
func simCapacity(nf nodeFlags) (api.ResourceList, error) {
	if nf.cpu == "" {
		nf.cpu = "4"
	}
	if nf.memory == "" {
		nf.memory = "8Gi"
	}
	return nf.capacity()
}

func (c *cli) importInto(socket, ns, snapshotter, path string) error {
	cl, err := containerdrt.Dial(socket, 10*time.Second)
	if err != nil {
		return err
	}
	defer cl.Close()
	return importArchive(c, cl, ns, snapshotter, path)
}

// asUser is the in-process API as user: a simulated node's kubelet is
// system:node:NAME, authorized as a real one is (its certificate is
// modelled rather than shown).
func asUser(h client.Local, user *rest.UserInfo) client.Local {
	return func(ctx context.Context, req *rest.Request) *rest.Response {
		r := *req
		r.User = user
		return h(ctx, &r)
	}
}

// nodeServingCert issues the kubelet serving certificate of node name
// (system:node:NAME in system:nodes, which the API server checks before
// it relays exec and logs) for its address, and returns it with the pool
// of the CA that verifies the API server's client certificate.
func nodeServingCert(ca *pki.CA, name, address string) (*tls.Certificate, *x509.CertPool, error) {
	if address == "" {
		address = agent.HostAddress()
	}
	ips := []net.IP{net.IPv4(127, 0, 0, 1)}
	if ip := net.ParseIP(address); ip != nil {
		ips = append(ips, ip)
	}
	certPEM, keyPEM, err := ca.Issue(pki.Request{CommonName: auth.NodeUser(name).Name, Organization: []string{auth.Nodes},
		Server: true, DNSNames: []string{name}, IPs: ips})
	if err != nil {
		return nil, nil, fmt.Errorf("issuing the kubelet's serving certificate: %v", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, nil, err
	}
	return &cert, ca.Pool(), nil
}
