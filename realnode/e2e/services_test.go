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

// A Service in front of three web server pods: the node's proxy routes its
// cluster IP and node port to every pod, from the node and from inside a
// pod, and a pod taken out of the Endpoints gets no more requests.
func TestServiceRoutesToItsPods(t *testing.T) {
	c := newCluster(t)
	netnstest.Require(t, "nft")
	// The test namespace has only lo: give it a default route, as a node
	// has, so the node's own connections to the cluster IP get as far as
	// the proxy's DNAT.
	nodeIP := netnstest.Uplink(t)
	a := c.startAgent(nodeA)

	c.apply(webRS("web", 3))
	pods := c.running("app=web", 3)
	svc := &api.Service{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web"},
		Spec: api.ServiceSpec{
			Type: api.ServiceNodePort, Selector: map[string]string{"app": "web"},
			// Chosen here: cluster IP allocation may not be in the API server yet.
			ClusterIP: "10.96.0.50",
			Ports: []api.ServicePort{{Name: "http", Protocol: api.ProtocolTCP, Port: 80,
				TargetPort: api.FromString("http"), NodePort: 30080}},
		}}
	if _, err := client.For[*api.Service](c.client).Create(context.Background(), svc, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	// until the endpoints controller lands: write the Endpoints the
	// controller would, from the pods' IPs.
	c.setEndpoints(a, pods)

	names := map[string]bool{}
	for _, p := range pods {
		names[p.Name] = true
	}
	// From the node: the cluster IP, the node port on the node's address
	// and on loopback; 30 requests each reach all three pods.
	for _, url := range []string{"http://10.96.0.50/", "http://" + nodeIP + ":30080/", "http://127.0.0.1:30080/"} {
		got := map[string]int{}
		for i := 0; i < 30; i++ {
			body, err := getFresh(url)
			if err != nil || !names[body] {
				t.Fatalf("GET %s (request %d) = %q, %v; want one of the pods' names", url, i, body, err)
			}
			got[body]++
		}
		if len(got) != 3 {
			t.Errorf("GET %s: 30 requests reached %v, want all 3 pods", url, got)
		}
	}

	// From inside a pod, with busybox's wget, through the pod's gateway.
	// (No -T: Debian's busybox-static 1.35 wget crashes with it; the exec
	// timeout bounds the request instead.)
	id := strings.TrimPrefix(pods[0].Status.ContainerStatuses[0].ContainerID, "containerd://")
	for i := 0; i < 5; i++ {
		code, out, err := a.Runtime.Exec(id, []string{"wget", "-qO-", "http://10.96.0.50/"}, 10*time.Second)
		if err != nil || code != 0 || !names[strings.TrimSpace(out)] {
			t.Fatalf("wget http://10.96.0.50/ in pod %s = exit %d %q, %v", pods[0].Name, code, out, err)
		}
	}

	// Take one pod out of the Endpoints, then delete it: no request fails
	// and none reaches it.
	gone, rest := pods[2], pods[:2]
	c.setEndpoints(a, rest)
	if _, err := client.For[*api.Pod](c.client).Delete(context.Background(), "default", gone.Name, client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		body, err := getFresh("http://10.96.0.50/")
		if err != nil || body == gone.Name || !names[body] {
			t.Fatalf("GET the cluster IP after removing %s (request %d) = %q, %v; want %s or %s",
				gone.Name, i, body, err, rest[0].Name, rest[1].Name)
		}
	}
}

// setEndpoints writes the Endpoints of service web: pods as its ready
// backends on port http (8080). It waits until the node's proxy has
// applied them.
func (c *cluster) setEndpoints(a *agent.Agent, pods []*api.Pod) {
	c.t.Helper()
	eps := &api.Endpoints{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web"}}
	ss := api.EndpointSubset{Ports: []api.EndpointPort{{Name: "http", Port: 8080, Protocol: api.ProtocolTCP}}}
	var want []string
	for _, p := range pods {
		node := p.Spec.NodeName
		ss.Addresses = append(ss.Addresses, api.EndpointAddress{IP: p.Status.PodIP, NodeName: &node,
			TargetRef: &api.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID}})
		want = append(want, p.Status.PodIP)
	}
	eps.Subsets = []api.EndpointSubset{ss}
	r := client.For[*api.Endpoints](c.client)
	if old, err := r.Get(context.Background(), "default", "web"); err == nil {
		eps.ResourceVersion = old.ResourceVersion
		_, err = r.Update(context.Background(), eps, client.WriteOptions{})
		if err != nil {
			c.t.Fatal(err)
		}
	} else if _, err := r.Create(context.Background(), eps, client.WriteOptions{}); err != nil {
		c.t.Fatal(err)
	}
	c.eventually(fmt.Sprintf("the proxy routing to %v", want), 10*time.Second, func() (bool, string) {
		tb, err := a.ProxyTable()
		if err != nil || tb == nil {
			return false, fmt.Sprintf("table %v, error %v", tb, err)
		}
		p := tb.Lookup("default", "web", "http")
		if p == nil || len(p.Backends) != len(want) {
			return false, tb.String()
		}
		for _, b := range p.Backends {
			if !strings.Contains(strings.Join(want, " "), b.IP) {
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
