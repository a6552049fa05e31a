package agent

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/realnode/containerdrt"
	"github.com/tinykube/tinykube/realnode/kubeletserver"
)

// kubeletServer serves the node's logs, exec and stats summary
// (kubeletserver) over the agent's runtime and kubelet.
type kubeletServer struct {
	srv  *http.Server
	port int
}

// startKubeletServer listens on cfg.Listen and serves the node's
// kubeletserver: over HTTPS to the API server alone when cfg has the TLS
// material (see Config.ServingCert), else plain HTTP.
func startKubeletServer(cfg Config, a *Agent) (*kubeletServer, int, error) {
	if !cfg.PlainKubeletServer && (cfg.ServingCert == nil || cfg.ClusterCA == nil) {
		return nil, 0, fmt.Errorf("the kubelet server needs a serving certificate and the cluster CA (join with --token, or see Config.ServingCert): it runs commands in containers and must answer only the API server")
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, 0, err
	}
	ks := kubeletserver.New(backend{a})
	ks.ServeMetrics(a.metrics.Handler())
	var h http.Handler = ks
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	if !cfg.PlainKubeletServer {
		srv.Handler = kubeletserver.RequireAPIServer(h)
		srv.TLSConfig = kubeletserver.TLSConfig(*cfg.ServingCert, cfg.ClusterCA)
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	s := &kubeletServer{srv: srv, port: ln.Addr().(*net.TCPAddr).Port}
	go s.srv.Serve(ln)
	return s, s.port, nil
}

// listenAddress is where the kubelet server listens: listen as given
// when it names a host, else the node's address at listen's port
// (10250 when listen is empty).
func listenAddress(listen, address string) string {
	if listen == "" {
		listen = ":10250"
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil || host != "" {
		return listen
	}
	return net.JoinHostPort(address, port)
}

func (s *kubeletServer) close() { s.srv.Close() }

// backend finds containers for kubeletserver in the runtime's list: the
// newest run of the named container of the named pod, or the one before.
type backend struct{ a *Agent }

func (b backend) find(namespace, pod, container string, previous bool) (kubelet.Container, error) {
	_, cs, err := b.a.Runtime.List()
	if err != nil {
		return kubelet.Container{}, err
	}
	var runs []kubelet.Container
	for _, c := range cs {
		if c.Labels[kubelet.LabelPodNamespace] == namespace && c.Labels[kubelet.LabelPodName] == pod && c.Name == container {
			runs = append(runs, c)
		}
	}
	if len(runs) == 0 {
		return kubelet.Container{}, api.NewStatusError(404, api.ReasonNotFound, nil, "container %q of pod %s/%s has no run on node %s", container, namespace, pod, b.a.cfg.NodeName)
	}
	latest, prev := -1, -1
	for i, c := range runs {
		if latest < 0 || c.Attempt > runs[latest].Attempt {
			latest, prev = i, latest
		} else if prev < 0 || c.Attempt > runs[prev].Attempt {
			prev = i
		}
	}
	if !previous {
		return runs[latest], nil
	}
	if prev < 0 {
		return kubelet.Container{}, api.NewStatusError(400, api.ReasonBadRequest, nil, "previous terminated container %q in pod %q not found", container, pod)
	}
	return runs[prev], nil
}

func (b backend) Log(req kubeletserver.LogRequest) (string, func() bool, error) {
	c, err := b.find(req.Namespace, req.Pod, req.Container, req.Previous)
	if err != nil {
		return "", nil, err
	}
	path, err := b.a.Runtime.LogPath(c.ID)
	if err != nil {
		return "", nil, err
	}
	id := c.ID
	running := func() bool {
		_, cs, err := b.a.Runtime.List()
		if err != nil {
			return false
		}
		for _, c := range cs {
			if c.ID == id {
				return c.State == kubelet.StateRunning
			}
		}
		return false
	}
	return path, running, nil
}

func (b backend) Exec(namespace, pod, container string, cmd []string, timeout time.Duration) (int, string, error) {
	c, err := b.find(namespace, pod, container, false)
	if err != nil {
		return -1, "", err
	}
	if c.State != kubelet.StateRunning {
		return -1, "", api.NewStatusError(400, api.ReasonBadRequest, nil, "container %s is not running", container)
	}
	return b.a.Runtime.Exec(c.ID, cmd, timeout)
}

func (b backend) ExecStream(ctx context.Context, namespace, pod, container string, cmd []string, s kubeletserver.Streams) (int, error) {
	c, err := b.find(namespace, pod, container, false)
	if err != nil {
		return -1, err
	}
	if c.State != kubelet.StateRunning {
		return -1, api.NewStatusError(400, api.ReasonBadRequest, nil, "container %s is not running", container)
	}
	return b.a.Runtime.ExecStream(ctx, c.ID, cmd, containerdrt.ExecIO{
		Stdin: s.Stdin, Stdout: s.Stdout, Stderr: s.Stderr, TTY: s.TTY, Resize: runtimeSizes(s.Resize),
	})
}

// DialPod connects to the pod's IP from the node: pod IPs are routed to
// the node's bridge (realnode/podnet), so no entering of the pod's network
// namespace is needed.
func (b backend) DialPod(ctx context.Context, namespace, pod string, port int) (net.Conn, error) {
	sandboxes, _, err := b.a.Runtime.List()
	if err != nil {
		return nil, err
	}
	ip := ""
	for _, sb := range sandboxes {
		if sb.Ready && sb.IP != "" && sb.Labels[kubelet.LabelPodNamespace] == namespace && sb.Labels[kubelet.LabelPodName] == pod {
			ip = sb.IP
		}
	}
	if ip == "" {
		return nil, api.NewStatusError(404, api.ReasonNotFound, nil, "pod %s/%s has no running sandbox with an IP on node %s", namespace, pod, b.a.cfg.NodeName)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("dial %s:%d: %w", ip, port, err)
	}
	return conn, nil
}

var _ kubeletserver.Attacher = backend{}

// AttachInfo implements kubeletserver.Attacher for the container's current run.
func (b backend) AttachInfo(namespace, pod, container string) (bool, bool, error) {
	c, err := b.find(namespace, pod, container, false)
	if err != nil {
		return false, false, err
	}
	return b.a.Runtime.AttachInfo(c.ID)
}

// Attach implements kubeletserver.Attacher: the streams go to the
// container's current run.
func (b backend) Attach(namespace, pod, container string, s kubeletserver.Streams) error {
	c, err := b.find(namespace, pod, container, false)
	if err != nil {
		return err
	}
	return b.a.Runtime.Attach(c.ID, s.Stdin, runtimeSizes(s.Resize))
}

var _ kubeletserver.Summarizer = backend{}

// Summary implements kubeletserver.Summarizer: the kubelet's stats
// summary, built on the kubelet's loop like everything the kubelet does
// (it reads the kubelet's pods and keeps the last CPU samples for rates).
// Measuring is one call to containerd and two /proc reads, a few
// milliseconds of the loop.
func (b backend) Summary() (api.Summary, error) {
	sum, err := api.Summary{}, fmt.Errorf("node %s is stopping: its kubelet no longer answers", b.a.cfg.NodeName)
	b.a.loop.Do(func() { sum, err = b.a.kubelet.Summary() })
	return sum, err
}

// runtimeSizes copies terminal sizes into the runtime's own size type.
func runtimeSizes(in <-chan kubeletserver.TermSize) <-chan containerdrt.TermSize {
	out := make(chan containerdrt.TermSize, 1)
	go func() {
		defer close(out)
		for sz := range in {
			out <- containerdrt.TermSize{Width: sz.Width, Height: sz.Height}
		}
	}()
	return out
}
