package httpapi

import (
	"context"
	"crypto/tls"
	"math/rand/v2"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/realnode/kubeletserver"
	"github.com/tinykube/tinykube/realnode/pki"
)

func issuePair(t *testing.T, ca *pki.CA, r pki.Request) tls.Certificate {
	t.Helper()
	certPEM, keyPEM, err := ca.Issue(r)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return pair
}

// TestKubeletTLSVerifiesTheNode: the API server reaches a kubelet over
// HTTPS with its client certificate and relays exec when the kubelet
// proves to be the pod's node; a Node whose address points at another
// node's kubelet (node-b's certificate at node-a's address) gets nothing.
func TestKubeletTLSVerifiesTheNode(t *testing.T) {
	ca, err := pki.LoadOrCreateCA(t.TempDir(), "test-ca")
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	srv := apiserver.New(apiserver.Config{Store: st, Clock: &clock.Fixed{T: time.Unix(1e9, 0)}, Rand: rand.New(rand.NewPCG(1, 1)), Version: "test"})
	if err := srv.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	kc := &KubeletTLS{CA: ca.Pool(), Client: issuePair(t, ca, pki.Request{CommonName: kubeletserver.APIServerClientName, Client: true})}
	hs := httptest.NewServer(Handler(srv.Handle, Options{KubeletTLS: kc}))
	defer hs.Close()
	c := client.New(&Transport{BaseURL: hs.URL})

	// node-b's kubelet, with node-b's serving certificate.
	serving := issuePair(t, ca, pki.Request{CommonName: "system:node:node-b", Organization: []string{"system:nodes"},
		IPs: []net.IP{net.ParseIP("127.0.0.1")}, Server: true})
	ks := httptest.NewUnstartedServer(kubeletserver.RequireAPIServer(kubeletserver.New(&fileBackend{dir: t.TempDir()})))
	ks.TLS = kubeletserver.TLSConfig(serving, ca.Pool())
	ks.StartTLS()
	defer ks.Close()
	_, portStr, _ := net.SplitHostPort(ks.Listener.Addr().String())
	port, _ := strconv.Atoi(portStr)

	ctx := context.Background()
	// Both nodes publish the address of node-b's kubelet.
	for _, name := range []string{"node-a", "node-b"} {
		nodes := client.For[*api.Node](c)
		n, err := nodes.Create(ctx, &api.Node{ObjectMeta: api.ObjectMeta{Name: name}}, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n.Status.Addresses = []api.NodeAddress{{Type: "InternalIP", Address: "127.0.0.1"}}
		n.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(port)
		if _, err := nodes.UpdateStatus(ctx, n, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "on-" + name, Namespace: "default"},
			Spec: api.PodSpec{NodeName: name, Containers: []api.Container{{Name: "app", Image: "busybox"}}}}
		if _, err := client.For[*api.Pod](c).Create(ctx, p, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := client.PodExec(ctx, c, "default", "on-node-b", api.PodExecOptions{Command: []string{"id"}})
	if err != nil || res.Output != "app: id\n" {
		t.Errorf("exec in a pod of node-b = %+v, %v; want the echoed command", res, err)
	}
	_, err = client.PodExec(ctx, c, "default", "on-node-a", api.PodExecOptions{Command: []string{"id"}})
	if err == nil || !strings.Contains(err.Error(), `belongs to "system:node:node-b", not "system:node:node-a"`) {
		t.Errorf("exec in a pod of node-a whose address is node-b's kubelet = %v, want a refusal naming both nodes", err)
	}

	// A kubelet certificate from another CA is refused too.
	other, _ := pki.LoadOrCreateCA(t.TempDir(), "other")
	kc2 := &KubeletTLS{CA: other.Pool(), Client: kc.Client}
	hs2 := httptest.NewServer(Handler(srv.Handle, Options{KubeletTLS: kc2}))
	defer hs2.Close()
	_, err = client.PodExec(ctx, client.New(&Transport{BaseURL: hs2.URL}), "default", "on-node-b", api.PodExecOptions{Command: []string{"id"}})
	if err == nil || !strings.Contains(err.Error(), "not from the cluster CA") {
		t.Errorf("exec through a server trusting another CA = %v, want a refusal", err)
	}
}
