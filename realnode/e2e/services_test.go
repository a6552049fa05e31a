package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/agent"
	"github.com/tinykube/tinykube/realnode/netnstest"
)

// A Service in front of three web server pods, as a user makes it: the
// API server allocates its cluster IP and node port, the endpoints
// controller lists the pods, the node's proxy routes the cluster IP and the
// node port to every pod — from the node and from inside a pod, by address
// and by DNS name — and when a pod is deleted, requests keep succeeding and
// none reaches it.
func TestServiceRoutesToItsPods(t *testing.T) {
	c := newCluster(t)
	netnstest.Require(t, "nft")
	// The test namespace has only lo: give it a default route, as a node
	// has, so the node's own connections to the cluster IP get as far as
	// the proxy's DNAT.
	nodeIP := netnstest.Uplink(t)
	a := c.startAgent(nodeA)

	c.apply(webRS("web", 3) + `
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`)
	pods := c.running("app=web", 3)
	svc, err := client.For[*api.Service](c.client).Get(context.Background(), "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	clusterIP, nodePort := svc.Spec.ClusterIP, svc.Spec.Ports[0].NodePort
	if !strings.HasPrefix(clusterIP, "10.") || nodePort < 30000 || nodePort > 32767 {
		t.Fatalf("allocated cluster IP %q and node port %d; want one from 10.96.0.0/12 and 30000-32767", clusterIP, nodePort)
	}
	c.waitRouted(a, pods, nil)

	names := map[string]bool{}
	for _, p := range pods {
		names[p.Name] = true
	}
	// From the node: the cluster IP, the node port on the node's address
	// and on loopback; each reaches all three pods within 40 requests (the
	// proxy picks a backend at random: missing one of three in 40 happens
	// fewer than once in a million runs).
	for _, url := range []string{
		"http://" + clusterIP + "/",
		fmt.Sprintf("http://%s:%d/", nodeIP, nodePort),
		fmt.Sprintf("http://127.0.0.1:%d/", nodePort),
	} {
		got := map[string]int{}
		for i := 0; i < 40 && len(got) < 3; i++ {
			body, err := getFresh(url)
			if err != nil || !names[body] {
				t.Fatalf("GET %s (request %d) = %q, %v; want one of the pods' names", url, i, body, err)
			}
			got[body]++
		}
		if len(got) != 3 {
			t.Errorf("GET %s: 40 requests reached %v, want all 3 pods", url, got)
		}
	}

	// From inside a pod, with busybox's wget, through the pod's gateway:
	// by cluster IP, by the service's short name and by its full name (the
	// node's DNS server answers; the pod's resolv.conf points at it).
	// (No -T: Debian's busybox-static 1.35 wget crashes with it; the exec
	// timeout bounds the request instead.) Again up to 40 requests each.
	id := strings.TrimPrefix(pods[0].Status.ContainerStatuses[0].ContainerID, "containerd://")
	for _, url := range []string{"http://" + clusterIP + "/", "http://web/", "http://web.default.svc.cluster.local/"} {
		got := map[string]int{}
		for i := 0; i < 40 && len(got) < 3; i++ {
			code, out, err := a.Runtime.Exec(id, []string{"wget", "-qO-", url}, 10*time.Second)
			if err != nil || code != 0 || !names[strings.TrimSpace(out)] {
				t.Fatalf("wget %s in pod %s = exit %d %q, %v", url, pods[0].Name, code, out, err)
			}
			got[strings.TrimSpace(out)]++
		}
		if len(got) != 3 {
			t.Errorf("wget %s from a pod: 40 requests reached %v, want all 3 pods", url, got)
		}
	}

	// Delete one pod: the endpoints controller drops it as soon as it is
	// terminating, the proxy follows, and no request fails or reaches it
	// while its replacement starts.
	gone := pods[2]
	if _, err := client.For[*api.Pod](c.client).Delete(context.Background(), "default", gone.Name, client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	c.waitRouted(a, pods[:2], pods[2:])
	for i := 0; i < 30; i++ {
		body, err := getFresh("http://" + clusterIP + "/")
		if err != nil || body == gone.Name || body == "" {
			t.Fatalf("GET the cluster IP after deleting %s (request %d) = %q, %v", gone.Name, i, body, err)
		}
	}
}

// waitRouted waits until the node's proxy routes service web's http port
// to every pod of want and to none of gone. Others may be routed too: a
// deleted pod's replacement can become ready before the proxy is looked at.
func (c *cluster) waitRouted(a *agent.Agent, want, gone []*api.Pod) {
	c.t.Helper()
	var wantIPs []string
	for _, p := range want {
		wantIPs = append(wantIPs, p.Status.PodIP)
	}
	c.eventually(fmt.Sprintf("the proxy routing to %v", wantIPs), 20*time.Second, func() (bool, string) {
		tb, err := a.ProxyTable()
		if err != nil || tb == nil {
			return false, fmt.Sprintf("table %v, error %v", tb, err)
		}
		p := tb.Lookup("default", "web", "http")
		if p == nil {
			return false, tb.String()
		}
		routed := map[string]bool{}
		for _, b := range p.Backends {
			routed[b.IP] = true
		}
		for _, ip := range wantIPs {
			if !routed[ip] {
				return false, tb.String()
			}
		}
		for _, g := range gone {
			if routed[g.Status.PodIP] {
				return false, tb.String()
			}
		}
		return true, ""
	})
}

// getFresh fetches url on a new connection every time: a kept-alive
// connection would stay with the backend it was first routed to.
func getFresh(url string) (string, error) {
	cl := http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := cl.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", resp.Status, b)
	}
	return strings.TrimSpace(string(b)), err
}
