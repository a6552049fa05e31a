package database

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/controller/garbagecollector"
	"github.com/tinykube/tinykube/core/controller/statefulset"
)

// env is an API server with the Database CRD, a StatefulSet controller
// and the operator; the test plays the kubelet (markAllReady).
type env struct {
	*clienttest.Env
	t   *testing.T
	dbs client.Resource[*Database]
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ce := clienttest.New(t, 1, 2)
	ctx := context.Background()
	if _, err := client.For[*api.CustomResourceDefinition](ce.Client).Create(ctx, CRD(), client.WriteOptions{}); err != nil {
		t.Fatalf("create the CRD: %v", err)
	}
	c := client.New(ce.Transport)
	statefulset.New(statefulset.Config{Loop: ce.Loop, Client: c, Recorder: client.NewRecorder(ce.Loop, c, "statefulset-controller", "")}).Start()
	// The collector deletes what a deleted Database owned.
	garbagecollector.New(garbagecollector.Config{Loop: ce.Loop, Client: c}).Start()
	op := New(Config{Loop: ce.Loop, Client: c})
	op.Start()
	e := &env{Env: ce, t: t, dbs: client.ForResource[*Database](ce.Client, Resource())}
	e.AfterStep = func() {
		v := e.view()
		for _, inv := range Invariants() {
			if inv.Settled || inv.Name == "database-status-observed" {
				continue
			}
			if err := inv.Check(v); err != nil {
				t.Fatalf("at %v: %s: %v", e.Loop.Now().Sub(clienttest.Start), inv.Name, err)
			}
		}
	}
	e.Settle()
	return e
}

// view lists the store's state for the invariants (EverReady is not
// tracked here).
func (e *env) view() *View {
	return &View{
		Databases:    e.databases(),
		Pods:         clienttest.List[*api.Pod](e.t, e.Client, ""),
		ConfigMaps:   clienttest.List[*api.ConfigMap](e.t, e.Client, ""),
		Services:     clienttest.List[*api.Service](e.t, e.Client, ""),
		StatefulSets: clienttest.List[*api.StatefulSet](e.t, e.Client, ""),
	}
}

func (e *env) databases() []*Database {
	e.t.Helper()
	l, err := e.dbs.List(context.Background(), "", client.ListOptions{})
	if err != nil {
		e.t.Fatalf("list databases: %v", err)
	}
	return l.Items
}

// markAllReady plays the kubelet: every pod of the namespace that is not
// ready and not being deleted becomes Running and Ready.
func (e *env) markAllReady() {
	e.t.Helper()
	for _, p := range clienttest.List[*api.Pod](e.t, e.Client, "default") {
		if p.DeletionTimestamp == nil && !api.IsPodReady(p) {
			if err := e.MarkReady(p); err != nil {
				e.t.Fatalf("mark %s ready: %v", p.Name, err)
			}
		}
	}
	e.Settle()
}

func (e *env) get(name string) *Database {
	e.t.Helper()
	db, err := e.dbs.Get(context.Background(), "default", name)
	if err != nil {
		e.t.Fatalf("get database %s: %v", name, err)
	}
	return db
}

func (e *env) catalog() map[string]string {
	cm, err := client.For[*api.ConfigMap](e.Client).Get(context.Background(), "default", CatalogName)
	if api.IsNotFound(err) {
		return nil
	}
	if err != nil {
		e.t.Fatalf("get the catalog: %v", err)
	}
	return cm.Data
}

func (e *env) primaries() []string {
	var out []string
	for _, p := range clienttest.List[*api.Pod](e.t, e.Client, "default") {
		if p.Labels[RoleLabel] == RolePrimary {
			out = append(out, p.Name)
		}
	}
	return out
}

