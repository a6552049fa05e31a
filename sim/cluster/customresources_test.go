package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/sim/scenario"
)

// crdBase defines Widgets and a namespace holding some; the faults delete
// a ConfigMap that owns a Widget, then the namespace and the definition.
const crdBase = `
name: custom-resources
duration: 60s
cluster:
  nodes: 1
  capacity: {cpu: "4", memory: 8Gi, pods: "20"}
  apiServers: %d
  cacheLag: 200ms
objects:
- apiVersion: apiextensions.k8s.io/v1
  kind: CustomResourceDefinition
  metadata: {name: widgets.example.com}
  spec:
    group: example.com
    scope: Namespaced
    names: {plural: widgets, singular: widget, kind: Widget}
    versions:
    - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
- apiVersion: v1
  kind: Namespace
  metadata: {name: team}
- apiVersion: example.com/v1
  kind: Widget
  metadata: {name: w1, namespace: team}
- apiVersion: example.com/v1
  kind: Widget
  metadata: {name: w2, namespace: team}
faults:
- {at: 5s, action: delete, kind: configmap, name: owner}
- {at: 10s, action: delete, kind: namespace, name: team}
- {at: 15s, action: delete, kind: crd, name: widgets.example.com}
%s
liveness: {within: 40s}
`

// ownedBy returns an owner reference to obj (of apiVersion and kind).
func ownedBy(apiVersion, kind string, obj api.Object) []map[string]any {
	m := obj.GetObjectMeta()
	return []map[string]any{{"apiVersion": apiVersion, "kind": kind, "name": m.Name, "uid": m.UID}}
}

// customOwnership creates, through the admin, a ConfigMap "owner" owning
// the Widget "owned", and the Widget "parent" owning the ConfigMap "child"
// (all in default).
func customOwnership(t *testing.T, c *Cluster) {
	t.Helper()
	ctx := context.Background()
	widgets, err := c.resourceFor("example.com/v1", "Widget")
	if err != nil || widgets == nil {
		t.Fatalf("Widget not served after its definition: %v", err)
	}
	create := func(res *api.Resource, obj map[string]any) api.Object {
		t.Helper()
		body, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		out, err := client.Dynamic(c.Admin, res).CreateRaw(ctx, "default", body, client.WriteOptions{})
		if err != nil {
			t.Fatalf("create %s: %v", body, err)
		}
		return out
	}
	cms := api.ResourceByPlural("", "configmaps")
	owner := create(cms, map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "owner"}})
	create(widgets, map[string]any{"apiVersion": "example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "owned", "ownerReferences": ownedBy("v1", "ConfigMap", owner)}})
	parent := create(widgets, map[string]any{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": map[string]any{"name": "parent"}})
	create(cms, map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "child", "ownerReferences": ownedBy("example.com/v1", "Widget", parent)}})
}

func crdScenario(t *testing.T, servers int, more string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Parse([]byte(fmt.Sprintf(crdBase, servers, more)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCustomResourcesLifecycle: a Widget owned by a ConfigMap is
// collected when the ConfigMap goes; deleting a namespace deletes its
// Widgets; deleting the definition deletes the remaining Widgets and, by
// the collector, the ConfigMap a Widget owned — with every invariant
// holding, and liveness (customResourcesLive among it) reached. Under the
// random fault profile too, over several seeds, and with three API
// servers whose caches lag.
func TestCustomResourcesLifecycle(t *testing.T) {
	for _, tc := range []struct {
		name    string
		servers int
		more    string
		seeds   uint64
	}{
		{"calm", 1, "", 1},
		{"profile", 1, "profile: {window: 20s, maxDowntime: 8s, partitions: 1, watchCuts: 1, processCrashes: 1}", 3},
		{"ha", 3, "profile: {window: 20s, maxDowntime: 8s, partitions: 1, watchCuts: 1, serverCrashes: 1}", 3},
	} {
		for seed := uint64(1); seed <= tc.seeds; seed++ {
			t.Run(fmt.Sprintf("%s/seed=%d", tc.name, seed), func(t *testing.T) {
				c, err := New(crdScenario(t, tc.servers, tc.more), seed)
				if err != nil {
					t.Fatal(err)
				}
				customOwnership(t, c)
				r := c.Run()
				if r.Violation != nil {
					t.Fatalf("seed %d: %v\n%s", seed, r.Violation, lastLines(timeline(c), 40))
				}
				if r.Converged < 0 {
					t.Fatalf("seed %d: liveness never checked or never held", seed)
				}
				ctx := context.Background()
				cms := client.For[*api.ConfigMap](c.Admin)
				for name, want := range map[string]bool{"owner": false, "child": false} {
					_, err := cms.Get(ctx, "default", name)
					if got := err == nil; got != want {
						t.Errorf("ConfigMap default/%s exists = %v at the end, want %v (err %v)", name, got, want, err)
					}
				}
				if l, err := c.Store.List(ctx, "/registry/example.com/", store.ListOptions{}); err != nil || len(l.KVs) != 0 {
					t.Errorf("Widgets stored at the end: %d (err %v), want none", len(l.KVs), err)
				}
				if _, err := client.For[*api.CustomResourceDefinition](c.Admin).Get(ctx, "", "widgets.example.com"); !api.IsNotFound(err) {
					t.Errorf("definition widgets.example.com at the end: %v, want NotFound", err)
				}
				t.Logf("converged %v after the last fault; %d steps, %d calls", r.Converged, r.Steps, r.Calls)
				if _, err := client.For[*api.Namespace](c.Admin).Get(ctx, "", "team"); !api.IsNotFound(err) {
					t.Errorf("namespace team at the end: %v, want NotFound", err)
				}
			})
		}
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
