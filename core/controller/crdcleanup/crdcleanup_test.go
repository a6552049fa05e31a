package crdcleanup

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// transport can fail the controller's deletes with a 500.
type transport struct {
	*clienttest.Transport
	failDeletes bool
}

func (t *transport) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	if req.Method == http.MethodDelete && t.failDeletes {
		body := []byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected failure","reason":"InternalError","code":500}`)
		return &rest.Response{Code: 500, ContentType: rest.ContentJSON, Body: body}, nil
	}
	return t.Transport.Do(ctx, req)
}

type env struct {
	*clienttest.Env
	t   *testing.T
	tr  *transport
	api *client.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ce := clienttest.New(t, 1, 2)
	tr := &transport{Transport: ce.Transport}
	New(Config{Loop: ce.Loop, Client: client.New(tr)}).Start()
	e := &env{Env: ce, t: t, tr: tr, api: ce.Client}
	e.Settle()
	return e
}

var crds = func(c *client.Client) client.Resource[*api.CustomResourceDefinition] {
	return client.For[*api.CustomResourceDefinition](c)
}

// define creates a namespaced definition of kind in example.com and
// returns its resource.
func (e *env) define(kind, plural string) (*api.CustomResourceDefinition, *api.Resource) {
	e.t.Helper()
	yes := true
	crd := &api.CustomResourceDefinition{ObjectMeta: api.ObjectMeta{Name: plural + ".example.com"},
		Spec: api.CustomResourceDefinitionSpec{Group: "example.com", Scope: api.NamespaceScoped,
			Names: api.CustomResourceDefinitionNames{Plural: plural, Kind: kind},
			Versions: []api.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
				Schema: &api.CustomResourceValidation{OpenAPIV3Schema: &api.JSONSchemaProps{Type: "object", XPreserveUnknownFields: &yes}}}}}}
	out, err := crds(e.api).Create(context.Background(), crd, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create CRD %s: %v", crd.Name, err)
	}
	if rs := api.ResourcesFromCRD(out); len(rs) > 0 {
		return out, rs[0]
	}
	return out, nil
}

func (e *env) createCustom(res *api.Resource, ns, name string, finalizers ...string) {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"apiVersion": res.APIVersion(), "kind": res.Kind,
		"metadata": map[string]any{"name": name, "finalizers": append([]string{}, finalizers...)}})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := client.Dynamic(e.api, res).CreateRaw(context.Background(), ns, body, client.WriteOptions{}); err != nil {
		e.t.Fatalf("create %s %s/%s: %v", res.Kind, ns, name, err)
	}
}

func (e *env) deleteCRD(name string) {
	e.t.Helper()
	if _, err := crds(e.api).Delete(context.Background(), "", name, client.DeleteOptions{}); err != nil {
		e.t.Fatalf("delete CRD %s: %v", name, err)
	}
}

// crd returns the definition called name, or nil once it is gone.
func (e *env) crd(name string) *api.CustomResourceDefinition {
	e.t.Helper()
	crd, err := crds(e.api).Get(context.Background(), "", name)
	if api.IsNotFound(err) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return crd
}

