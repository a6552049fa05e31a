package controlplane

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

func TestDefaultAdvertiseAddress(t *testing.T) {
	host := func() string { return "192.168.7.7" }
	tests := []struct{ listen, want string }{
		{"10.0.0.1:6443", "10.0.0.1"},
		{"127.0.0.1:6443", "192.168.7.7"},
		{"127.0.0.11:6443", "192.168.7.7"},
		{"0.0.0.0:6443", "192.168.7.7"},
		{":6443", "192.168.7.7"},
		{"[::1]:6443", "192.168.7.7"},
	}
	for _, tt := range tests {
		if got := DefaultAdvertiseAddress(tt.listen, host); got != tt.want {
			t.Errorf("DefaultAdvertiseAddress(%q) = %q, want %q", tt.listen, got, tt.want)
		}
	}
}

// A server keeps the kubernetes Service in default pointing at itself,
// and its Endpoints at its advertise address and API port.
func TestServerReconcilesTheKubernetesService(t *testing.T) {
	s := start(t, serverConfig(t, "one", t.TempDir()))
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(client.Local(s.API.Handle))
	var last error
	want := fmt.Sprintf("127.0.0.1:%s", u.Port())
	waitFor(t, "endpoints default/kubernetes = "+want, 10*time.Second, func() bool {
		ep, err := client.For[*api.Endpoints](c).Get(context.Background(), "default", "kubernetes")
		if err != nil {
			last = err
			return false
		}
		if len(ep.Subsets) != 1 || len(ep.Subsets[0].Addresses) != 1 || len(ep.Subsets[0].Ports) != 1 {
			last = fmt.Errorf("subsets %+v", ep.Subsets)
			return false
		}
		got := fmt.Sprintf("%s:%d", ep.Subsets[0].Addresses[0].IP, ep.Subsets[0].Ports[0].Port)
		last = fmt.Errorf("endpoints are %s", got)
		return got == want
	}, &last)
	svc, err := client.For[*api.Service](c).Get(context.Background(), "default", "kubernetes")
	if err != nil {
		t.Fatal(err)
	}
	if svc.Spec.ClusterIP != "10.96.0.1" || svc.Spec.Ports[0].Port != 443 || svc.Spec.Ports[0].TargetPort.String() != u.Port() {
		t.Errorf("service default/kubernetes: clusterIP %s, port %d -> %s; want 10.96.0.1, 443 -> %s", svc.Spec.ClusterIP, svc.Spec.Ports[0].Port, svc.Spec.Ports[0].TargetPort.String(), u.Port())
	}
}
