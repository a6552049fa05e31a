package servicelb

import (
	"context"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

// env is an API server on a virtual loop with the controller running over
// a PoolProvider; the test reads and writes through e.api.
type env struct {
	*clienttest.Env
	t    *testing.T
	api  *client.Client
	pool string
	prov Provider
	ctrl *Controller
}

func newEnv(t *testing.T, pool string) *env {
	t.Helper()
	e := &env{Env: clienttest.New(t, 1, 2), t: t, pool: pool}
	e.api = e.Client
	e.start(nil)
	return e
}

// start runs a new controller over a new PoolProvider on e.pool, wrapped
// by wrap when it is not nil.
func (e *env) start(wrap func(*PoolProvider) Provider) {
	e.t.Helper()
	pool, err := NewPoolProvider(e.pool)
	if err != nil {
		e.t.Fatalf("NewPoolProvider(%q): %v", e.pool, err)
	}
	e.prov = pool
	if wrap != nil {
		e.prov = wrap(pool)
	}
	c := client.New(e.Transport)
	e.ctrl = New(Config{Loop: e.Loop, Client: c, Recorder: client.NewRecorder(e.Loop, c, "service-lb-controller", ""), Provider: e.prov})
	e.ctrl.Start()
	e.Settle()
}

func (e *env) createService(name, typ string, mutate func(*api.Service)) *api.Service {
	e.t.Helper()
	s := &api.Service{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.ServiceSpec{Type: typ, Selector: map[string]string{"app": name},
			Ports: []api.ServicePort{{Port: 80, TargetPort: api.FromInt(8080)}}},
	}
	if mutate != nil {
		mutate(s)
	}
	out, err := client.For[*api.Service](e.api).Create(context.Background(), s, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create Service %s: %v", name, err)
	}
	return out
}

// get returns the service, or nil when it does not exist.
func (e *env) get(name string) *api.Service {
	e.t.Helper()
	s, err := client.For[*api.Service](e.api).Get(context.Background(), "default", name)
	if api.IsNotFound(err) {
		return nil
	}
	if err != nil {
		e.t.Fatalf("get Service %s: %v", name, err)
	}
	return s
}

func (e *env) update(name string, mutate func(*api.Service)) {
	e.t.Helper()
	s := e.get(name)
	mutate(s)
	if _, err := client.For[*api.Service](e.api).Update(context.Background(), s, client.WriteOptions{}); err != nil {
		e.t.Fatalf("update Service %s: %v", name, err)
	}
}

func (e *env) delete(name string) {
	e.t.Helper()
	if _, err := client.For[*api.Service](e.api).Delete(context.Background(), "default", name, client.DeleteOptions{}); err != nil {
		e.t.Fatalf("delete Service %s: %v", name, err)
	}
}

// ip returns the service's first ingress IP, "" when it has none (or the
// service is gone).
func (e *env) ip(name string) string {
	e.t.Helper()
	s := e.get(name)
	if s == nil || len(s.Status.LoadBalancer.Ingress) == 0 {
		return ""
	}
	return s.Status.LoadBalancer.Ingress[0].IP
}

func (e *env) wantIP(name, want string) {
	e.t.Helper()
	if got := e.ip(name); got != want {
		e.t.Errorf("Service %s status.loadBalancer.ingress IP = %q, want %q", name, got, want)
	}
}

func (e *env) settleFor(d time.Duration) { e.RunFor(d) }

// createNode creates a node whose Ready condition is ready.
func (e *env) createNode(name string, ready bool) {
	e.t.Helper()
	nodes := client.For[*api.Node](e.api)
	n, err := nodes.Create(context.Background(), &api.Node{ObjectMeta: api.ObjectMeta{Name: name}}, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create Node %s: %v", name, err)
	}
	st := api.ConditionFalse
	if ready {
		st = api.ConditionTrue
	}
	n.Status.Conditions = []api.NodeCondition{{Type: api.NodeReady, Status: st}}
	if _, err := nodes.UpdateStatus(context.Background(), n, client.WriteOptions{}); err != nil {
		e.t.Fatalf("mark Node %s ready=%v: %v", name, ready, err)
	}
}
