package controlplane

import (
	"context"
	"os"
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
	plain := func() string { return "http://" + strings.TrimPrefix(freeURL(t), "https://") }
	etcd, err := etcdstore.StartEmbedded(etcdstore.EmbedConfig{DataDir: filepath.Join(dir, "etcd"), ClientURL: plain(), PeerURL: plain()})
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
	// The second server gets a copy of the first one's CA, token-signing
	// key and token, so both are one cluster to their clients.
	a := start(t, external("a"))
	for _, f := range []string{"pki/ca.crt", "pki/ca.key", "pki/sa.key", "token"} {
		copyFile(t, filepath.Join(dir, "a", f), filepath.Join(dir, "b", f))
	}
	b := start(t, external("b"))
	ctx := context.Background()
	bAsA, err := httpapi.NewTransportConfig(b.URL, a.Admin())
	if err != nil {
		t.Fatal(err)
	}
	ca, cb := client.New(a.AdminTransport()), client.New(bAsA)

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

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
