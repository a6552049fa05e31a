package deployment

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/replicaset"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// env is an API server in process, the Deployment controller under test,
// the real ReplicaSet controller beside it, and a pretend kubelet that
// marks every new pod Running and Ready readyAfter after it appears (never,
// when readyAfter is negative) and removes deleted pods at once.
type env struct {
	t          *testing.T
	v          *loop.Virtual
	api        *client.Client
	ctrl       *Controller
	readyAfter time.Duration
	// check, when set, runs after every step of the loop.
	check func()
	// conflicts counts 409 answers to the Deployment controller's writes
	// to Deployments. (Its ReplicaSet writes meet some when its cache lags
	// its own last write; the 409 is what keeps that lag harmless.)
	conflicts int
	srv       *apiserver.Server
}

// Do is the Deployment controller's transport: the API server, counting
// conflicts on the way.
func (e *env) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	resp := e.srv.Handle(ctx, req)
	if resp.Code == 409 && strings.Contains(req.Path, "/deployments/") {
		e.conflicts++
	}
	return resp, nil
}

func newEnv(t *testing.T, readyAfter time.Duration) *env {
	t.Helper()
	ctx := context.Background()
	v := loop.NewVirtual(t0)
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: v, Rand: rand.New(rand.NewPCG(1, 2))})
	if err := srv.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	c := client.New(client.Local(srv.Handle))
	e := &env{t: t, v: v, api: c, readyAfter: readyAfter, srv: srv}
	e.ctrl = New(Config{Loop: v, Client: client.New(e), Recorder: client.NewRecorder(v, c, "deployment-controller", "")})
	rsc := replicaset.New(replicaset.Config{Loop: v, Client: c, Recorder: client.NewRecorder(v, c, "replicaset-controller", "")})
	kubelet := client.NewInformer[*api.Pod](v, c, "", client.ListOptions{})
	kubelet.AddHandlers(client.Handlers[*api.Pod]{Add: e.podAdded, Update: func(_, p *api.Pod) { e.podUpdated(p) }})
	kubelet.Start()
	rsc.Start()
	e.ctrl.Start()
	e.settle()
	return e
}

func (e *env) podAdded(p *api.Pod) {
	// Bound pods are deleted gracefully (unbound ones go at once), so
	// terminating pods exist for a while, as on a real node.
	if p.Spec.NodeName == "" {
		if err := client.Bind(context.Background(), e.api, p.Namespace, p.Name, p.UID, "node-1"); err != nil {
			e.t.Errorf("kubelet: bind %s: %v", p.Name, err)
		}
	}
	if e.readyAfter < 0 {
		return
	}
	e.v.After(e.readyAfter, func() {
		fresh, err := client.For[*api.Pod](e.api).Get(context.Background(), p.Namespace, p.Name)
		if err != nil || fresh.UID != p.UID || fresh.DeletionTimestamp != nil {
			return
		}
		fresh.Status.Phase = api.PodRunning
		fresh.Status.Conditions = []api.PodCondition{{Type: api.PodReady, Status: api.ConditionTrue, LastTransitionTime: api.NewTime(e.v.Now())}}
		if _, err := client.For[*api.Pod](e.api).UpdateStatus(context.Background(), fresh, client.WriteOptions{}); err != nil {
			e.t.Errorf("kubelet: mark %s ready: %v", p.Name, err)
		}
	})
}

// podUpdated finishes a graceful delete one second after it starts.
func (e *env) podUpdated(p *api.Pod) {
	if p.DeletionTimestamp == nil {
		return
	}
	e.v.After(time.Second, func() {
		zero := int64(0)
		_, err := client.For[*api.Pod](e.api).Delete(context.Background(), p.Namespace, p.Name, client.DeleteOptions{UID: p.UID, GracePeriodSeconds: &zero})
		if err != nil && !api.IsNotFound(err) {
			e.t.Errorf("kubelet: remove %s: %v", p.Name, err)
		}
	})
}

// step runs one callback and the check.
func (e *env) step() {
	e.v.Step()
	if e.check != nil {
		e.check()
	}
}

// settle runs every callback due now without moving the clock.
func (e *env) settle() {
	for {
		next, ok := e.v.Next()
		if !ok || next.After(e.v.Now()) {
			return
		}
		e.step()
	}
}

// runFor runs the loop for d of virtual time, one callback at a time.
func (e *env) runFor(d time.Duration) {
	end := e.v.Now().Add(d)
	for {
		next, ok := e.v.Next()
		if !ok || next.After(end) {
			break
		}
		e.step()
	}
	e.v.RunFor(end.Sub(e.v.Now()))
	e.settle()
}

func (e *env) create(d *api.Deployment) {
	e.t.Helper()
	if _, err := client.For[*api.Deployment](e.api).Create(context.Background(), d, client.WriteOptions{}); err != nil {
		e.t.Fatalf("create deployment %s: %v", d.Name, err)
	}
}

func (e *env) get(name string) *api.Deployment {
	e.t.Helper()
	d, err := client.For[*api.Deployment](e.api).Get(context.Background(), "default", name)
	if err != nil {
		e.t.Fatalf("get deployment %s: %v", name, err)
	}
	return d
}

func (e *env) update(name string, mutate func(*api.Deployment)) {
	e.t.Helper()
	d := e.get(name)
	mutate(d)
	if _, err := client.For[*api.Deployment](e.api).Update(context.Background(), d, client.WriteOptions{}); err != nil {
		e.t.Fatalf("update deployment %s: %v", name, err)
	}
}

func (e *env) replicaSets() []*api.ReplicaSet {
	e.t.Helper()
	l, err := client.For[*api.ReplicaSet](e.api).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	sortOldestFirst(l.Items)
	return l.Items
}

// allPods returns every pod, terminating ones too.
func (e *env) allPods() []*api.Pod {
	e.t.Helper()
	l, err := client.For[*api.Pod](e.api).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	return l.Items
}

// livePods returns the pods not being deleted.
func (e *env) livePods() []*api.Pod {
	e.t.Helper()
	l, err := client.For[*api.Pod](e.api).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []*api.Pod
	for _, p := range l.Items {
		if p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

func (e *env) events(reason string) []string {
	e.t.Helper()
	l, err := client.For[*api.Event](e.api).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range l.Items {
		if ev.Reason == reason {
			out = append(out, ev.Message)
		}
	}
	return out
}

func deployment(name string, replicas int32, image string, mutate func(*api.Deployment)) *api.Deployment {
	d := &api.Deployment{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.DeploymentSpec{
			Replicas: &replicas,
			Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: api.PodTemplateSpec{
				ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: image}}},
			},
		},
	}
	if mutate != nil {
		mutate(d)
	}
	return d
}

func setImage(image string) func(*api.Deployment) {
	return func(d *api.Deployment) { d.Spec.Template.Spec.Containers[0].Image = image }
}

func intOrStr(v api.IntOrString) *api.IntOrString { return &v }
