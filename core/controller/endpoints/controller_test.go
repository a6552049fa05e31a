package endpoints

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

var web = map[string]string{"app": "web"}

func TestReadyAndNotReadySplit(t *testing.T) {
	e := newEnv(t)
	e.service("web", nil)
	e.pod("b", web, "10.0.0.2", false, nil)
	e.pod("a", web, "10.0.0.1", true, nil)
	e.pod("c", web, "10.0.0.3", true, nil)
	e.pod("other", map[string]string{"app": "db"}, "10.0.0.9", true, nil)
	e.pod("no-ip", web, "", false, nil)
	done := e.pod("done", web, "10.0.0.5", false, nil)
	e.setStatus(done, "10.0.0.5", api.PodSucceeded, false)
	e.Settle()
	e.wantSummary("web", "http:8080/TCP ready=10.0.0.1(a),10.0.0.3(c) notReady=10.0.0.2(b)")

	// A pod becoming ready moves to addresses.
	b := e.pod("b2", web, "10.0.0.4", false, nil)
	e.Settle()
	e.setStatus(b, "10.0.0.4", api.PodRunning, true)
	e.Settle()
	e.wantSummary("web", "http:8080/TCP ready=10.0.0.1(a),10.0.0.3(c),10.0.0.4(b2) notReady=10.0.0.2(b)")
}

func TestAddressFields(t *testing.T) {
	e := newEnv(t)
	e.service("web", func(s *api.Service) { s.Spec.ClusterIP = "None" })
	p := e.pod("web-0", web, "10.0.0.1", true, func(p *api.Pod) { p.Spec.Hostname, p.Spec.Subdomain = "web-0", "web" })
	e.pod("web-1", web, "10.0.0.2", true, func(p *api.Pod) { p.Spec.Hostname, p.Spec.Subdomain = "web-1", "elsewhere" })
	e.Settle()
	ep := e.endpoints("web")
	node := "node-1"
	want := []api.EndpointSubset{{
		Addresses: []api.EndpointAddress{
			{IP: "10.0.0.1", Hostname: "web-0", NodeName: &node, TargetRef: &api.ObjectReference{Kind: "Pod", Namespace: "default", Name: "web-0", UID: p.UID}},
			{IP: "10.0.0.2", NodeName: &node, TargetRef: &api.ObjectReference{Kind: "Pod", Namespace: "default", Name: "web-1", UID: ep.Subsets[0].Addresses[1].TargetRef.UID}},
		},
		Ports: []api.EndpointPort{{Name: "http", Port: 8080, Protocol: api.ProtocolTCP}},
	}}
	if diff := cmp.Diff(want, ep.Subsets); diff != "" {
		t.Errorf("subsets of headless service web (-want +got):\n%s", diff)
	}
	if ep.Annotations[ManagedBy] != ManagedByValue || ep.Labels["team"] != "a" {
		t.Errorf("endpoints metadata: annotations %v labels %v, want the managed-by mark and the service's labels", ep.Annotations, ep.Labels)
	}
}

func TestTerminatingPodDisappears(t *testing.T) {
	e := newEnv(t)
	e.service("web", nil)
	e.pod("a", web, "10.0.0.1", true, nil)
	e.pod("b", web, "10.0.0.2", true, nil)
	e.Settle()
	e.deletePod("a")
	e.Settle()
	if p, err := client.For[*api.Pod](e.api).Get(context.Background(), "default", "a"); err != nil || p.DeletionTimestamp == nil {
		t.Fatalf("pod a after a graceful delete: %v, %v; want it still there, terminating", p, err)
	}
	e.wantSummary("web", "http:8080/TCP ready=10.0.0.2(b) notReady=")
}