// TestDatabaseLifecycle: a Database gets its objects, a primary, a
// catalog entry and a true status; losing the primary promotes the
// lowest ready replica; deleting the Database removes its catalog entry
// (the finalizer) and its objects.
func TestDatabaseLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	db := &Database{ObjectMeta: api.ObjectMeta{Name: "orders", Namespace: "default"},
		Spec: Spec{Replicas: 3, Image: "busybox", Command: []string{"httpd", "-f", "-p", "8080"}, Config: map[string]string{"max_connections": "10"}}}
	if _, err := e.dbs.Create(ctx, db, client.WriteOptions{}); err != nil {
		t.Fatalf("create database: %v", err)
	}
	e.RunFor(time.Second)
	if n := len(clienttest.List[*api.Pod](t, e.Client, "default")); n != 3 {
		t.Fatalf("pods after create = %d, want 3", n)
	}
	e.markAllReady()
	e.RunFor(time.Second)
	got := e.get("orders")
	if got.Status.Primary != "orders-0" || got.Status.ReadyReplicas != 3 || got.Status.Phase != PhaseRunning || got.Status.ObservedGeneration != got.Generation {
		t.Fatalf("status = %+v, want primary orders-0, 3 ready, Running, observedGeneration %d", got.Status, got.Generation)
	}
	if p := e.primaries(); len(p) != 1 || p[0] != "orders-0" {
		t.Fatalf("primaries = %v, want [orders-0]", p)
	}
	if c, want := e.catalog()["orders"], Address("default", "orders", "orders-0"); c != want {
		t.Fatalf("catalog[orders] = %q, want %q", c, want)
	}

	// Failover: the primary's pod is deleted (and replaced by the
	// StatefulSet, not ready yet): orders-1 takes over.
	if _, err := client.For[*api.Pod](e.Client).Delete(ctx, "default", "orders-0", client.DeleteOptions{GracePeriodSeconds: new(int64)}); err != nil {
		t.Fatalf("delete orders-0: %v", err)
	}
	e.RunFor(2 * time.Second)
	if got := e.get("orders").Status.Primary; got != "orders-1" {
		t.Fatalf("primary after losing orders-0 = %q, want orders-1", got)
	}
	if p := e.primaries(); len(p) != 1 || p[0] != "orders-1" {
		t.Fatalf("primaries = %v, want [orders-1]", p)
	}
	e.markAllReady()
	e.RunFor(time.Second)
	if st := e.get("orders").Status; st.ReadyReplicas != 3 || st.Primary != "orders-1" {
		t.Fatalf("status after the replacement is ready = %+v, want 3 ready, primary orders-1", st)
	}
	if c, want := e.catalog()["orders"], Address("default", "orders", "orders-1"); c != want {
		t.Fatalf("catalog[orders] after failover = %q, want %q", c, want)
	}

	if _, err := e.dbs.Delete(ctx, "default", "orders", client.DeleteOptions{}); err != nil {
		t.Fatalf("delete database: %v", err)
	}
	e.RunFor(2 * time.Second)
	if _, err := e.dbs.Get(ctx, "default", "orders"); !api.IsNotFound(err) {
		t.Fatalf("get after delete: err = %v, want NotFound", err)
	}
	if c := e.catalog(); len(c) != 0 {
		t.Fatalf("catalog after delete = %v, want empty", c)
	}
	if err := cleanupDone(e.view()); err != nil {
		t.Fatalf("cleanup: %v", err)
	}
}

// TestExampleCRDIsTheEmbeddedOne: examples/operators/database/crd.yaml,
// which users apply, is the definition the operator is built for.
func TestExampleCRDIsTheEmbeddedOne(t *testing.T) {
	b, err := os.ReadFile("../../../examples/operators/database/crd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, CRDYAML()) {
		t.Errorf("examples/operators/database/crd.yaml differs from core/operator/database/crd.yaml: copy one over the other")
	}
	if crd := CRD(); crd.Name != Plural+"."+Group || crd.Spec.Names.Kind != Kind {
		t.Errorf("CRD() = %s kind %s, want %s.%s kind %s", crd.Name, crd.Spec.Names.Kind, Plural, Group, Kind)
	}
}
