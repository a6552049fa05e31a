package controlplane

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/etcdstore"
	"github.com/tinykube/tinykube/realnode/httpapi"
)

// Two servers on one external etcd (--etcd-endpoints): each serves what
// the other wrote, one of them runs each elected component, and when that
// one stops the other takes its Leases over.
func TestServersShareAnExternalEtcd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	dir := t.TempDir()
	etcd, err := etcdstore.StartEmbedded(etcdstore.EmbedConfig{DataDir: filepath.Join(dir, "etcd"), ClientURL: freeURL(t), PeerURL: freeURL(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer etcd.Close()
	endpoints := etcd.Client().Endpoints()

	external := func(name string) Config {
		cfg := serverConfig(t, name, filepath.Join(dir, name))
		cfg.EtcdClientURL, cfg.EtcdPeerURL = "", ""
		cfg.EtcdEndpoints = endpoints
		return cfg
	}
	a, b := start(t, external("a")), start(t, external("b"))
	ctx := context.Background()
	ca, cb := client.New(&httpapi.Transport{BaseURL: a.URL}), client.New(&httpapi.Transport{BaseURL: b.URL})

	cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: "shared", Namespace: "default"}, Data: map[string]string{"k": "v"}}
	if _, err := client.For[*api.ConfigMap](ca).Create(ctx, cm, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, err := client.For[*api.ConfigMap](cb).Get(ctx, "default", "shared"); err != nil || got.Data["k"] != "v" {
		t.Fatalf("server b reads %v, %v; want the ConfigMap written through a", got, err)
	}

	// Exactly one server runs each elected component.
	leases := []string{"kube-controller-manager", "kube-scheduler"}
	holder := map[string]*Server{}
	waitFor(t, "a holder for every Lease", 10*time.Second, func() bool {
		for _, l := range leases {
			inA, inB := slices.Contains(a.Leading(), l), slices.Contains(b.Leading(), l)
			if inA && inB {
				t.Fatalf("both servers lead %s", l)
			}
			switch {
			case inA:
				holder[l] = a
			case inB:
				holder[l] = b
			default:
				return false
			}
		}
		return true
	})

	// Stop the controller manager's holder: it releases its Leases as it
	// stops, so the other server takes them over at its next retry (a
	// killed server's are taken after a lease duration: realnode/e2e).
	gone := holder["kube-controller-manager"]
	other := a
	if gone == a {
		other = b
	}
	gone.Close()
	stopped := time.Now()
	waitFor(t, "the other server leading every Lease", 10*time.Second, func() bool {
		return slices.Contains(other.Leading(), "kube-controller-manager") && slices.Contains(other.Leading(), "kube-scheduler")
	})
	t.Logf("taken over %.1fs after the holder stopped", time.Since(stopped).Seconds())

	// Joining an external-etcd server is refused with what to do instead.
	cfg := external("c")
	cfg.JoinURL, cfg.Token = other.URL, "x"
	if _, err := Start(ctx, cfg); err == nil || !strings.Contains(err.Error(), "--etcd-endpoints") {
		t.Errorf("--join with --etcd-endpoints: error %v, want one saying to start every server with the same --etcd-endpoints", err)
	}
}
