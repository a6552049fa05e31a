package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/containerd/containerd"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/agent"
	"github.com/tinykube/tinykube/realnode/containerdrt"
	"github.com/tinykube/tinykube/realnode/controlplane"
	"github.com/tinykube/tinykube/realnode/podnet"
	"github.com/tinykube/tinykube/realnode/testimage"
)

// PodStartOptions say how many pods to start. Zero fields take the
// defaults in brackets.
type PodStartOptions struct {
	// Pods is how many pods (and bare containers) each trial starts, one
	// after another [20].
	Pods int
	// Trials is how many rounds of baseline then tinykube run; the
	// percentiles are over every pod of every round [3].
	Trials int
	// Progress receives a line per step and trial; nil discards them.
	Progress io.Writer
	// SkipStarts and SkipReplicas leave out the one-at-a-time pod starts
	// or the replica measurement (replicas.go), which otherwise follows
	// them in the same environment, Trials rounds of it.
	SkipStarts, SkipReplicas bool
}

func (o PodStartOptions) withDefaults() (PodStartOptions, error) {
	if o.Pods < 0 || o.Trials < 0 {
		return o, fmt.Errorf("bench: pods %d and trials %d must not be negative", o.Pods, o.Trials)
	}
	if o.Pods == 0 {
		o.Pods = 20
	}
	if o.Trials == 0 {
		o.Trials = 3
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	return o, nil
}

// Where the two sides live, apart from each other: one containerd, two of
// its namespaces, two bridges and subnets — all inside the network
// namespace this process runs in, so nothing here is the machine's.
const (
	tinykubeNS     = "bench-tinykube"
	baselineNS     = "bench-baseline"
	tinykubeBridge = "tkbench0"
	tinykubeCIDR   = "10.251.0.0/24"
	baselineBridge = "tkbench1"
	baselineCIDR   = "10.251.1.0/24"
	benchNode      = "bench-node"
)

// PodStart measures pod start latency, create call to Running, through a
// whole tinykube (API server over HTTP, embedded etcd, scheduler, one
// agent on containerd with CNI networking) beside a baseline of the same
// image started with containerd's Go client and the same CNI network,
// and writes the table to w. It must run in a network namespace of its
// own (InOwnNetNS starts it in one; tests get one from netnstest.Main).
// It starts its own containerd in a temporary directory; that, every
// container, snapshot, pod network and the directory are gone when it
// returns, also on error or when ctx ends.
func PodStart(ctx context.Context, w io.Writer, opts PodStartOptions) (err error) {
	opts, err = opts.withDefaults()
	if err != nil {
		return err
	}
	if err := insideOwnNetNS(); err != nil {
		return err
	}
	env, err := startPodEnv(ctx, opts.Progress)
	if env != nil {
		defer env.close()
	}
	if err != nil {
		return err
	}
	if !opts.SkipStarts {
		if err := env.podStartTrials(ctx, w, opts); err != nil {
			return err
		}
	}
	if opts.SkipReplicas {
		return nil
	}
	return env.replicaTrials(ctx, w, opts.Progress, opts.Trials)
}

// podStartTrials starts opts.Pods pods one at a time on each side,
// opts.Trials rounds after a warm-up, and writes their table to w.
func (e *podEnv) podStartTrials(ctx context.Context, w io.Writer, opts PodStartOptions) error {
	// One untimed start on each side first: runc, the shim and busybox
	// are then in the page cache, and the kubelet's watches are warm.
	fmt.Fprintln(opts.Progress, "warm-up: one bare container, one pod")
	if _, err := e.baselineTrial(ctx, "warm", 1); err != nil {
		return fmt.Errorf("bench: baseline warm-up: %w", err)
	}
	if _, err := e.tinykubeTrial(ctx, "warm", 1); err != nil {
		return fmt.Errorf("bench: tinykube warm-up: %w", err)
	}
	var base, tk []time.Duration
	for t := range opts.Trials {
		round := fmt.Sprint(t + 1)
		fmt.Fprintf(opts.Progress, "trial %d/%d: bare containerd, %d containers one after another ", t+1, opts.Trials, opts.Pods)
		b, err := e.baselineTrial(ctx, round, opts.Pods)
		if err != nil {
			fmt.Fprintln(opts.Progress, "failed")
			return fmt.Errorf("bench: baseline, trial %d: %w", t+1, err)
		}
		fmt.Fprintf(opts.Progress, "p50 %s\n", ms(p50(b)))
		fmt.Fprintf(opts.Progress, "trial %d/%d: tinykube, %d pods one after another ", t+1, opts.Trials, opts.Pods)
		k, err := e.tinykubeTrial(ctx, round, opts.Pods)
		if err != nil {
			fmt.Fprintln(opts.Progress, "failed")
			return fmt.Errorf("bench: tinykube, trial %d: %w", t+1, err)
		}
		fmt.Fprintf(opts.Progress, "p50 %s\n", ms(p50(k)))
		base, tk = append(base, b...), append(tk, k...)
	}
	fmt.Fprintf(w, "\npod start — %d cores, containerd %s, busybox `sleep 3600`, %d × %d trials, one at a time\n",
		runtime.NumCPU(), e.version, opts.Pods, opts.Trials)
	return writePodStartTable(w, base, tk)
}

func p50(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return quantile(s, 0.5)
}

// podEnv is everything PodStart starts, in the order close undoes it.
type podEnv struct {
	dir      string
	daemon   *containerdrt.Daemon
	ctrd     *containerd.Client
	version  string
	server   *controlplane.Server
	agent    *agent.Agent
	cl       *client.Client // over HTTP, as `tinykube apply` talks
	net      *podnet.Network
	progress io.Writer
}

// startPodEnv starts containerd, imports busybox into both namespaces,
// starts the control plane and the agent, and waits for the node to be
// Ready. On error it returns what it started so far, for close.
func startPodEnv(ctx context.Context, progress io.Writer) (*podEnv, error) {
	// containerd's socket path must stay under 108 bytes: a short name
	// directly under $TMPDIR.
	dir, err := os.MkdirTemp("", "tkbench")
	if err != nil {
		return nil, fmt.Errorf("bench: a directory for containerd and etcd: %v (set TMPDIR to a writable directory)", err)
	}
	e := &podEnv{dir: dir, progress: progress}
	fmt.Fprintf(progress, "starting containerd, etcd, the API server and a node in %s\n", dir)
	if e.daemon, err = containerdrt.StartDaemon(filepath.Join(dir, "ctrd")); err != nil {
		return e, fmt.Errorf("bench: %w", err)
	}
	if e.ctrd, err = containerdrt.Dial(e.daemon.Socket, 10*time.Second); err != nil {
		return e, fmt.Errorf("bench: %w", err)
	}
	v, err := e.ctrd.Version(ctx)
	if err != nil {
		return e, fmt.Errorf("bench: containerd: %w", err)
	}
	e.version = v.Version
	archive := filepath.Join(dir, "busybox.tar")
	if err := testimage.BuildFile(archive, testimage.Options{}); err != nil {
		return e, fmt.Errorf("bench: building the busybox image: %w", err)
	}
	for _, ns := range []string{tinykubeNS, baselineNS} {
		f, err := os.Open(archive)
		if err != nil {
			return e, err
		}
		_, err = containerdrt.Import(e.ctrd, ns, "", f, nil)
		f.Close()
		if err != nil {
			return e, fmt.Errorf("bench: %w", err)
		}
	}
	if e.net, err = podnet.New(podnet.Config{Network: "tinykube-" + baselineNS, Bridge: baselineBridge, Subnet: baselineCIDR,
		StateDir: filepath.Join(dir, "baseline-net")}); err != nil {
		return e, fmt.Errorf("bench: the baseline's pod network: %w", err)
	}

	etcd, err := loopbackEtcd("")
	if err != nil {
		return e, err
	}
	// The server's etcd speaks TLS only.
	https := func(u string) string { return strings.Replace(u, "http://", "https://", 1) }
	if e.server, err = controlplane.Start(ctx, controlplane.Config{DataDir: filepath.Join(dir, "server"), Listen: "127.0.0.1:0",
		EtcdClientURL: https(etcd.ClientURL), EtcdPeerURL: https(etcd.PeerURL), Version: "bench"}); err != nil {
		return e, fmt.Errorf("bench: %w", err)
	}
	e.cl = client.New(e.server.AdminTransport())
	// The agent talks to the API in-process (no HTTP hop, no
	// authorization): the benchmark measures the node, not the edge.
	if err := e.startAgent(ctx, 0); err != nil {
		return e, err
	}
	return e, e.waitNodeReady(ctx)
}

// startAgent starts the node's agent with podWorkers pod workers
// (agent.Config.PodWorkers: 0 the default, -1 none).
func (e *podEnv) startAgent(ctx context.Context, podWorkers int) (err error) {
	e.agent, err = agent.Start(ctx, agent.Config{Client: client.New(client.Local(e.server.API.Handle)),
		NodeName: benchNode, Address: "127.0.0.1", Socket: e.daemon.Socket, Namespace: tinykubeNS,
		StateDir: filepath.Join(e.dir, "node"), PodCIDR: tinykubeCIDR, Bridge: tinykubeBridge, Listen: "127.0.0.1:0",
		PlainKubeletServer: true, PodWorkers: podWorkers})
	if err != nil {
		e.agent = nil
		return fmt.Errorf("bench: starting the node: %w", err)
	}
	return nil
}

// restartAgent stops the node's agent and starts another with podWorkers
// pod workers on the same containerd namespace and state.
func (e *podEnv) restartAgent(ctx context.Context, podWorkers int) error {
	e.agent.Stop()
	e.agent = nil
	if err := e.startAgent(ctx, podWorkers); err != nil {
		return err
	}
	return e.waitNodeReady(ctx)
}

// waitNodeReady waits up to 30s for the node's Ready condition.
func (e *podEnv) waitNodeReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		n, err := client.For[*api.Node](e.cl).Get(ctx, "", benchNode)
		if err == nil {
			for _, c := range n.Status.Conditions {
				if c.Type == api.NodeReady && c.Status == api.ConditionTrue {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("bench: node %s was not Ready within 30s (last error: %v)", benchNode, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// close stops everything startPodEnv started, last first. Stopping the
// daemon kills every task left in any of its namespaces; removing the
// directory takes the snapshots, the pod network state and etcd with it.
// The bridges go with the network namespace this process runs in.
func (e *podEnv) close() {
	if e.agent != nil {
		e.agent.Stop()
	}
	if e.server != nil {
		e.server.Close()
	}
	if e.ctrd != nil {
		e.ctrd.Close()
	}
	if e.daemon != nil {
		e.daemon.Stop()
	}
	if err := os.RemoveAll(e.dir); err != nil {
		fmt.Fprintf(e.progress, "removing %s: %v\n", e.dir, err)
	}
	removeNamespaceCgroups()
}

// removeNamespaceCgroups removes the cgroups runc made for the two
// containerd namespaces (/sys/fs/cgroup/NS on cgroup v2, one per
// controller on v1): deleting a task removes its own cgroup but leaves
// the namespace's. rmdir only removes an empty cgroup, so one still in
// use elsewhere is left alone.
func removeNamespaceCgroups() {
	for _, ns := range []string{tinykubeNS, baselineNS} {
		dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", ns))
		for _, d := range append(dirs, filepath.Join("/sys/fs/cgroup", ns)) {
			os.Remove(d)
		}
	}
}
