package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/snapshots"
	restclient "k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/realnode/agent"
	"github.com/tinykube/tinykube/realnode/containerdrt"
	"github.com/tinykube/tinykube/realnode/controlplane"
	"github.com/tinykube/tinykube/realnode/httpapi"
	"github.com/tinykube/tinykube/realnode/kubeconfig"
	"github.com/tinykube/tinykube/realnode/netnstest"
	"github.com/tinykube/tinykube/realnode/nodetest"
	"github.com/tinykube/tinykube/realnode/pki"
	"github.com/tinykube/tinykube/realnode/podnet"
)

// The agent-process mode: TestMain runs an agent instead of the tests when
// this variable holds its configuration, so a test can kill -9 a real
// agent process and start another.
const envAgent = "TINYKUBE_E2E_AGENT"

func TestMain(m *testing.M) {
	if spec := os.Getenv(envAgent); spec != "" {
		os.Exit(runAgentProcess(spec))
	}
	netnstest.Main(m)
}

// cluster is a control plane (embedded etcd on free loopback ports) and a
// private containerd with the busybox image in each node namespace.
type cluster struct {
	t      *testing.T
	server *controlplane.Server
	client *client.Client // over HTTPS as the admin, as a remote user's
	ctrd   *containerdrt.Daemon
	state  string
}

// newCluster starts the control plane; opts adjust its configuration
// first (an advertise address pods reach, ...).
func newCluster(t *testing.T, opts ...func(*controlplane.Config)) *cluster {
	t.Helper()
	nodetest.Require(t)
	d := nodetest.Containerd(t)
	dir := t.TempDir()
	cfg := controlplane.Config{
		DataDir: filepath.Join(dir, "server"), Listen: "127.0.0.1:0",
		EtcdClientURL: freeURL(t), EtcdPeerURL: freeURL(t), Version: "e2e",
	}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := controlplane.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &cluster{t: t, server: s, client: client.New(s.AdminTransport()), ctrd: d, state: dir}
}

// freeURL is an https URL on a loopback port free a moment ago (etcd's
// URLs are https).
func freeURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "https://" + ln.Addr().String()
}

// restConfig is client-go's configuration for the admin.
func (c *cluster) restConfig() *restclient.Config {
	a := c.server.Admin()
	return &restclient.Config{Host: c.server.URL, TLSClientConfig: restclient.TLSClientConfig{CAData: a.CAData, CertData: a.CertData, KeyData: a.KeyData}}
}

// nodeKubeconfig writes, in dir, the kubeconfig of node name's agent: the
// servers, the CA, and a client certificate system:node:NAME issued from
// ca (what a join gives a real node).
func nodeKubeconfig(t *testing.T, ca *pki.CA, servers []string, name, dir string) string {
	t.Helper()
	certPEM, keyPEM, err := ca.Issue(pki.Request{CommonName: "system:node:" + name, Organization: []string{"system:nodes"}, Client: true})
	if err != nil {
		t.Fatal(err)
	}
	kc := kubeconfig.New(servers[0])
	kc.SetServers(servers)
	kc.SetCredentials(ca.CertPEM, kubeconfig.User{ClientCertificateData: certPEM, ClientKeyData: keyPEM})
	path := filepath.Join(dir, name+".kubeconfig")
	if err := kubeconfig.Write(path, kc); err != nil {
		t.Fatal(err)
	}
	// The kubelet server's certificate, beside the kubeconfig (a join
	// gets it by a CSR; agentConfig reads it).
	servingPEM, servingKey, err := ca.Issue(pki.Request{CommonName: "system:node:" + name, Organization: []string{"system:nodes"},
		Server: true, DNSNames: []string{name}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := pki.WriteKeyPair(dir, name+"-serving", servingPEM, servingKey); err != nil {
		t.Fatal(err)
	}
	return path
}

// servingCredentials reads the kubelet serving certificate nodeKubeconfig
// wrote beside kubeconfigPath, and the CA from the kubeconfig.
func servingCredentials(kubeconfigPath, node string, caPEM []byte) (*tls.Certificate, *x509.CertPool) {
	dir := filepath.Dir(kubeconfigPath)
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, node+"-serving.crt"), filepath.Join(dir, node+"-serving.key"))
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		panic("no CA in " + kubeconfigPath)
	}
	return &cert, pool
}

// nodeKubeconfig is the kubeconfig of node name of this cluster.
func (c *cluster) nodeKubeconfig(name string) string {
	return nodeKubeconfig(c.t, c.server.CA(), []string{c.server.URL}, name, c.state)
}

