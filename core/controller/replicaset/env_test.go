package replicaset

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/rest"
)

var t0 = clienttest.Start

// transport fails chosen pod creations and otherwise hands requests to the
// shared test transport, which can hold back watch events.
type transport struct {
	*clienttest.Transport
	// creates counts pod creation attempts; failCreate[n] fails the n-th
	// (1-based) with a 500.
	creates    int
	failCreate map[int]bool
}

func (t *transport) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	if req.Method == http.MethodPost && strings.HasSuffix(req.Path, "/pods") {
		t.creates++
		if t.failCreate[t.creates] {
			body := []byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected failure","reason":"InternalError","code":500}`)
			return &rest.Response{Code: 500, ContentType: rest.ContentJSON, Body: body}, nil
		}
	}
	return t.Transport.Do(ctx, req)
}

type env struct {
	*clienttest.Env
	t    *testing.T
	v    *loop.Virtual
	tr   *transport
	api  *client.Client // the test's own view, never held back
	ctrl *Controller
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ce := clienttest.New(t, 1, 2)
	v := ce.Loop
	tr := &transport{Transport: ce.Transport, failCreate: map[int]bool{}}
	c := client.New(tr)
	ctrl := New(Config{Loop: v, Client: c, Recorder: client.NewRecorder(v, c, "replicaset-controller", "")})
	ctrl.Start()
	e := &env{Env: ce, t: t, v: v, tr: tr, api: ce.Client, ctrl: ctrl}
	e.Settle()
	return e
}

func (e *env) createRS(name string, replicas int32, mutate func(*api.ReplicaSet)) *api.ReplicaSet {
	e.t.Helper()
	rs := &api.ReplicaSet{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.ReplicaSetSpec{
			Replicas: &replicas,
			Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: api.PodTemplateSpec{
				ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": name}, Annotations: map[string]string{"note": "from-template"}},
				Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "nginx:1"}}},
			},
		},
	}
	if mutate != nil {
		mutate(rs)
	}
	out, err := client.For[*api.ReplicaSet](e.api).Create(context.Background(), rs, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create ReplicaSet %s: %v", name, err)
	}
	return out
}

func (e *env) getRS(name string) *api.ReplicaSet {
	e.t.Helper()
	rs, err := client.For[*api.ReplicaSet](e.api).Get(context.Background(), "default", name)
	if err != nil {
		e.t.Fatalf("get ReplicaSet %s: %v", name, err)
	}
	return rs
}

func (e *env) scale(name string, replicas int32) {
	e.t.Helper()
	rs := e.getRS(name)
	rs.Spec.Replicas = &replicas
	if _, err := client.For[*api.ReplicaSet](e.api).Update(context.Background(), rs, client.WriteOptions{}); err != nil {
		e.t.Fatalf("scale %s to %d: %v", name, replicas, err)
	}
}

func (e *env) pods() []*api.Pod {
	return clienttest.List[*api.Pod](e.t, e.api, "default")
}

// ownedBy returns the pods whose controller reference is rs, not being
// deleted.
func (e *env) ownedBy(rs *api.ReplicaSet) []*api.Pod {
	var out []*api.Pod
	for _, p := range e.pods() {
		if p.IsControlledBy(rs.UID) && p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

func (e *env) createPod(name string, labels map[string]string, mutate func(*api.Pod)) *api.Pod {
	e.t.Helper()
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", Labels: labels},
		Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "nginx:1"}}}}
	if mutate != nil {
		mutate(p)
	}
	out, err := client.For[*api.Pod](e.api).Create(context.Background(), p, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create pod %s: %v", name, err)
	}
	return out
}

// markReady sets a pod Running and Ready as of now, as a kubelet would.
func (e *env) markReady(p *api.Pod) {
	e.t.Helper()
	if err := e.MarkReady(p); err != nil {
		e.t.Fatalf("mark %s ready: %v", p.Name, err)
	}
}

func names(pods []*api.Pod) []string {
	out := make([]string, len(pods))
	for i, p := range pods {
		out[i] = p.Name
	}
	return out
}
