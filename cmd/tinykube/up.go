package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/realnode/controlplane"
	"github.com/tinykube/tinykube/realnode/kubeconfig"
	"github.com/tinykube/tinykube/realnode/runloop"
	simruntime "github.com/tinykube/tinykube/sim/runtime"
)

func (c *cli) upCommand() *cobra.Command {
	cfg := controlplane.Config{Version: version}
	var runtimeKind string
	var nodes int
	var cpu, memory, pods string
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Run a whole cluster in one process: the server and its nodes",
		Long: `Run the server (API, embedded etcd, scheduler, controllers) and nodes in one
process. With --runtime=sim the nodes' containers are simulated in real time: the
real kubelet, scheduler and controllers, on any laptop, with no root or containerd.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runtimeKind != "sim" {
				return fmt.Errorf("--runtime=%s is not available yet: use --runtime=sim (containerd nodes come with the real-node work)", runtimeKind)
			}
			if nodes < 1 {
				return fmt.Errorf("--nodes must be at least 1")
			}
			capacity := api.ResourceList{}
			for name, v := range map[api.ResourceName]string{api.ResourceCPU: cpu, api.ResourceMemory: memory, api.ResourcePods: pods} {
				q, err := api.ParseQuantity(v)
				if err != nil {
					return fmt.Errorf("--%s: %v", name, err)
				}
				capacity[name] = q
			}
			start := time.Now()
			if p, err := kubeconfig.DefaultPath(); err == nil {
				cfg.KubeconfigPath = p
			}
			cfg.Log = c.stderr
			s, err := controlplane.Start(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer s.Close()
			cl := client.New(client.Local(s.API.Handle))
			for i := 1; i <= nodes; i++ {
				startSimNode(cmd.Context(), fmt.Sprintf("node-%d", i), cl, capacity)
			}
			fmt.Fprintf(c.stdout, "tinykube %s up in %.1fs: API %s, %d simulated node(s) (%s CPU, %s memory each)\n", version, time.Since(start).Seconds(), s.URL, nodes, cpu, memory)
			fmt.Fprintf(c.stdout, "kubeconfig: %s\nTry: tinykube apply -f examples/deployment.yaml && tinykube get pods -o wide\n", s.Kubeconfig)
			<-cmd.Context().Done()
			fmt.Fprintln(c.stdout, "shutting down")
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&cfg.DataDir, "data-dir", defaultDataDir(), "where etcd keeps its data and the kubeconfig is written")
	fl.StringVar(&cfg.Listen, "listen", "127.0.0.1:6443", "the API's address (plain HTTP: keep it on loopback)")
	fl.StringVar(&cfg.EtcdClientURL, "etcd-client-url", "http://127.0.0.1:2379", "where the embedded etcd serves clients")
	fl.StringVar(&cfg.EtcdPeerURL, "etcd-peer-url", "http://127.0.0.1:2380", "where the embedded etcd serves peers")
	fl.StringVar(&runtimeKind, "runtime", "sim", "the nodes' container runtime: sim (simulated containers, in real time)")
	fl.IntVar(&nodes, "nodes", 1, "how many nodes to run")
	fl.StringVar(&cpu, "node-cpu", "4", "each node's CPU capacity")
	fl.StringVar(&memory, "node-memory", "8Gi", "each node's memory capacity")
	fl.StringVar(&pods, "node-pods", "110", "how many pods each node may run")
	fl.StringVar(&cfg.Controllers.Scoring, "scheduler-scoring", "LeastAllocated", "LeastAllocated (spread) or MostAllocated (bin packing)")
	return cmd
}

// startSimNode runs a kubelet on the simulator's runtime in real time. The
// kubelet and its runtime share state, so they share one loop.
func startSimNode(ctx context.Context, name string, c *client.Client, capacity api.ResourceList) {
	h := fnv.New64a()
	h.Write([]byte(name))
	l := runloop.New()
	go l.Run(ctx)
	l.Post(func() {
		rt := simruntime.New(l, name, rand.New(rand.NewPCG(h.Sum64(), 1)))
		rec := client.NewRecorder(l, c, "kubelet", name)
		kubelet.New(kubelet.Config{Loop: l, Client: c, Recorder: rec, Runtime: rt, Prober: rt,
			NodeName: name, Capacity: capacity}).Start()
	})
}
