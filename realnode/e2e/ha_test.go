package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/agent"
	"github.com/tinykube/tinykube/realnode/httpapi"
	"github.com/tinykube/tinykube/realnode/kubeconfig"
	"github.com/tinykube/tinykube/realnode/nodetest"
	"github.com/tinykube/tinykube/realnode/pki"
)

var nodeHA = nodeSpec{name: "node-ha", namespace: "node-ha", podCIDR: "10.83.0.0/24", bridge: "tke2eh"}

// Short leases, so that a takeover fits in a test: a candidate takes over
// at most haLease (+ one retry period) after the holder's last renewal.
const (
	haLease = 4 * time.Second
	haRenew = 2500 * time.Millisecond
	haRetry = 500 * time.Millisecond
)

// haServer is one `tinykube server` process.
type haServer struct {
	addr string // its --listen, 127.0.0.1x:6443
	url  string
	dir  string
	cmd  *exec.Cmd
	log  string
	args []string
}

// A highly available control plane on real processes: three `tinykube
// server`s on 127.0.0.11, .12 and .13 (one three-member etcd cluster),
// one agent knowing all three, a Deployment running. The server holding
// the controller manager's Lease is killed with SIGKILL. Another server
// takes the Lease over within the lease duration (plus slack), a scale-up
// issued after the kill is carried out, and every object whose creation
// was acknowledged, before, during or after the kill, is still there.
func TestHAControlPlaneSurvivesKillingTheLeader(t *testing.T) {
	nodetest.Require(t)
	began := time.Now()
	d := nodetest.Containerd(t)
	dir := t.TempDir()

	// The servers are the real binary: built here, unless
	// TINYKUBE_BIN names one already built from this tree.
	bin := os.Getenv("TINYKUBE_BIN")
	if bin == "" {
		bin = filepath.Join(dir, "tinykube")
		gocmd, err := exec.LookPath("go")
		if err != nil {
			t.Fatalf("building tinykube needs the go command in PATH (or set TINYKUBE_BIN to a tinykube binary): %v", err)
		}
		build := exec.Command(gocmd, "build", "-o", bin, "github.com/tinykube/tinykube/cmd/tinykube")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building tinykube: %v\n%s", err, out)
		}
		t.Logf("built tinykube in %.1fs", time.Since(began).Seconds())
	}

	var servers []*haServer
	t.Cleanup(func() {
		for _, s := range servers {
			if s.cmd.ProcessState == nil {
				s.cmd.Process.Signal(syscall.SIGKILL)
				s.cmd.Wait()
			}
			if t.Failed() {
				b, _ := os.ReadFile(s.log)
				t.Logf("log of server %s:\n%s", s.addr, b)
			}
		}
	})
	// run starts s's process (again, after a kill: same flags, same data
	// directory) and waits until its API answers.
	run := func(s *haServer) {
		t.Helper()
		logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer logf.Close()
		s.cmd = exec.Command(bin, s.args...)
		s.cmd.Stdout, s.cmd.Stderr = logf, logf
		s.cmd.Env = append(os.Environ(), "HOME="+dir)
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		// Only "is it up?": /version needs no credentials, and nothing
		// else is sent on this unverified connection.
		probe := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
		defer probe.CloseIdleConnections()
		for {
			if resp, err := probe.Get(s.url + "/version"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return
				}
			}
			if time.Now().After(deadline) {
				b, _ := os.ReadFile(s.log)
				t.Fatalf("server %s did not answer within 30s:\n%s", s.addr, b)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	startServer := func(host string, extra ...string) *haServer {
		t.Helper()
		s := &haServer{addr: host + ":6443", url: "https://" + host + ":6443", dir: filepath.Join(dir, host)}
		s.log = s.dir + ".log"
		s.args = append([]string{"server", "--listen", s.addr, "--data-dir", s.dir, "--name", host,
			"--no-user-kubeconfig", "--compaction-interval", "0",
			"--leader-elect-lease-duration", haLease.String(), "--leader-elect-renew-deadline", haRenew.String(),
			"--leader-elect-retry-period", haRetry.String()}, extra...)
		servers = append(servers, s)
		run(s)
		return s
	}
	t0 := time.Now()
	first := startServer("127.0.0.11", "--cluster-init")
	token, err := os.ReadFile(filepath.Join(first.dir, "token"))
	if err != nil {
		t.Fatal(err)
	}
	join := []string{"--join", first.url, "--token", strings.TrimSpace(string(token))}
	startServer("127.0.0.12", join...)
	startServer("127.0.0.13", join...)
	t.Logf("three servers up in %.1fs", time.Since(t0).Seconds())
	var urls []string
	for _, s := range servers {
		urls = append(urls, s.url)
	}
	all := strings.Join(urls, ",")

	// The admin's credentials are in the first server's kubeconfig; the
	// node's certificate is issued from the cluster CA in its data
	// directory (a joined agent would get one through its join).
	kc, err := kubeconfig.Load(filepath.Join(first.dir, "kubeconfig"))
	if err != nil {
		t.Fatal(err)
	}
	cred, err := kc.CurrentCredentials()
	if err != nil {
		t.Fatal(err)
	}
	admin := httpapi.ClientConfig{CAData: cred.CAData, CertData: cred.CertData, KeyData: cred.KeyData}
	adminTransport := func(servers string) *httpapi.Transport {
		tr, err := httpapi.NewTransportConfig(servers, admin)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	ca, err := pki.LoadCA(filepath.Join(first.dir, "pki"))
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, client: client.New(adminTransport(all)), ctrd: d, state: dir}
	definitionServedEverywhere(t, servers, adminTransport)
	nodetest.ImportBusybox(t, d.Socket, nodeHA.namespace)
	cfg := agentConfig(nodeKubeconfig(t, ca, urls, nodeHA.name, dir), d.Socket, filepath.Join(dir, "nodes", nodeHA.name), nodeHA)
	a, err := agent.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Stop()
		c.releaseNetworks(nodeHA)
		unmountUnder(t, filepath.Join(dir, "nodes", nodeHA.name)) // the pods' token volumes
	})

	c.apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: sleeper}