// stored returns the store keys under prefix.
func (e *env) stored(prefix string) []string {
	e.t.Helper()
	l, err := e.Store.List(context.Background(), prefix, store.ListOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, kv := range l.KVs {
		out = append(out, strings.TrimPrefix(kv.Key, prefix))
	}
	return out
}

func conditions(crd *api.CustomResourceDefinition) []string {
	var out []string
	for _, c := range crd.Status.Conditions {
		out = append(out, c.Type+"="+string(c.Status)+" "+c.Reason+": "+c.Message)
	}
	return out
}

// TestDeletesInstancesThenDefinition: deleting a definition deletes its
// objects in every namespace, reports one held by a finalizer in the
// Terminating condition (Established stays), and once that one goes
// removes the finalizer: the definition and every stored object are gone.
func TestDeletesInstancesThenDefinition(t *testing.T) {
	e := newEnv(t)
	_, widgets := e.define("Widget", "widgets")
	e.createCustom(widgets, "default", "w1")
	e.createCustom(widgets, "kube-system", "w2")
	e.createCustom(widgets, "default", "held", "example.com/hold")
	e.deleteCRD("widgets.example.com")
	e.RunFor(10 * time.Second)

	crd := e.crd("widgets.example.com")
	if crd == nil {
		t.Fatalf("definition gone while one of its Widgets is held by a finalizer")
	}
	want := []string{
		"NamesAccepted=True NoConflicts: no conflicts found",
		"Established=True InitialNamesAccepted: the initial names have been accepted",
		"Terminating=True InstanceDeletionCheck: could not confirm zero CustomResources remaining: 1 widgets.example.com remain (finalizers: example.com/hold)",
	}
	if diff := cmp.Diff(want, conditions(crd)); diff != "" {
		t.Errorf("conditions while a Widget is held (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"default/held"}, e.stored(widgets.StoragePrefix())); diff != "" {
		t.Errorf("stored Widgets while one is held (-want +got):\n%s", diff)
	}
	ctx := context.Background()
	held, err := client.Dynamic(e.api, widgets).Get(ctx, "default", "held")
	if err != nil {
		t.Fatal(err)
	}
	held.GetObjectMeta().Finalizers = nil
	if _, err := client.Dynamic(e.api, widgets).Update(ctx, held, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(MaxBackoff + time.Second)
	if crd := e.crd("widgets.example.com"); crd != nil {
		t.Errorf("definition still there once its Widgets went: %v", conditions(crd))
	}
	if got := e.stored(widgets.StoragePrefix()); len(got) != 0 {
		t.Errorf("stored Widgets after the definition went = %v, want none", got)
	}
}

// TestEmptyDefinitionGoesAtOnce: a definition without objects is removed
// within a moment of its deletion.
func TestEmptyDefinitionGoesAtOnce(t *testing.T) {
	e := newEnv(t)
	e.define("Widget", "widgets")
	e.deleteCRD("widgets.example.com")
	e.RunFor(time.Second)
	if crd := e.crd("widgets.example.com"); crd != nil {
		t.Errorf("empty definition still there 1s after its deletion: %v", conditions(crd))
	}
}

// TestDeleteFailureIsReportedAndRetried: failing deletes are reported as
// InstanceDeletionFailed, and retried until they work.
func TestDeleteFailureIsReportedAndRetried(t *testing.T) {
	e := newEnv(t)
	_, widgets := e.define("Widget", "widgets")
	e.createCustom(widgets, "default", "w1")
	e.tr.failDeletes = true
	e.deleteCRD("widgets.example.com")
	e.RunFor(5 * time.Second)
	crd := e.crd("widgets.example.com")
	if crd == nil {
		t.Fatalf("definition gone while its Widget could not be deleted")
	}
	c := crd.Status.Condition(api.CRDTerminating)
	if c == nil || c.Status != api.ConditionTrue || c.Reason != reasonFailed || !strings.Contains(c.Message, "could not issue all deletes: default/w1: ") {
		t.Errorf("Terminating condition = %+v, want True %s naming default/w1", c, reasonFailed)
	}
	e.tr.failDeletes = false
	e.RunFor(MaxBackoff + time.Second)
	if crd := e.crd("widgets.example.com"); crd != nil {
		t.Errorf("definition still there once deletes work again: %v", conditions(crd))
	}
}

// TestNeverEstablished: a definition whose names were never accepted
// serves nothing, so it has nothing to delete: it goes, and says why.
func TestNeverEstablished(t *testing.T) {
	e := newEnv(t)
	e.define("Widget", "widgets")
	crd, res := e.define("Widget", "gizmos") // the kind is taken
	if res != nil || crd.Status.IsTrue(api.CRDEstablished) {
		t.Fatalf("gizmos.example.com with a taken kind was accepted: %v", conditions(crd))
	}
	e.deleteCRD("gizmos.example.com")
	e.RunFor(time.Second)
	if crd := e.crd("gizmos.example.com"); crd != nil {
		t.Errorf("never-established definition still there 1s after its deletion: %v", conditions(crd))
	}
	if e.crd("widgets.example.com") == nil {
		t.Errorf("the other definition went too")
	}
}
