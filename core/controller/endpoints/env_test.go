package endpoints

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/rest"
)

// transport counts the controller's writes to Endpoints and can fail the
// next ones with a conflict.
type transport struct {
	*clienttest.Transport
	// writes counts POST, PUT and DELETE requests on endpoints.
	writes int
	// conflicts is how many of the next endpoints writes to answer with a
	// 409 instead of passing on.
	conflicts int
	// failures is how many of the next endpoints writes (after the
	// conflicts) to answer with a 500.
	failures int
}

func (t *transport) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	if req.Method != http.MethodGet && strings.Contains(req.Path, "/endpoints") {
		t.writes++
		if t.conflicts > 0 {
			t.conflicts--
			body := []byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected conflict","reason":"Conflict","code":409}`)
			return &rest.Response{Code: 409, ContentType: rest.ContentJSON, Body: body}, nil
		}
		if t.failures > 0 {
			t.failures--
			body := []byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected failure","reason":"InternalError","code":500}`)
			return &rest.Response{Code: 500, ContentType: rest.ContentJSON, Body: body}, nil
		}
	}
	return t.Transport.Do(ctx, req)
}

type env struct {
	*clienttest.Env
	t    *testing.T
	tr   *transport
	api  *client.Client // the test's own view, never held back
	ctrl *Controller
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ce := clienttest.New(t, 1, 2)
	tr := &transport{Transport: ce.Transport}
	c := client.New(tr)
	ctrl := New(Config{Loop: ce.Loop, Client: c, Recorder: client.NewRecorder(ce.Loop, c, "endpoint-controller", "")})
	ctrl.Start()
	e := &env{Env: ce, t: t, tr: tr, api: ce.Client, ctrl: ctrl}
	e.Settle()
	return e
}

// service creates a ClusterIP service selecting app=name with one port
// "http" (80 → 8080), then lets mutate change it.
func (e *env) service(name string, mutate func(*api.Service)) *api.Service {
	e.t.Helper()
	svc := &api.Service{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", Labels: map[string]string{"team": "a"}},
		Spec: api.ServiceSpec{
			Selector: map[string]string{"app": name},
			Ports:    []api.ServicePort{{Name: "http", Port: 80, TargetPort: api.FromInt(8080)}},
		},
	}
	if mutate != nil {
		mutate(svc)
	}
	out, err := client.For[*api.Service](e.api).Create(context.Background(), svc, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create service %s: %v", name, err)
	}
	return out
}

// pod creates a pod bound to node-1 with labels, then, when ip is not
// empty, gives it that IP and phase Running, Ready or not, as a kubelet
// would.
func (e *env) pod(name string, labels map[string]string, ip string, ready bool, mutate func(*api.Pod)) *api.Pod {
	e.t.Helper()
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", Labels: labels},
		Spec: api.PodSpec{NodeName: "node-1", Containers: []api.Container{{Name: "c", Image: "nginx:1"}}}}
	if mutate != nil {
		mutate(p)
	}
	out, err := client.For[*api.Pod](e.api).Create(context.Background(), p, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create pod %s: %v", name, err)
	}
	if ip == "" {
		return out
	}
	return e.setStatus(out, ip, api.PodRunning, ready)
}

// setStatus sets p's IP, phase and Ready condition.
func (e *env) setStatus(p *api.Pod, ip string, phase api.PodPhase, ready bool) *api.Pod {
	e.t.Helper()
	p = api.DeepCopy(p)
	p.Status.Phase, p.Status.PodIP = phase, ip
	status := api.ConditionFalse
	if ready {
		status = api.ConditionTrue
	}
	p.Status.Conditions = []api.PodCondition{{Type: api.PodReady, Status: status, LastTransitionTime: api.NewTime(e.Loop.Now())}}
	out, err := client.For[*api.Pod](e.api).UpdateStatus(context.Background(), p, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("set status of pod %s: %v", p.Name, err)
	}
	return out
}

func (e *env) deletePod(name string) {
	e.t.Helper()
	if _, err := client.For[*api.Pod](e.api).Delete(context.Background(), "default", name, client.DeleteOptions{}); err != nil {
		e.t.Fatalf("delete pod %s: %v", name, err)
	}
}

// endpoints returns the Endpoints named name, or nil when there is none.
func (e *env) endpoints(name string) *api.Endpoints {
	e.t.Helper()
	ep, err := client.For[*api.Endpoints](e.api).Get(context.Background(), "default", name)
	if api.IsNotFound(err) {
		return nil
	}
	if err != nil {
		e.t.Fatalf("get endpoints %s: %v", name, err)
	}
	return ep
}

// summary prints ep's subsets one per line, as
// "http:8080/TCP ready=10.0.0.1(a) notReady=10.0.0.2(b)", for tests to
// compare with what they expect. Missing Endpoints print as "none".
func summary(ep *api.Endpoints) []string {
	if ep == nil {
		return []string{"none"}
	}
	out := []string{}
	for _, ss := range ep.Subsets {
		var ports []string
		for _, p := range ss.Ports {
			ports = append(ports, fmt.Sprintf("%s:%d/%s", p.Name, p.Port, p.Protocol))
		}
		line := strings.Join(ports, ",")
		line += " ready=" + addrList(ss.Addresses)
		line += " notReady=" + addrList(ss.NotReadyAddresses)
		out = append(out, line)
	}
	return out
}

func addrList(as []api.EndpointAddress) string {
	var out []string
	for _, a := range as {
		name := "?"
		if a.TargetRef != nil {
			name = a.TargetRef.Name
		}
		out = append(out, a.IP+"("+name+")")
	}
	return strings.Join(out, ",")
}

func (e *env) wantSummary(name string, want ...string) {
	e.t.Helper()
	if got := summary(e.endpoints(name)); !slices.Equal(got, want) {
		e.t.Errorf("endpoints %s:\n got %q\nwant %q", name, got, want)
	}
}

func (e *env) getPod(name string) *api.Pod {
	e.t.Helper()
	p, err := client.For[*api.Pod](e.api).Get(context.Background(), "default", name)
	if err != nil {
		e.t.Fatalf("get pod %s: %v", name, err)
	}
	return p
}

func (e *env) getService(name string) *api.Service {
	e.t.Helper()
	s, err := client.For[*api.Service](e.api).Get(context.Background(), "default", name)
	if err != nil {
		e.t.Fatalf("get service %s: %v", name, err)
	}
	return s
}
