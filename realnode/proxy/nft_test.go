package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/proxy"
	"github.com/tinykube/tinykube/realnode/netnstest"
	"github.com/tinykube/tinykube/realnode/podnet"
)

func TestMain(m *testing.M) { netnstest.Main(m) }

// pod is a network namespace on the test bridge with a TCP server on
// :8080 that answers every connection with the pod's name.
type pod struct {
	name string
	podnet.Attachment
}

const bridge = "tkpx0"

// startPods sets up pods on a bridge of their own, each serving its name.
func startPods(t *testing.T, names ...string) []pod {
	t.Helper()
	netnstest.RequireCNI(t, "bridge", "host-local", "loopback")
	netnstest.Require(t, "nft", "ip")
	n, err := podnet.New(podnet.Config{Bridge: bridge, Subnet: "10.89.0.0/24", StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var pods []pod
	for _, name := range names {
		a, err := n.Setup(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Teardown(context.Background(), name) })
		var ln net.Listener
		if err := podnet.InNetNS(a.NetNS, func() (err error) {
			ln, err = net.Listen("tcp", ":8080")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				io.WriteString(c, name)
				c.Close()
			}
		}()
		pods = append(pods, pod{name, a})
	}
	return pods
}

// table is a NodePort service web (cluster IP 10.96.0.50:80, node port
// 30080, load balancer address 127.0.100.1) in front of pods, and a
// service empty (10.96.0.51:80, node port 30081) with no backends.
func table(pods ...pod) *proxy.Table {
	web := &api.Service{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web"},
		Spec: api.ServiceSpec{Type: api.ServiceLoadBalancer, ClusterIP: "10.96.0.50",
			Ports: []api.ServicePort{{Protocol: api.ProtocolTCP, Port: 80, NodePort: 30080}}}}
	web.Status.LoadBalancer.Ingress = []api.LoadBalancerIngress{{IP: "127.0.100.1"}}
	empty := &api.Service{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "empty"},
		Spec: api.ServiceSpec{Type: api.ServiceNodePort, ClusterIP: "10.96.0.51",
			Ports: []api.ServicePort{{Protocol: api.ProtocolTCP, Port: 80, NodePort: 30081}}}}
	var addrs []api.EndpointAddress
	for _, p := range pods {
		addrs = append(addrs, api.EndpointAddress{IP: p.IP})
	}
	eps := &api.Endpoints{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web"},
		Subsets: []api.EndpointSubset{{Addresses: addrs, Ports: []api.EndpointPort{{Port: 8080, Protocol: api.ProtocolTCP}}}}}
	return proxy.Build([]*api.Service{web, empty}, []*api.Endpoints{eps})
}

// ask connects to addr (from the namespace at netns, or this one when
// empty) and returns what the server said.
func ask(netns, addr string) (string, error) {
	var c net.Conn
	dial := func() (err error) {
		c, err = net.DialTimeout("tcp", addr, 2*time.Second)
		return err
	}
	var err error
	if netns == "" {
		err = dial()
	} else {
		err = podnet.InNetNS(netns, dial)
	}
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	b, err := io.ReadAll(c)
	return string(b), err
}

// answers asks addr n times and counts the answers by pod name.
func answers(t *testing.T, netns, addr string, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for i := 0; i < n; i++ {
		name, err := ask(netns, addr)
		if err != nil {
			t.Fatalf("connection %d to %s (from %s): %v", i, addr, orNode(netns), err)
		}
		got[name]++
	}
	return got
}

func orNode(netns string) string {
	if netns == "" {
		return "the node"
	}
	return netns
}