// nodeSpec names one node's share of the machine.
type nodeSpec struct {
	name, namespace, podCIDR, bridge string
}

// agentConfig is a node of the API its kubeconfig names (servers and
// credentials), on the containerd at socket.
func agentConfig(kubeconfigPath, socket, stateDir string, n nodeSpec) agent.Config {
	kc, err := kubeconfig.Load(kubeconfigPath)
	if err != nil {
		panic(err)
	}
	servers, _, err := kc.CurrentServers()
	if err != nil {
		panic(err)
	}
	cred, err := kc.CurrentCredentials()
	if err != nil {
		panic(err)
	}
	tr, err := httpapi.NewTransportConfig(strings.Join(servers, ","), httpapi.ClientConfig{CAData: cred.CAData, CertData: cred.CertData, KeyData: cred.KeyData})
	if err != nil {
		panic(err)
	}
	serving, ca := servingCredentials(kubeconfigPath, n.name, cred.CAData)
	return agent.Config{
		ServingCert: serving, ClusterCA: ca,
		Client: client.New(tr), NodeName: n.name, Address: "127.0.0.1",
		Capacity: api.ResourceList{api.ResourceCPU: api.MustParseQuantity("2"), api.ResourceMemory: api.MustParseQuantity("2Gi")},
		Socket:   socket, Namespace: n.namespace, StateDir: stateDir,
		PodCIDR: n.podCIDR, Bridge: n.bridge, Listen: "127.0.0.1:0",
		// Tests cannot wait Kubernetes' 10s for a first restart.
		Tuning: kubelet.Config{BackOffInitial: time.Second, BackOffMax: 4 * time.Second},
		// No forwarding: nothing leaves the test's network namespace.
		DNSUpstreams: []string{},
	}
}

// startAgent runs a node in this process, stopped when the test ends.
func (c *cluster) startAgent(n nodeSpec) *agent.Agent {
	c.t.Helper()
	nodetest.ImportBusybox(c.t, c.ctrd.Socket, n.namespace)
	a, err := agent.Start(context.Background(), agentConfig(c.nodeKubeconfig(n.name), c.ctrd.Socket, filepath.Join(c.state, "nodes", n.name), n))
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() {
		a.Stop()
		c.releaseNetworks(n)
		unmountUnder(c.t, filepath.Join(c.state, "nodes", n.name))
	})
	return a
}

// unmountUnder unmounts what the node's pods still have mounted under dir
// (a Secret's tmpfs, a memory emptyDir): a stopped agent leaves its pods'
// volumes in place, as a kubelet does, and the test's directory must go.
func unmountUnder(t *testing.T, dir string) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var points []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			points = append(points, f[4])
		}
	}
	// Deepest first.
	sort.Sort(sort.Reverse(sort.StringSlice(points)))
	for _, p := range points {
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil {
			t.Logf("unmount %s: %v", p, err)
		}
	}
}

// startAgentProcess runs a node as a child process (this test binary in
// agent mode), so that it can be killed with SIGKILL.
func (c *cluster) startAgentProcess(n nodeSpec) *exec.Cmd {
	c.t.Helper()
	self, err := os.Executable()
	if err != nil {
		c.t.Fatal(err)
	}
	spec := strings.Join([]string{c.nodeKubeconfig(n.name), n.name, c.ctrd.Socket, n.namespace, filepath.Join(c.state, "nodes", n.name), n.podCIDR, n.bridge}, "|")
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), envAgent+"="+spec)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		c.releaseNetworks(n)
		unmountUnder(c.t, filepath.Join(c.state, "nodes", n.name))
	})
	return cmd
}

func runAgentProcess(spec string) int {
	f := strings.Split(spec, "|")
	if len(f) != 7 {
		fmt.Fprintf(os.Stderr, "bad %s=%q\n", envAgent, spec)
		return 2
	}
	cfg := agentConfig(f[0], f[2], f[4], nodeSpec{name: f[1], namespace: f[3], podCIDR: f[5], bridge: f[6]})
	if _, err := agent.Start(context.Background(), cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	select {} // until killed
}

// apply creates the objects of a YAML manifest (documents split by ---).
func (c *cluster) apply(manifest string) {
	c.t.Helper()
	for _, doc := range strings.Split(manifest, "\n---\n") {
		body, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			c.t.Fatal(err)
		}
		var meta struct{ APIVersion, Kind string }
		if err := yaml.Unmarshal(body, &meta); err != nil {
			c.t.Fatal(err)
		}
		r := api.ResourceFor(meta.APIVersion, meta.Kind)
		if r == nil {
			c.t.Fatalf("apply: kind %s %q", meta.APIVersion, meta.Kind)
		}
		res := client.Dynamic(c.client, r)
		if _, err := res.CreateRaw(context.Background(), "default", body, client.WriteOptions{}); err != nil {
			c.t.Fatalf("creating %s: %v", meta.Kind, err)
		}
	}
}

