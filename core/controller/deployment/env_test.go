package deployment

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/controller/replicaset"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/rest"
)

var t0 = clienttest.Start

// env is an API server in process, the Deployment controller under test,
// the real ReplicaSet controller beside it, and a pretend kubelet that
// marks every new pod Running and Ready readyAfter after it appears (never,
// when readyAfter is negative) and removes deleted pods at once. Its
// AfterStep, when set, runs after every step of the loop.
type env struct {
	*clienttest.Env
	t          *testing.T
	v          *loop.Virtual
	api        *client.Client
	ctrl       *Controller
	readyAfter time.Duration
	// conflicts counts 409 answers to the Deployment controller's writes
	// to Deployments. (Its ReplicaSet writes meet some when its cache lags
	// its own last write; the 409 is what keeps that lag harmless.)
	conflicts int
}

// Do is the Deployment controller's transport: the API server, counting
// conflicts on the way.
func (e *env) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	resp, err := e.Transport.Do(ctx, req)
	if err == nil && resp.Code == 409 && strings.Contains(req.Path, "/deployments/") {
		e.conflicts++
	}
	return resp, err
}

func newEnv(t *testing.T, readyAfter time.Duration) *env {
	t.Helper()
	ce := clienttest.New(t, 1, 2)
	v, c := ce.Loop, ce.Client
	e := &env{Env: ce, t: t, v: v, api: c, readyAfter: readyAfter}
	e.ctrl = New(Config{Loop: v, Client: client.New(e), Recorder: client.NewRecorder(v, c, "deployment-controller", "")})
	rsc := replicaset.New(replicaset.Config{Loop: v, Client: c, Recorder: client.NewRecorder(v, c, "replicaset-controller", "")})
	kubelet := client.NewInformer[*api.Pod](v, c, "", client.ListOptions{})
	kubelet.AddHandlers(client.Handlers[*api.Pod]{Add: e.podAdded, Update: func(_, p *api.Pod) { e.podUpdated(p) }})
	kubelet.Start()
	rsc.Start()
	e.ctrl.Start()
	e.Settle()
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
		if err := e.MarkReady(fresh); err != nil {
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
	rss := clienttest.List[*api.ReplicaSet](e.t, e.api, "default")
	sortOldestFirst(rss)
	return rss
}

// allPods returns every pod, terminating ones too.
func (e *env) allPods() []*api.Pod {
	return clienttest.List[*api.Pod](e.t, e.api, "default")
}

// livePods returns the pods not being deleted.
func (e *env) livePods() []*api.Pod {
	var out []*api.Pod
	for _, p := range e.allPods() {
		if p.DeletionTimestamp == nil {
			out = append(out, p)
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