func TestNFTRoutesServiceTraffic(t *testing.T) {
	pods := startPods(t, "a", "b", "c")
	nodeIP := netnstest.Uplink(t)
	nft := &NFT{Options: Options{Bridge: bridge}}
	t.Cleanup(func() { nft.Close() })
	if err := nft.Apply(table(pods...)); err != nil {
		t.Fatal(err)
	}
	// Applying the same table again is a no-op that succeeds.
	if err := nft.Apply(table(pods...)); err != nil {
		t.Fatalf("second Apply: %v", err)
	}

	spread := func(from, addr string) {
		t.Helper()
		got := answers(t, from, addr, 30)
		for _, p := range pods {
			if got[p.name] == 0 {
				t.Errorf("%s from %s: 30 connections never reached pod %s: %v", addr, orNode(from), p.name, got)
			}
		}
	}
	spread("", "10.96.0.50:80")
	spread("", nodeIP+":30080")
	spread("", "127.0.0.1:30080")
	spread("", "127.0.100.1:80")
	// From a pod: to the cluster IP (which also lands on itself, the
	// hairpin case, and on its bridge neighbours) and to a node port on
	// the bridge's address.
	spread(pods[0].NetNS, "10.96.0.50:80")
	spread(pods[0].NetNS, "10.89.0.1:30080")

	// A port without backends refuses at once, from the node and from a pod.
	for _, tc := range []struct{ from, addr string }{
		{"", "10.96.0.51:80"}, {"", "127.0.0.1:30081"}, {"", nodeIP + ":30081"}, {pods[1].NetNS, "10.96.0.51:80"},
	} {
		start := time.Now()
		_, err := ask(tc.from, tc.addr)
		if !errors.Is(err, syscall.ECONNREFUSED) || time.Since(start) > time.Second {
			t.Errorf("%s (no backends) from %s: %v after %s, want connection refused at once", tc.addr, orNode(tc.from), err, time.Since(start))
		}
	}

	// Without c, no new connection reaches it.
	if err := nft.Apply(table(pods[:2]...)); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"10.96.0.50:80", "127.0.0.1:30080"} {
		if got := answers(t, "", addr, 30); got["c"] != 0 || got["a"] == 0 || got["b"] == 0 {
			t.Errorf("%s after removing c: %v, want a and b only", addr, got)
		}
	}

	if err := nft.Close(); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("nft", "list", "table", "ip", DefaultTable).CombinedOutput(); err == nil {
		t.Errorf("table still there after Close:\n%s", out)
	}
	if _, err := ask("", "10.96.0.50:80"); err == nil {
		t.Errorf("the cluster IP still answers after Close")
	}
	if err := nft.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// ClientIP affinity: every connection from one client reaches the same
// backend.
func TestNFTClientIPAffinity(t *testing.T) {
	pods := startPods(t, "a", "b", "c")
	netnstest.Uplink(t)
	nft := &NFT{Options: Options{Bridge: bridge}}
	t.Cleanup(func() { nft.Close() })
	tb := table(pods...)
	tb.Ports[1].Affinity = time.Hour // Ports are sorted: empty, web
	if tb.Ports[1].Name != "web" {
		t.Fatalf("unexpected table order:\n%s", tb)
	}
	if err := nft.Apply(tb); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{"", pods[0].NetNS, pods[1].NetNS} {
		if got := answers(t, from, "10.96.0.50:80", 20); len(got) != 1 {
			t.Errorf("from %s with ClientIP affinity: %v, want one backend", orNode(from), got)
		}
	}
	// A resync of the same table keeps what the sets remember.
	before := answers(t, "", "10.96.0.50:80", 1)
	if err := nft.Apply(tb); err != nil {
		t.Fatal(err)
	}
	if after := answers(t, "", "10.96.0.50:80", 5); len(after) != 1 || fmt.Sprint(keys(after)) != fmt.Sprint(keys(before)) {
		t.Errorf("after reapplying the same table the node went to %v, before to %v", after, before)
	}
}

func keys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A script nft rejects comes back as an error carrying nft's message.
func TestNFTApplyReportsNftErrors(t *testing.T) {
	netnstest.Require(t, "nft")
	nft := &NFT{Options: Options{Table: "bad name"}}
	err := nft.Apply(&proxy.Table{})
	if err == nil || !strings.Contains(err.Error(), "Error:") {
		t.Fatalf("Apply with an impossible table name = %v, want nft's error", err)
	}
}
