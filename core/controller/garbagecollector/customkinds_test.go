package garbagecollector

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// defineKind creates a namespaced CustomResourceDefinition of kind in
// group example.com, served at v1 (storage) and v1beta1, and returns the
// resource at v1.
func (e *env) defineKind(kind, plural string) *api.Resource {
	e.t.Helper()
	crd := &api.CustomResourceDefinition{ObjectMeta: api.ObjectMeta{Name: plural + ".example.com"},
		Spec: api.CustomResourceDefinitionSpec{Group: "example.com", Scope: api.NamespaceScoped,
			Names: api.CustomResourceDefinitionNames{Plural: plural, Kind: kind},
			Versions: []api.CustomResourceDefinitionVersion{
				{Name: "v1", Served: true, Storage: true, Schema: preserveUnknown()},
				{Name: "v1beta1", Served: true, Schema: preserveUnknown()},
			}}}
	out, err := client.For[*api.CustomResourceDefinition](e.api).Create(context.Background(), crd, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create CRD %s: %v", crd.Name, err)
	}
	e.RunFor(time.Second)
	for _, r := range api.ResourcesFromCRD(out) {
		if r.Version == "v1" {
			return r
		}
	}
	e.t.Fatalf("CRD %s serves no v1: %+v", crd.Name, out.Status)
	return nil
}

func preserveUnknown() *api.CustomResourceValidation {
	yes := true
	return &api.CustomResourceValidation{OpenAPIV3Schema: &api.JSONSchemaProps{Type: "object", XPreserveUnknownFields: &yes}}
}

// createCustom creates a custom object of res in default, owned by owners.
func (e *env) createCustom(res *api.Resource, name string, owners ...api.Object) api.Object {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"apiVersion": res.APIVersion(), "kind": res.Kind,
		"metadata": map[string]any{"name": name, "ownerReferences": ownerRefs(owners...)}, "spec": map[string]any{"size": 1}})
	if err != nil {
		e.t.Fatal(err)
	}
	out, err := client.Dynamic(e.api, res).CreateRaw(context.Background(), "default", body, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create %s %s: %v", res.Kind, name, err)
	}
	return out
}

// ownerRefs is refs for owners of any kind, custom ones included.
func ownerRefs(owners ...api.Object) []api.OwnerReference {
	out := []api.OwnerReference{}
	for _, o := range owners {
		apiVersion, kind := "", ""
		if u, ok := o.(*api.Unstructured); ok {
			apiVersion, kind = u.APIVersion, u.Kind
		} else {
			res := api.ResourceOf(o)
			apiVersion, kind = res.APIVersion(), res.Kind
		}
		m := o.GetObjectMeta()
		out = append(out, api.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: m.Name, UID: m.UID})
	}
	return out
}

func (e *env) createConfigMapOwnedBy(name string, owners ...api.Object) {
	e.t.Helper()
	cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", OwnerReferences: ownerRefs(owners...)}}
	if _, err := client.For[*api.ConfigMap](e.api).Create(context.Background(), cm, client.WriteOptions{}); err != nil {
		e.t.Fatalf("create ConfigMap %s: %v", name, err)
	}
}

// Deleting a custom object collects what it owns, with each propagation
// policy, as deleting a built-in owner does.
func TestCustomOwnerPropagation(t *testing.T) {
	for _, tc := range []struct {
		policy      string
		wantDepLeft bool
	}{
		{"", false},
		{"Background", false},
		{"Foreground", false},
		{"Orphan", true},
	} {
		t.Run("policy="+tc.policy, func(t *testing.T) {
			e := newEnv(t)
			widgets := e.defineKind("Widget", "widgets")
			w := e.createCustom(widgets, "w1")
			e.createConfigMapOwnedBy("cfg", w)
			e.RunFor(5 * time.Second)
			if !e.exists(configMaps, "cfg") {
				t.Fatalf("ConfigMap cfg owned by a live Widget was collected")
			}
			e.deleteWith(widgets, "w1", tc.policy)
			e.RunFor(30 * time.Second)
			if e.exists(widgets, "w1") {
				t.Errorf("Widget w1 still exists after a %q delete, want it gone", tc.policy)
			}
			if got := e.exists(configMaps, "cfg"); got != tc.wantDepLeft {
				t.Errorf("after a %q delete of its owner Widget: ConfigMap cfg exists = %v, want %v", tc.policy, got, tc.wantDepLeft)
			}
			if tc.wantDepLeft {
				cm, err := client.For[*api.ConfigMap](e.api).Get(context.Background(), "default", "cfg")
				if err != nil {
					t.Fatal(err)
				}
				if len(cm.OwnerReferences) != 0 {
					t.Errorf("orphaned ConfigMap cfg ownerReferences = %+v, want none", cm.OwnerReferences)
				}
			}
		})
	}
}

