package apiserver

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// kubernetesObjects reads the kubernetes Service and Endpoints back.
func (f *fixture) kubernetesObjects() (*api.Service, *api.Endpoints) {
	f.t.Helper()
	svc, err := client.For[*api.Service](f.client).Get(f.ctx, "default", "kubernetes")
	if err != nil {
		f.t.Fatalf("get service default/kubernetes: %v", err)
	}
	ep, err := client.For[*api.Endpoints](f.client).Get(f.ctx, "default", "kubernetes")
	if err != nil {
		f.t.Fatalf("get endpoints default/kubernetes: %v", err)
	}
	return svc, ep
}

func endpointIPsOf(ep *api.Endpoints) []string {
	var out []string
	for _, s := range ep.Subsets {
		for _, a := range s.Addresses {
			out = append(out, a.IP)
		}
	}
	return out
}

func TestReconcileKubernetesService(t *testing.T) {
	f := newFixture(t)
	if err := f.server.ReconcileKubernetesService(f.ctx, []string{"192.168.1.12", "192.168.1.10", "192.168.1.12"}, 6443); err != nil {
		t.Fatalf("ReconcileKubernetesService: %v", err)
	}
	svc, ep := f.kubernetesObjects()
	wantSpec := api.ServiceSpec{Type: "ClusterIP", ClusterIP: "10.96.0.1", ClusterIPs: []string{"10.96.0.1"},
		Ports: []api.ServicePort{{Name: "https", Protocol: "TCP", Port: 443, TargetPort: api.FromInt(6443)}}, SessionAffinity: "None"}
	if diff := cmp.Diff(wantSpec, svc.Spec); diff != "" {
		t.Errorf("service spec (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"component": "apiserver", "provider": "kubernetes"}, svc.Labels); diff != "" {
		t.Errorf("service labels (-want +got):\n%s", diff)
	}
	wantSubsets := []api.EndpointSubset{{
		Addresses: []api.EndpointAddress{{IP: "192.168.1.10"}, {IP: "192.168.1.12"}},
		Ports:     []api.EndpointPort{{Name: "https", Port: 6443, Protocol: "TCP"}}}}
	if diff := cmp.Diff(wantSubsets, ep.Subsets); diff != "" {
		t.Errorf("endpoints subsets (-want +got):\n%s", diff)
	}

	// Called again with the same servers: nothing is written.
	svcRV, epRV := svc.ResourceVersion, ep.ResourceVersion
	if err := f.server.ReconcileKubernetesService(f.ctx, []string{"192.168.1.10", "192.168.1.12"}, 6443); err != nil {
		t.Fatal(err)
	}
	svc, ep = f.kubernetesObjects()
	if svc.ResourceVersion != svcRV || ep.ResourceVersion != epRV {
		t.Errorf("resourceVersions after a no-op reconcile = %s, %s; want %s, %s unchanged", svc.ResourceVersion, ep.ResourceVersion, svcRV, epRV)
	}

	// A server left, another joined: the Endpoints follow exactly.
	if err := f.server.ReconcileKubernetesService(f.ctx, []string{"192.168.1.13", "192.168.1.10"}, 6443); err != nil {
		t.Fatal(err)
	}
	if _, ep = f.kubernetesObjects(); !cmp.Equal(endpointIPsOf(ep), []string{"192.168.1.10", "192.168.1.13"}) {
		t.Errorf("endpoints after a change of servers = %q, want [192.168.1.10 192.168.1.13]", endpointIPsOf(ep))
	}

	// Someone edited the Service's ports: they are set right, the IP kept.
	if _, err := client.For[*api.Service](f.client).Patch(f.ctx, "default", "kubernetes", "application/merge-patch+json",
		[]byte(`{"spec":{"ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"}]}}`), "", client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := f.server.ReconcileKubernetesService(f.ctx, []string{"192.168.1.10", "192.168.1.13"}, 6443); err != nil {
		t.Fatal(err)
	}
	if svc, _ = f.kubernetesObjects(); !cmp.Equal(svc.Spec.Ports, wantSpec.Ports) || svc.Spec.ClusterIP != "10.96.0.1" {
		t.Errorf("after repair: ports %+v, clusterIP %s; want %+v, 10.96.0.1", svc.Spec.Ports, svc.Spec.ClusterIP, wantSpec.Ports)
	}
}

func TestReconcileKubernetesServiceRefusesBadInput(t *testing.T) {
	tests := []struct {
		addresses []string
		port      int32
		want      string // a part of the error
	}{
		{nil, 6443, "no API server addresses given"},
		{[]string{"api.example"}, 6443, `API server address "api.example" is not an IP`},
		{[]string{"0.0.0.0"}, 6443, `API server address "0.0.0.0" is not an IP`},
		{[]string{"10.0.0.1"}, 0, "API port 0 is not a port"},
	}
	f := newFixture(t)
	for _, tt := range tests {
		err := f.server.ReconcileKubernetesService(f.ctx, tt.addresses, tt.port)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReconcileKubernetesService(%q, %d) = %v, want an error with %q", tt.addresses, tt.port, err, tt.want)
		}
	}
}