func TestNamedTargetPortAndPortSets(t *testing.T) {
	e := newEnv(t)
	e.service("web", func(s *api.Service) {
		s.Spec.Ports = []api.ServicePort{
			{Name: "http", Port: 80, TargetPort: api.FromString("web")},
			{Name: "dns", Port: 53, Protocol: api.ProtocolUDP, TargetPort: api.FromString("dns")},
			{Name: "admin", Port: 9000},
		}
	})
	ports := func(ps ...api.ContainerPort) func(*api.Pod) {
		return func(p *api.Pod) { p.Spec.Containers[0].Ports = ps }
	}
	e.pod("a", web, "10.0.0.1", true, ports(api.ContainerPort{Name: "web", ContainerPort: 8080}))
	e.pod("b", web, "10.0.0.2", true, ports(api.ContainerPort{Name: "web", ContainerPort: 8081}))
	e.pod("c", web, "10.0.0.3", false, ports(api.ContainerPort{Name: "web", ContainerPort: 8080}, api.ContainerPort{Name: "dns", ContainerPort: 5353, Protocol: api.ProtocolUDP}))
	// A TCP port named dns does not serve the UDP service port.
	e.pod("d", web, "10.0.0.4", true, ports(api.ContainerPort{Name: "dns", ContainerPort: 53}))
	e.Settle()
	e.wantSummary("web",
		"admin:9000/TCP ready=10.0.0.4(d) notReady=",
		"admin:9000/TCP,dns:5353/UDP,http:8080/TCP ready= notReady=10.0.0.3(c)",
		"admin:9000/TCP,http:8080/TCP ready=10.0.0.1(a) notReady=",
		"admin:9000/TCP,http:8081/TCP ready=10.0.0.2(b) notReady=",
	)
}

func TestPublishNotReadyAddresses(t *testing.T) {
	e := newEnv(t)
	e.service("web", func(s *api.Service) { s.Spec.PublishNotReadyAddresses = true })
	e.pod("a", web, "10.0.0.1", false, nil)
	e.pod("b", web, "10.0.0.2", true, nil)
	e.Settle()
	e.wantSummary("web", "http:8080/TCP ready=10.0.0.1(a),10.0.0.2(b) notReady=")
}

func TestServiceDeletedOrUnselected(t *testing.T) {
	e := newEnv(t)
	e.service("web", nil)
	e.service("api", func(s *api.Service) { s.Spec.Selector = map[string]string{"app": "web"} })
	e.pod("a", web, "10.0.0.1", true, nil)
	e.Settle()
	e.wantSummary("web", "http:8080/TCP ready=10.0.0.1(a) notReady=")
	e.wantSummary("api", "http:8080/TCP ready=10.0.0.1(a) notReady=")

	if _, err := client.For[*api.Service](e.api).Delete(context.Background(), "default", "web", client.DeleteOptions{}); err != nil {
		t.Fatalf("delete service web: %v", err)
	}
	svc, err := client.For[*api.Service](e.api).Get(context.Background(), "default", "api")
	if err != nil {
		t.Fatal(err)
	}
	svc.Spec.Selector = nil
	if _, err := client.For[*api.Service](e.api).Update(context.Background(), svc, client.WriteOptions{}); err != nil {
		t.Fatalf("drop the selector of service api: %v", err)
	}
	e.Settle()
	e.wantSummary("web", "none")
	e.wantSummary("api", "none")
}

func TestExternalNameGetsNone(t *testing.T) {
	e := newEnv(t)
	e.service("web", func(s *api.Service) {
		s.Spec.Type, s.Spec.ExternalName, s.Spec.Ports = api.ServiceExternalName, "example.com", nil
	})
	e.pod("a", web, "10.0.0.1", true, nil)
	e.Settle()
	e.wantSummary("web", "none")
}

