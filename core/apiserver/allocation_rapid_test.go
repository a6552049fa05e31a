package apiserver

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/store"
)

// Any sequence of creates, deletes and type changes, sent to either of
// two servers over one store, keeps every live Service's cluster IP and
// node ports reserved once, for it, and shared with no other Service; and
// leaves no reservation that no Service holds. The ranges are small so
// that collisions and full ranges are common.
func TestAllocationInvariantProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		st := store.NewMemory()
		clk := &clock.Fixed{T: t0}
		seed := rapid.Uint64().Draw(rt, "seed")
		servers := []allocServer{
			newAllocServer(rt, st, clk, seed, "10.0.0.0/28", "30000-30007"),
			newAllocServer(rt, st, clk, seed+1, "10.0.0.0/28", "30000-30007"),
		}
		ctx := context.Background()
		types := []string{api.ServiceClusterIP, api.ServiceNodePort, api.ServiceLoadBalancer, api.ServiceExternalName, "headless"}
		names := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for range steps {
			srv := servers[rapid.IntRange(0, 1).Draw(rt, "server")]
			name := rapid.SampledFrom(names).Draw(rt, "name")
			typ := rapid.SampledFrom(types).Draw(rt, "type")
			var err error
			switch op := rapid.SampledFrom([]string{"create", "create", "delete", "retype"}).Draw(rt, "op"); op {
			case "create":
				svc := service(name, typ, 80, 53)
				svc.Spec.Ports[1].Protocol = api.ProtocolUDP
				switch {
				case typ == "headless":
					svc.Spec.Type, svc.Spec.ClusterIP = api.ServiceClusterIP, "None"
				case typ == api.ServiceExternalName:
					svc.Spec.ExternalName = "example.com"
				case rapid.Bool().Draw(rt, "explicit"):
					svc.Spec.ClusterIP = fmt.Sprintf("10.0.0.%d", rapid.IntRange(0, 16).Draw(rt, "ip"))
					if needsNodePorts(typ) {
						svc.Spec.Ports[0].NodePort = int32(rapid.IntRange(29999, 30008).Draw(rt, "nodePort"))
					}
				}
				_, err = srv.svcs.Create(ctx, svc, client.WriteOptions{})
			case "delete":
				_, err = srv.svcs.Delete(ctx, "default", name, client.DeleteOptions{})
			case "retype":
				patch := fmt.Sprintf(`{"spec":{"type":%q,"externalName":null}}`, typ)
				switch typ {
				case api.ServiceExternalName:
					patch = `{"spec":{"type":"ExternalName","externalName":"example.com"}}`
				case "headless":
					patch = `{"spec":{"clusterIP":"None"}}` // never allowed on a service with an IP
				}
				_, err = srv.svcs.Patch(ctx, "default", name, "application/merge-patch+json", []byte(patch), "", client.WriteOptions{})
			}
			if err != nil && !api.IsInvalid(err) && !api.IsNotFound(err) && !api.IsAlreadyExists(err) && !strings.Contains(err.Error(), "is full") {
				rt.Fatalf("unexpected error: %v", err)
			}
			checkAllocations(rt, st)
		}
	})
}

// checkAllocations fails unless the reservations in st are exactly the
// claims of the live Services, each held by its Service.
func checkAllocations(t fataler, st store.Store) {
	t.Helper()
	l, err := st.List(context.Background(), "/registry/services/", store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res := api.ResourceByPlural("", "services")
	holder := map[string]string{} // key -> service
	uid := map[string]string{}    // key -> uid
	for _, kv := range l.KVs {
		obj, err := decodeKV(res, kv)
		if err != nil {
			t.Fatal(err)
		}
		svc := obj.(*api.Service)
		if svc.Spec.Type != api.ServiceExternalName && svc.Spec.ClusterIP == "" {
			t.Fatalf("service %s of type %s has no cluster IP", svc.Name, svc.Spec.Type)
		}
		for i, p := range svc.Spec.Ports {
			if needsNodePorts(svc.Spec.Type) != (p.NodePort != 0) {
				t.Fatalf("service %s of type %s has ports[%d].nodePort %d", svc.Name, svc.Spec.Type, i, p.NodePort)
			}
		}
		for _, k := range serviceClaims(svc) {
			if other, dup := holder[k]; dup {
				t.Fatalf("services %s and %s both hold %s", other, svc.Name, k)
			}
			holder[k], uid[k] = svc.Name, svc.UID
		}
	}
	r := reservations(t, st)
	for k, name := range holder {
		if got, ok := r[k]; !ok || got.UID != uid[k] {
			t.Fatalf("service %s holds %s, reserved for %+v", name, k, got)
		}
	}
	for k, got := range r {
		if _, held := holder[k]; !held {
			t.Fatalf("reservation %s for %s/%s is held by no service", k, got.Namespace, got.Name)
		}
	}
}
