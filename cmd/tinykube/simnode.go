package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/localpath"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/realnode/kubeletserver"
	promreg "github.com/tinykube/tinykube/realnode/metrics"
	"github.com/tinykube/tinykube/realnode/pki"
	"github.com/tinykube/tinykube/realnode/runloop"
	simruntime "github.com/tinykube/tinykube/sim/runtime"
)

// A simulated node of `up --runtime=sim` is a real kubelet on the
// simulator's runtime, in real time, with a kubelet server on loopback
// like a real agent's: the API server's metrics pipeline scrapes its
// /stats/summary over the same HTTPS, with the same certificates, as it
// scrapes a machine's (one code path for the scraper, and the node's own
// /metrics come with it). Its containers have no processes, so logs, exec,
// attach and port-forward answer that they cannot.

// What a simulated container of `up` uses when its pod's
// sim.tinykube.io/behavior names no use: an idle process' few, so that an
// ordinary manifest's pods read in kubectl top as idle, not as nothing.
const (
	upIdleCPUMilli    = 1
	upIdleMemoryBytes = 4 << 20
)

// simNode is one running simulated node.
type simNode struct {
	name    string
	loop    *runloop.Loop
	kubelet *kubelet.Kubelet // set on the loop by startSimNode
	server  *http.Server
	// Port is the kubelet server's port on 127.0.0.1, published in the
	// Node's status.daemonEndpoints.kubeletEndpoint.
	Port int
}

// startSimNode runs node name's kubelet on the simulator's runtime in real
// time, and its kubelet server on an ephemeral port of 127.0.0.1, HTTPS
// with a serving certificate from ca that only the API server's
// kubelet-client certificate gets through (kubeletserver.RequireAPIServer).
// The kubelet and its runtime share state, so they share one loop. All of
// it stops when ctx ends.
func startSimNode(ctx context.Context, name string, c *client.Client, capacity api.ResourceList, ca *pki.CA) (*simNode, error) {
	cert, pool, err := nodeServingCert(ca, name, "127.0.0.1")
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("simulated node %s: its kubelet server cannot listen on 127.0.0.1: %v", name, err)
	}
	reg := promreg.NewRegistry()
	l := runloop.New()
	l.Recorder = reg // the kubelet and its work queue report to it
	n := &simNode{name: name, loop: l, Port: ln.Addr().(*net.TCPAddr).Port}
	ks := kubeletserver.New(simBackend{n})
	ks.ServeMetrics(reg.Handler())
	cfg := kubeletserver.TLSConfig(*cert, pool)
	n.server = &http.Server{Handler: kubeletserver.RequireAPIServer(ks), TLSConfig: cfg, ReadHeaderTimeout: 10 * time.Second}
	go n.server.Serve(tls.NewListener(ln, cfg))

	h := fnv.New64a()
	h.Write([]byte(name))
	go l.Run(ctx)
	l.Post(func() {
		rt := simruntime.New(l, name, rand.New(rand.NewPCG(h.Sum64(), 1)))
		rt.SetCapacity(capacity)
		rt.SetIdleUse(upIdleCPUMilli, upIdleMemoryBytes)
		disk := simruntime.NewDisk(name)
		rt.UseDisk(disk) // the directories the provisioner makes are the ones pods mount
		n.kubelet = kubelet.Start(kubelet.Config{Loop: l, Client: c, Runtime: rt, NodeName: name, Capacity: capacity,
			Address: "127.0.0.1", Port: int32(n.Port)})
		// The node's local-path provisioner, on a simulated disk: claims
		// of the default class are provisioned where their pods go.
		localpath.Start(localpath.Config{Loop: l, Client: c, NodeName: name, Storage: disk})
	})
	go func() {
		<-ctx.Done()
		n.server.Close()
	}()
	return n, nil
}

// simBackend is a simulated node's kubeletserver.Backend: its stats
// summary is the kubelet's, over the runtime's scripted use; what needs a
// process in a container is refused with a 400 that says why.
type simBackend struct{ n *simNode }

var _ kubeletserver.Summarizer = simBackend{}

// Summary implements kubeletserver.Summarizer: the kubelet's Summary,
// built on the node's loop like everything the kubelet does.
func (b simBackend) Summary() (api.Summary, error) {
	sum, err := api.Summary{}, fmt.Errorf("simulated node %s is stopping: its kubelet no longer answers", b.n.name)
	b.n.loop.Do(func() { sum, err = b.n.kubelet.Summary() })
	return sum, err
}

// noProcess is the answer to anything that needs a container's process:
// container of namespace/pod does not do what ("writes no logs").
func (b simBackend) noProcess(what, namespace, pod, container string) error {
	return api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil,
		"container %q of pod %s/%s %s: it runs on simulated node %s, whose containers have no processes (real containers need `tinykube up --runtime=containerd`, as root)",
		container, namespace, pod, what, b.n.name)
}

// Log implements kubeletserver.Backend: a simulated container writes no log.
func (b simBackend) Log(req kubeletserver.LogRequest) (string, func() bool, error) {
	return "", nil, b.noProcess("writes no logs", req.Namespace, req.Pod, req.Container)
}

// Exec implements kubeletserver.Backend: nothing can run in a simulated
// container.
func (b simBackend) Exec(namespace, pod, container string, _ []string, _ time.Duration) (int, string, error) {
	return -1, "", b.noProcess("cannot run commands", namespace, pod, container)
}

// ExecStream implements kubeletserver.Backend, as Exec.
func (b simBackend) ExecStream(_ context.Context, namespace, pod, container string, _ []string, _ kubeletserver.Streams) (int, error) {
	return -1, b.noProcess("cannot run commands", namespace, pod, container)
}

// DialPod implements kubeletserver.Backend: a simulated pod's IP is
// nowhere on this machine.
func (b simBackend) DialPod(_ context.Context, namespace, pod string, port int) (net.Conn, error) {
	return nil, api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil,
		"cannot forward port %d of pod %s/%s: it runs on simulated node %s, whose pods have no network (real containers need `tinykube up --runtime=containerd`, as root)",
		port, namespace, pod, b.n.name)
}