func TestHandWrittenEndpointsUntouched(t *testing.T) {
	e := newEnv(t)
	e.service("db", func(s *api.Service) { s.Spec.Selector = nil })
	hand := &api.Endpoints{ObjectMeta: api.ObjectMeta{Name: "db", Namespace: "default"},
		Subsets: []api.EndpointSubset{{Addresses: []api.EndpointAddress{{IP: "192.168.1.5"}}, Ports: []api.EndpointPort{{Name: "http", Port: 5432}}}}}
	created, err := client.For[*api.Endpoints](e.api).Create(context.Background(), hand, client.WriteOptions{})
	if err != nil {
		t.Fatalf("create hand-written endpoints: %v", err)
	}
	e.pod("a", map[string]string{"app": "db"}, "10.0.0.1", true, nil)
	e.Settle()
	if _, err := client.For[*api.Service](e.api).Delete(context.Background(), "default", "db", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	got := e.endpoints("db")
	if got == nil || got.ResourceVersion != created.ResourceVersion {
		t.Errorf("hand-written endpoints db = %v, want it untouched at resourceVersion %s", got, created.ResourceVersion)
	}
	if e.tr.writes != 0 {
		t.Errorf("controller wrote endpoints %d times, want 0", e.tr.writes)
	}
}

func TestNoWriteWhenNothingChanged(t *testing.T) {
	e := newEnv(t)
	e.service("web", nil)
	e.pod("a", web, "10.0.0.1", true, nil)
	e.pod("b", web, "10.0.0.2", false, nil)
	e.Settle()
	before, writes := e.endpoints("web"), e.tr.writes
	if writes == 0 {
		t.Fatal("no endpoints written at all")
	}
	// Changes that do not move any address: a label the selector ignores,
	// a pod of another service, a service label-free update, a relist.
	b, err := client.For[*api.Pod](e.api).Get(context.Background(), "default", "b")
	if err != nil {
		t.Fatal(err)
	}
	b.Labels["extra"] = "x"
	if _, err := client.For[*api.Pod](e.api).Update(context.Background(), b, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.pod("x", map[string]string{"app": "other"}, "10.0.0.9", true, nil)
	e.Settle()
	e.tr.Cut()
	e.RunFor(60e9)
	after := e.endpoints("web")
	if e.tr.writes != writes || after.ResourceVersion != before.ResourceVersion {
		t.Errorf("after changes that move nothing: %d writes (was %d), resourceVersion %s (was %s); want no write",
			e.tr.writes, writes, after.ResourceVersion, before.ResourceVersion)
	}
}

func TestConflictRetried(t *testing.T) {
	e := newEnv(t)
	e.service("web", nil)
	e.Settle()
	e.tr.conflicts = 2
	e.pod("a", web, "10.0.0.1", true, nil)
	e.Settle()
	e.RunFor(1e9)
	e.wantSummary("web", "http:8080/TCP ready=10.0.0.1(a) notReady=")

	// A stale cache: someone else writes the Endpoints while the
	// controller's watch on them is held back, so its update conflicts
	// until it sees the new version.
	e.tr.Hold("/endpoints")
	ep := e.endpoints("web")
	ep.Annotations["someone"] = "else"
	if _, err := client.For[*api.Endpoints](e.api).Update(context.Background(), ep, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.pod("b", web, "10.0.0.2", true, nil)
	e.RunFor(1e9)
	if n := e.ctrl.queue.Failures("default/web"); n == 0 {
		t.Errorf("failures of default/web while the cache is stale = 0, want conflicts")
	}
	e.tr.Release()
	e.RunFor(10e9)
	e.wantSummary("web", "http:8080/TCP ready=10.0.0.1(a),10.0.0.2(b) notReady=")
	if got := e.endpoints("web").Annotations["someone"]; got != "else" {
		t.Errorf("annotation someone = %q after the retry, want the other writer's %q kept", got, "else")
	}
}

func TestFailedWriteWarnsAndRetries(t *testing.T) {
	e := newEnv(t)
	e.tr.failures = 1
	e.service("web", nil)
	e.pod("a", web, "10.0.0.1", true, nil)
	e.RunFor(1e9)
	e.wantSummary("web", "http:8080/TCP ready=10.0.0.1(a) notReady=")
	if got := e.Events("FailedToCreateEndpoint"); len(got) != 1 {
		t.Errorf("FailedToCreateEndpoint events = %q, want one", got)
	}
	if got := e.Events("FailedToUpdateEndpoint"); len(got) != 0 {
		t.Errorf("FailedToUpdateEndpoint events = %q, want none: conflicts are not worth a warning", got)
	}
}