spec:
  replicas: 2
  selector: {matchLabels: {app: sleeper}}
  template:
    metadata: {labels: {app: sleeper}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - {name: sleep, image: busybox, imagePullPolicy: Never, command: [sleep, "3600"]}
`)
	c.running("app=sleeper", 2)

	// Acknowledged writes: a writer creates ConfigMaps all along, through
	// the failover client, and remembers those answered 2xx.
	ctx := context.Background()
	cms := client.For[*api.ConfigMap](c.client)
	var (
		mu    sync.Mutex
		acked []string
		tried int
	)
	stopWriter := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for i := 0; ; i++ {
			select {
			case <-stopWriter:
				return
			default:
			}
			name := fmt.Sprintf("ack-%04d", i)
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, err := cms.Create(wctx, &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Data: map[string]string{"i": fmt.Sprint(i)}}, client.WriteOptions{})
			cancel()
			mu.Lock()
			tried++
			if err == nil {
				acked = append(acked, name)
			}
			mu.Unlock()
			time.Sleep(20 * time.Millisecond)
		}
	}()
	time.Sleep(time.Second)

	// Find the holders, and kill the controller manager's.
	holder := func(lease string) string {
		l, err := client.For[*api.Lease](c.client).Get(ctx, "kube-system", lease)
		if err != nil || l.Spec.HolderIdentity == nil {
			return ""
		}
		return *l.Spec.HolderIdentity
	}
	leases := []string{"kube-controller-manager", "kube-scheduler"}
	before := map[string]string{}
	for _, l := range leases {
		before[l] = holder(l)
	}
	var victim *haServer
	for _, s := range servers {
		if strings.HasSuffix(before["kube-controller-manager"], "/"+s.addr) {
			victim = s
		}
	}
	if victim == nil {
		t.Fatalf("no server holds the controller manager's Lease: holders %v", before)
	}
	t.Logf("holders before the kill: %v; killing %s", before, victim.addr)
	killed := time.Now()
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	victim.cmd.Wait()

	// The scale-up is issued right after the kill, through whichever
	// server answers.
	c.eventually("scaling the Deployment to 4 after the kill", 20*time.Second, func() (bool, string) {
		dep, err := client.For[*api.Deployment](c.client).Get(ctx, "default", "sleeper")
		if err != nil {
			return false, err.Error()
		}
		four := int32(4)
		dep.Spec.Replicas = &four
		if _, err := client.For[*api.Deployment](c.client).Update(ctx, dep, client.WriteOptions{}); err != nil {
			return false, err.Error()
		}
		return true, ""
	})

	// A new holder for every Lease the victim held.
	takeover := map[string]time.Duration{}
	bound := haLease + 2*haRetry + 3*time.Second // + etcd electing a new leader if the victim's member led
	c.eventually("new lease holders", bound+5*time.Second, func() (bool, string) {
		for _, l := range leases {
			if _, done := takeover[l]; done || !strings.HasSuffix(before[l], "/"+victim.addr) {
				continue
			}
			if h := holder(l); h != "" && h != before[l] {
				takeover[l] = time.Since(killed)
			}
		}
		for _, l := range leases {
			if _, done := takeover[l]; !done && strings.HasSuffix(before[l], "/"+victim.addr) {
				return false, fmt.Sprintf("%s still held by %s", l, holder(l))
			}
		}
		return true, ""
	})
	for l, d := range takeover {
		t.Logf("%s taken over %.2fs after the kill (lease %v)", l, d.Seconds(), haLease)
		if d > bound {
			t.Errorf("%s taken over %.2fs after the kill; want within %v (lease duration + two retry periods + 3s for etcd)", l, d.Seconds(), bound)
		}
	}

	pods := c.running("app=sleeper", 4)
	for _, p := range pods {
		if p.Spec.NodeName != nodeHA.name {
			t.Errorf("pod %s on node %q, want %s", p.Name, p.Spec.NodeName, nodeHA.name)
		}
	}
	t.Logf("scale-up to 4 carried out %.1fs after the kill", time.Since(killed).Seconds())

	close(stopWriter)
	<-writerDone
	// Every acknowledged object is on every surviving server.
	mu.Lock()
	defer mu.Unlock()
	if len(acked) < 10 {
		t.Fatalf("only %d of %d writes acknowledged; the writer did not get through", len(acked), tried)
	}
	for _, s := range servers {
		if s == victim {
			continue
		}
		l, err := client.For[*api.ConfigMap](client.New(adminTransport(s.url))).List(ctx, "default", client.ListOptions{})
		if err != nil {
			t.Fatalf("listing configmaps on %s: %v", s.addr, err)
		}
		var have []string
		for _, cm := range l.Items {
			have = append(have, cm.Name)
		}
		for _, name := range acked {
			if !slices.Contains(have, name) {
				t.Errorf("configmap %s was acknowledged but %s does not have it", name, s.addr)
			}
		}
	}
	t.Logf("%d of %d writes acknowledged across the kill, none lost", len(acked), tried)

	// The killed server comes back on its data directory, without a new
	// join, and serves everything written while it was away.
	t1 := time.Now()
	run(victim)
	l, err := client.For[*api.ConfigMap](client.New(adminTransport(victim.url))).Get(ctx, "default", acked[len(acked)-1])
	if err != nil {
		t.Errorf("the restarted server does not serve %s, written while it was down: %v", acked[len(acked)-1], err)
	} else {
		t.Logf("killed server back in %.1fs, serving %s", time.Since(t1).Seconds(), l.Name)
	}
	t.Logf("wall time %.1fs", time.Since(began).Seconds())
}

// definitionServedEverywhere creates a CustomResourceDefinition through
// the first server and requires every server to serve its resource —
// each follows the definitions in etcd, so none needs a restart — by
// creating one object through each.
func definitionServedEverywhere(t *testing.T, servers []*haServer, transport func(string) *httpapi.Transport) {
	t.Helper()
	ctx := context.Background()
	crd := &api.CustomResourceDefinition{ObjectMeta: api.ObjectMeta{Name: "widgets.ha.tinykube.dev"}, Spec: api.CustomResourceDefinitionSpec{
		Group: "ha.tinykube.dev", Scope: api.NamespaceScoped,
		Names: api.CustomResourceDefinitionNames{Plural: "widgets", Kind: "Widget"},
		Versions: []api.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
			Schema: &api.CustomResourceValidation{OpenAPIV3Schema: &api.JSONSchemaProps{Type: "object",
				XPreserveUnknownFields: ptrTo(true)}}}},
	}}
	created, err := client.For[*api.CustomResourceDefinition](client.New(transport(servers[0].url))).Create(ctx, crd, client.WriteOptions{})
	if err != nil {
		t.Fatalf("creating a CustomResourceDefinition through %s: %v", servers[0].url, err)
	}
	res := api.ResourcesFromCRD(created)[0]
	for i, s := range servers {
		widgets := client.Dynamic(client.New(transport(s.url)), res)
		obj := &api.Unstructured{TypeMeta: api.TypeMeta{APIVersion: res.APIVersion(), Kind: res.Kind},
			ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("w%d", i), Namespace: "default"},
			Content:    map[string]any{"spec": map[string]any{"server": s.url}}}
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, err := widgets.Create(ctx, obj, client.WriteOptions{})
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("server %s does not serve widgets.ha.tinykube.dev 10s after it was defined through %s: %v", s.url, servers[0].url, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
