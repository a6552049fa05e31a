package namespace

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/rest"
)

// transport can fail the controller's deletes of one kind with a 500.
type transport struct {
	*clienttest.Transport
	// failDeletes is a path fragment ("/configmaps/"); deletes whose path
	// holds it fail while it is set.
	failDeletes string
	// calls counts the controller's requests by method.
	calls map[string]int
}

func (t *transport) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	t.calls[req.Method]++
	if req.Method == http.MethodDelete && t.failDeletes != "" && strings.Contains(req.Path, t.failDeletes) {
		body := []byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected failure","reason":"InternalError","code":500}`)
		return &rest.Response{Code: 500, ContentType: rest.ContentJSON, Body: body}, nil
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
	tr := &transport{Transport: ce.Transport, calls: map[string]int{}}
	ctrl := New(Config{Loop: ce.Loop, Client: client.New(tr)})
	ctrl.Start()
	e := &env{Env: ce, t: t, tr: tr, api: ce.Client, ctrl: ctrl}
	e.Settle()
	return e
}

func (e *env) createNamespace(name string) *api.Namespace {
	e.t.Helper()
	ns, err := client.For[*api.Namespace](e.api).Create(context.Background(), &api.Namespace{ObjectMeta: api.ObjectMeta{Name: name}}, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create namespace %s: %v", name, err)
	}
	return ns
}

func (e *env) deleteNamespace(name string) {
	e.t.Helper()
	if _, err := client.For[*api.Namespace](e.api).Delete(context.Background(), "", name, client.DeleteOptions{}); err != nil {
		e.t.Fatalf("delete namespace %s: %v", name, err)
	}
}

// namespace returns the namespace called name, or nil when it is gone.
func (e *env) namespace(name string) *api.Namespace {
	e.t.Helper()
	ns, err := client.For[*api.Namespace](e.api).Get(context.Background(), "", name)
	if api.IsNotFound(err) {
		return nil
	}
	if err != nil {
		e.t.Fatalf("get namespace %s: %v", name, err)
	}
	return ns
}

// create stores obj through the test's own client.
func create[T api.Object](e *env, obj T) T {
	e.t.Helper()
	out, err := client.For[T](e.api).Create(context.Background(), obj, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create %s: %v", obj.GetObjectMeta().Name, err)
	}
	return out
}

// content lists the names of the objects left in ns, as "kind/name",
// across every namespaced kind.
func (e *env) content(ns string) []string {
	e.t.Helper()
	var out []string
	for _, res := range api.Resources() {
		if !res.Namespaced || res.Virtual {
			continue
		}
		l, err := client.Dynamic(e.api, res).List(context.Background(), ns, client.ListOptions{})
		if err != nil {
			e.t.Fatalf("list %s: %v", res.Plural, err)
		}
		for _, obj := range l.Items {
			out = append(out, res.Plural+"/"+obj.GetObjectMeta().Name)
		}
	}
	return out
}

// conditionSummary returns ns's conditions as "Type=Status Reason: Message".
func conditionSummary(ns *api.Namespace) []string {
	if ns == nil {
		return nil
	}
	var out []string
	for _, c := range ns.Status.Conditions {
		out = append(out, c.Type+"="+string(c.Status)+" "+c.Reason+": "+c.Message)
	}
	return out
}

func pod(ns, name, node string) *api.Pod {
	return &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns},
		Spec: api.PodSpec{NodeName: node, Containers: []api.Container{{Name: "c", Image: "busybox"}}}}
}

func configMap(ns, name string, finalizers ...string) *api.ConfigMap {
	return &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns, Finalizers: finalizers}}
}
