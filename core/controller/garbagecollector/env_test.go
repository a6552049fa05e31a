package garbagecollector

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/controller/deployment"
	"github.com/tinykube/tinykube/core/controller/replicaset"
	"github.com/tinykube/tinykube/core/rest"
)

// env is an API server in process with the collector under test (on
// Env.Transport, so its informers can be held back), the real Deployment
// and ReplicaSet controllers, and a pretend kubelet that binds every pod
// and removes a terminating pod two seconds after its delete.
type env struct {
	*clienttest.Env
	t   *testing.T
	api *client.Client
	gc  *Controller
	// staleAt, when not 0, makes the API answer the collector's lists at
	// that revision, as a time-travelling API cache would.
	staleAt int64
}

// Do is the collector's transport.
func (e *env) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	if e.staleAt != 0 && req.Method == http.MethodGet && req.Query.Get("watch") == "" {
		cp := *req
		cp.Query = url.Values{}
		for k, v := range req.Query {
			cp.Query[k] = v
		}
		cp.Query.Set("resourceVersion", strconv.FormatInt(e.staleAt, 10))
		cp.Query.Set("resourceVersionMatch", "Exact")
		req = &cp
	}
	return e.Transport.Do(ctx, req)
}

const terminateAfter = 2 * time.Second

func newEnv(t *testing.T) *env {
	t.Helper()
	ce := clienttest.New(t, 1, 2)
	v, c := ce.Loop, ce.Client
	e := &env{Env: ce, t: t, api: c}
	gcClient := client.New(e)
	e.gc = New(Config{Loop: v, Client: gcClient, Recorder: client.NewRecorder(v, gcClient, "garbage-collector", "")})
	dc := deployment.New(deployment.Config{Loop: v, Client: c, Recorder: client.NewRecorder(v, c, "deployment-controller", "")})
	rsc := replicaset.New(replicaset.Config{Loop: v, Client: c, Recorder: client.NewRecorder(v, c, "replicaset-controller", "")})
	kubelet := client.NewInformer[*api.Pod](v, c, "", client.ListOptions{})
	kubelet.AddHandlers(client.Handlers[*api.Pod]{Add: e.kubelet, Update: func(_, p *api.Pod) { e.kubelet(p) }})
	kubelet.Start()
	rsc.Start()
	dc.Start()
	e.gc.Start()
	e.Settle()
	return e
}

func (e *env) kubelet(p *api.Pod) {
	ctx := context.Background()
	switch {
	case p.Spec.NodeName == "" && p.DeletionTimestamp == nil:
		if err := client.Bind(ctx, e.api, p.Namespace, p.Name, p.UID, "node-1"); err != nil {
			e.t.Errorf("kubelet: bind %s: %v", p.Name, err)
		}
	case p.DeletionTimestamp != nil && p.DeletionGracePeriodSeconds != nil && *p.DeletionGracePeriodSeconds > 0:
		ns, name, uid := p.Namespace, p.Name, p.UID
		e.Loop.After(terminateAfter, func() {
			zero := int64(0)
			_, err := client.For[*api.Pod](e.api).Delete(ctx, ns, name, client.DeleteOptions{GracePeriodSeconds: &zero, UID: uid})
			if err != nil && !api.IsNotFound(err) && !api.IsConflict(err) {
				e.t.Errorf("kubelet: remove %s: %v", name, err)
			}
		})
	}
}

func (e *env) createDeployment(name string, replicas int32) *api.Deployment {
	e.t.Helper()
	d := &api.Deployment{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.DeploymentSpec{
			Replicas: &replicas,
			Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: api.PodTemplateSpec{
				ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "nginx:1"}}},
			},
		},
	}
	out, err := client.For[*api.Deployment](e.api).Create(context.Background(), d, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create Deployment %s: %v", name, err)
	}
	e.RunFor(time.Second)
	if rs, pods := e.replicaSets(), e.pods(); len(rs) != 1 || len(pods) != int(replicas) {
		e.t.Fatalf("after creating Deployment %s: %d ReplicaSets and %d pods, want 1 and %d", name, len(rs), len(pods), replicas)
	}
	return out
}

// deleteWith deletes an object through the API with a propagation policy
// ("" for none).
func (e *env) deleteWith(res *api.Resource, name, policy string) {
	e.t.Helper()
	if _, err := client.Dynamic(e.api, res).Delete(context.Background(), "default", name, client.DeleteOptions{PropagationPolicy: policy}); err != nil {
		e.t.Fatalf("delete %s %s (propagationPolicy %q): %v", res.Kind, name, policy, err)
	}
}

func (e *env) replicaSets() []*api.ReplicaSet {
	return clienttest.List[*api.ReplicaSet](e.t, e.api, "default")
}

func (e *env) pods() []*api.Pod {
	return clienttest.List[*api.Pod](e.t, e.api, "default")
}

func (e *env) deployment(name string) (*api.Deployment, bool) {
	e.t.Helper()
	d, err := client.For[*api.Deployment](e.api).Get(context.Background(), "default", name)
	if api.IsNotFound(err) {
		return nil, false
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return d, true
}

func (e *env) createConfigMap(name string, owners ...api.Object) *api.ConfigMap {
	e.t.Helper()
	cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", OwnerReferences: refs(owners...)}}
	out, err := client.For[*api.ConfigMap](e.api).Create(context.Background(), cm, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create ConfigMap %s: %v", name, err)
	}
	return out
}

func (e *env) exists(res *api.Resource, name string) bool {
	e.t.Helper()
	_, err := client.Dynamic(e.api, res).Get(context.Background(), "default", name)
	if err != nil && !api.IsNotFound(err) {
		e.t.Fatal(err)
	}
	return err == nil
}

func refs(owners ...api.Object) []api.OwnerReference {
	var out []api.OwnerReference
	for _, o := range owners {
		res := api.ResourceOf(o)
		m := o.GetObjectMeta()
		out = append(out, api.OwnerReference{APIVersion: res.APIVersion(), Kind: res.Kind, Name: m.Name, UID: m.UID})
	}
	return out
}

var (
	configMaps  = api.ResourceByPlural("", "configmaps")
	secrets     = api.ResourceByPlural("", "secrets")
	deployments = api.ResourceByPlural("apps", "deployments")
)