// A foreground delete of a custom owner waits for a dependent that blocks
// it: the owner stays, marked, while the dependent is held by a finalizer.
func TestCustomOwnerForegroundWaits(t *testing.T) {
	e := newEnv(t)
	widgets := e.defineKind("Widget", "widgets")
	w := e.createCustom(widgets, "w1")
	yes := true
	refs := ownerRefs(w)
	refs[0].BlockOwnerDeletion = &yes
	cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: "held", Namespace: "default", OwnerReferences: refs, Finalizers: []string{"example.com/hold"}}}
	if _, err := client.For[*api.ConfigMap](e.api).Create(context.Background(), cm, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(2 * time.Second)
	e.deleteWith(widgets, "w1", "Foreground")
	e.RunFor(20 * time.Second)
	got, err := client.Dynamic(e.api, widgets).Get(context.Background(), "default", "w1")
	if err != nil {
		t.Fatalf("Widget w1 gone while its blocking dependent is held: %v", err)
	}
	if m := got.GetObjectMeta(); m.DeletionTimestamp == nil || !slices.Contains(m.Finalizers, FinalizerForeground) {
		t.Errorf("Widget w1 = deleting %v finalizers %v, want marked with %q", m.DeletionTimestamp != nil, m.Finalizers, FinalizerForeground)
	}
	held, err := client.For[*api.ConfigMap](e.api).Get(context.Background(), "default", "held")
	if err != nil || held.DeletionTimestamp == nil {
		t.Fatalf("dependent held = %v (err %v), want it marked for deletion", held, err)
	}
	held.Finalizers = nil
	if _, err := client.For[*api.ConfigMap](e.api).Update(context.Background(), held, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(20 * time.Second)
	if e.exists(widgets, "w1") {
		t.Errorf("Widget w1 still exists once its dependent went, want it gone")
	}
}

// A custom object is collected when its owner goes, whether the owner is
// a built-in kind or another custom kind; its owner reference may name
// any version the definition serves.
func TestCustomDependentsAreCollected(t *testing.T) {
	e := newEnv(t)
	widgets := e.defineKind("Widget", "widgets")
	gadgets := e.defineKind("Gadget", "gadgets")
	d := e.createDeployment("web", 1)
	e.createCustom(widgets, "of-deployment", d)
	g := e.createCustom(gadgets, "g1")
	e.createCustom(widgets, "of-gadget", g)
	// Through v1beta1: the same Gadget.
	old := g.(*api.Unstructured)
	beta := &api.Unstructured{TypeMeta: api.TypeMeta{APIVersion: "example.com/v1beta1", Kind: "Gadget"}, ObjectMeta: old.ObjectMeta}
	e.createCustom(widgets, "of-gadget-beta", beta)
	e.RunFor(5 * time.Second)
	for _, name := range []string{"of-deployment", "of-gadget", "of-gadget-beta"} {
		if !e.exists(widgets, name) {
			t.Fatalf("Widget %s collected while its owner exists", name)
		}
	}
	e.deleteWith(deployments, "web", "")
	e.deleteWith(gadgets, "g1", "")
	e.RunFor(30 * time.Second)
	for _, name := range []string{"of-deployment", "of-gadget", "of-gadget-beta"} {
		if e.exists(widgets, name) {
			t.Errorf("Widget %s still exists after its owner was deleted, want it collected", name)
		}
	}
}

// A kind defined after the collector started is followed: its objects
// enter the graph, and a ConfigMap owned by one whose uid never existed
// is collected.
func TestKindDefinedLaterIsFollowed(t *testing.T) {
	e := newEnv(t)
	e.RunFor(10 * time.Second)
	widgets := e.defineKind("Widget", "widgets")
	w := e.createCustom(widgets, "w1")
	e.RunFor(2 * time.Second)
	if n := e.gc.graph.nodes[w.GetObjectMeta().UID]; n == nil {
		t.Errorf("Widget w1 is not in the graph 2s after its creation")
	}
	ghost := &api.Unstructured{TypeMeta: api.TypeMeta{APIVersion: "example.com/v1", Kind: "Widget"},
		ObjectMeta: api.ObjectMeta{Name: "ghost", UID: "0000-ghost"}}
	e.createConfigMapOwnedBy("dangling", ghost)
	e.createConfigMapOwnedBy("kept", w)
	e.RunFor(20 * time.Second)
	if e.exists(configMaps, "dangling") {
		t.Errorf("ConfigMap dangling, owned by a Widget that never existed, was not collected")
	}
	if !e.exists(configMaps, "kept") {
		t.Errorf("ConfigMap kept, owned by the live Widget w1, was collected")
	}
}

// Once a definition is deleted, a dependent of one of its objects is
// collected even if the collector never saw the owner go: the definition
// went only after its objects did. (Here the definition's finalizer is
// removed by hand, which is what the cleanup controller does last.)
func TestOwnerOfDeletedDefinitionIsGone(t *testing.T) {
	e := newEnv(t)
	e.defineKind("Widget", "widgets")
	ghost := &api.Unstructured{TypeMeta: api.TypeMeta{APIVersion: "example.com/v1", Kind: "Widget"},
		ObjectMeta: api.ObjectMeta{Name: "w1", UID: "0000-w1"}}
	crds := client.For[*api.CustomResourceDefinition](e.api)
	ctx := context.Background()
	if _, err := crds.Delete(ctx, "", "widgets.example.com", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	crd, err := crds.Get(ctx, "", "widgets.example.com")
	if err != nil {
		t.Fatal(err)
	}
	crd.Finalizers = nil
	if _, err := crds.Update(ctx, crd, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(2 * time.Second)
	if k := e.gc.kinds; !k.definitionGone("example.com/v1", "Widget") {
		t.Fatalf("definitionGone(Widget) = false after its definition was deleted, want true")
	}
	e.createConfigMapOwnedBy("dep", ghost)
	e.RunFor(20 * time.Second)
	if e.exists(configMaps, "dep") {
		t.Errorf("ConfigMap dep, owned by a Widget whose definition is gone, was not collected")
	}
}

// The workloads an operator creates for its custom object — a
// StatefulSet, a Job, a DaemonSet, a CronJob — are collected once their
// owner is gone, as a ConfigMap is.
func TestWorkloadsOwnedByACustomObjectAreCollected(t *testing.T) {
	e := newEnv(t)
	widgets := e.defineKind("Widget", "widgets")
	w := e.createCustom(widgets, "w1")
	refs := ownerRefs(w)
	meta := func(name string) api.ObjectMeta {
		return api.ObjectMeta{Name: name, Namespace: "default", OwnerReferences: refs}
	}
	tmpl := api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": "w"}},
		Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}}}
	sel := &api.LabelSelector{MatchLabels: map[string]string{"app": "w"}}
	ctx := context.Background()
	jobTmpl := tmpl
	jobTmpl.Spec.RestartPolicy = api.RestartNever
	for _, create := range []func() error{
		func() error {
			_, err := client.For[*api.StatefulSet](e.api).Create(ctx, &api.StatefulSet{ObjectMeta: meta("sts"), Spec: api.StatefulSetSpec{Selector: sel, Template: tmpl, ServiceName: "w"}}, client.WriteOptions{})
			return err
		},
		func() error {
			_, err := client.For[*api.DaemonSet](e.api).Create(ctx, &api.DaemonSet{ObjectMeta: meta("ds"), Spec: api.DaemonSetSpec{Selector: sel, Template: tmpl}}, client.WriteOptions{})
			return err
		},
		func() error {
			_, err := client.For[*api.Job](e.api).Create(ctx, &api.Job{ObjectMeta: meta("job"), Spec: api.JobSpec{Template: jobTmpl}}, client.WriteOptions{})
			return err
		},
		func() error {
			_, err := client.For[*api.CronJob](e.api).Create(ctx, &api.CronJob{ObjectMeta: meta("cron"), Spec: api.CronJobSpec{Schedule: "*/5 * * * *",
				JobTemplate: api.JobTemplateSpec{Spec: api.JobSpec{Template: jobTmpl}}}}, client.WriteOptions{})
			return err
		},
	} {
		if err := create(); err != nil {
			t.Fatal(err)
		}
	}
	e.RunFor(5 * time.Second)
	e.deleteWith(widgets, "w1", "")
	e.RunFor(30 * time.Second)
	for _, check := range []struct {
		kind string
		get  func() error
	}{
		{"StatefulSet", func() error { _, err := client.For[*api.StatefulSet](e.api).Get(ctx, "default", "sts"); return err }},
		{"DaemonSet", func() error { _, err := client.For[*api.DaemonSet](e.api).Get(ctx, "default", "ds"); return err }},
		{"Job", func() error { _, err := client.For[*api.Job](e.api).Get(ctx, "default", "job"); return err }},
		{"CronJob", func() error { _, err := client.For[*api.CronJob](e.api).Get(ctx, "default", "cron"); return err }},
	} {
		if err := check.get(); !api.IsNotFound(err) {
			t.Errorf("%s owned by the deleted Widget w1: get = %v, want NotFound (collected)", check.kind, err)
		}
	}
}