// pods lists the pods matching selector.
func (c *cluster) pods(selector string) []*api.Pod {
	c.t.Helper()
	l, err := client.For[*api.Pod](c.client).List(context.Background(), "default", client.ListOptions{LabelSelector: selector})
	if err != nil {
		c.t.Fatal(err)
	}
	return l.Items
}

// eventually polls cond until it holds, or fails the test with what
// describe says after the deadline.
func (c *cluster) eventually(what string, timeout time.Duration, cond func() (bool, string)) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: not within %s; last seen: %s\nevents:\n%s", what, timeout, state, c.events())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// running waits for n pods of selector to be Running and ready.
func (c *cluster) running(selector string, n int) []*api.Pod {
	c.t.Helper()
	var pods []*api.Pod
	c.eventually(fmt.Sprintf("%d ready pods %s", n, selector), 60*time.Second, func() (bool, string) {
		pods = c.pods(selector)
		ready := 0
		var states []string
		for _, p := range pods {
			if p.Status.Phase == api.PodRunning && p.Status.PodIP != "" && api.IsPodReady(p) {
				ready++
			}
			states = append(states, fmt.Sprintf("%s %s ip=%s ready=%v %s", p.Name, p.Status.Phase, p.Status.PodIP, api.IsPodReady(p), waitingReasons(p)))
		}
		return ready == n && len(pods) == n, strings.Join(states, "; ")
	})
	return pods
}

func waitingReasons(p *api.Pod) string {
	var out []string
	for _, cs := range p.Status.ContainerStatuses {
		if w := cs.State.Waiting; w != nil {
			out = append(out, cs.Name+":"+w.Reason+" "+w.Message)
		}
	}
	return strings.Join(out, ",")
}

// get fetches a URL from this process (the node's network namespace).
func get(url string) (string, error) {
	cl := http.Client{Timeout: 3 * time.Second}
	resp, err := cl.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// containerdState is what a containerd namespace holds: container IDs by
// kind (sandbox records and containers), running task IDs, snapshots.
type containerdState struct {
	sandboxes, containers, tasks, snapshots []string
}

func (c *cluster) containerd(ns string) containerdState {
	c.t.Helper()
	cl, err := containerd.New(c.ctrd.Socket)
	if err != nil {
		c.t.Fatal(err)
	}
	defer cl.Close()
	ctx := containerdrt.WithNamespace(ns)
	var st containerdState
	cs, err := cl.Containers(ctx)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, ctr := range cs {
		labels, _ := ctr.Labels(ctx)
		if labels["tinykube.io/kind"] == "sandbox" {
			st.sandboxes = append(st.sandboxes, ctr.ID())
			continue
		}
		st.containers = append(st.containers, ctr.ID())
		if t, err := ctr.Task(ctx, nil); err == nil {
			if s, err := t.Status(ctx); err == nil && s.Status == containerd.Running {
				st.tasks = append(st.tasks, ctr.ID())
			}
		}
	}
	cl.SnapshotService("").Walk(ctx, func(_ context.Context, info snapshots.Info) error {
		st.snapshots = append(st.snapshots, info.Name)
		return nil
	})
	return st
}

func killAgent(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
}

// events lists the events of the default namespace, for failure messages.
func (c *cluster) events() string {
	l, err := client.For[*api.Event](c.client).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, e := range l.Items {
		fmt.Fprintf(&b, "  %s %s %s: %s (x%d)\n", e.InvolvedObject.Name, e.Type, e.Reason, e.Message, e.Count)
	}
	return b.String()
}

// releaseNetworks tears down the pod networks a node left (its pods keep
// running when an agent stops), so the test's temp dir can go.
func (c *cluster) releaseNetworks(n nodeSpec) {
	nw, err := podnet.New(podnet.Config{Network: "tinykube-" + n.namespace, Bridge: n.bridge, Subnet: n.podCIDR,
		StateDir: filepath.Join(c.state, "nodes", n.name, "net")})
	if err != nil {
		c.t.Log(err)
		return
	}
	ids, _ := nw.List()
	for _, id := range ids {
		nw.Teardown(context.Background(), id)
	}
}
