package httpapi

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	restclient "k8s.io/client-go/rest"
)

var crontabs = schema.GroupVersionResource{Group: "stable.example.com", Version: "v1", Resource: "crontabs"}

// TestCustomResourceWithClientGo drives a custom resource with client-go
// as operators do: the apiextensions clientset creates the definition and
// reads its conditions, the discovery client finds the group, and the
// dynamic client creates, gets, lists, watches, updates, patches (merge
// and JSON patch), updates the status of and deletes a CronTab.
func TestCustomResourceWithClientGo(t *testing.T) {
	hs, _ := serveWithCRDs(t)
	cfg := &restclient.Config{Host: hs.URL}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	ext, err := apiextensionsclient.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := json.Unmarshal([]byte(crontabCRDJSON), &crd); err != nil {
		t.Fatal(err)
	}
	if _, err := ext.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, &crd, metav1.CreateOptions{}); err != nil {
		t.Fatalf("apiextensions clientset: create CRD: %v", err)
	}
	got, err := ext.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, crd.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("apiextensions clientset: get CRD: %v", err)
	}
	established := false
	for _, c := range got.Status.Conditions {
		established = established || (c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue)
	}
	if !established || got.Status.AcceptedNames.Kind != "CronTab" {
		t.Errorf("CRD status = %+v, want Established with accepted kind CronTab", got.Status)
	}

	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	list, err := dc.ServerResourcesForGroupVersion("stable.example.com/v1")
	if err != nil {
		t.Fatalf("discovery of stable.example.com/v1: %v", err)
	}
	var found *metav1.APIResource
	for i := range list.APIResources {
		if list.APIResources[i].Name == "crontabs" {
			found = &list.APIResources[i]
		}
	}
	if found == nil || found.Kind != "CronTab" || !found.Namespaced || len(found.ShortNames) != 1 {
		t.Errorf("discovery crontabs = %+v, want a namespaced CronTab with short name ct", found)
	}
	groups, err := dc.ServerGroups()
	if err != nil {
		t.Fatal(err)
	}
	hasGroup := false
	for _, g := range groups.Groups {
		hasGroup = hasGroup || (g.Name == "stable.example.com" && g.PreferredVersion.Version == "v1")
	}
	if !hasGroup {
		t.Errorf("ServerGroups has no stable.example.com preferring v1")
	}

	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cts := dyn.Resource(crontabs).Namespace("default")
	w, err := cts.Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("watch crontabs: %v", err)
	}
	defer w.Stop()

	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "stable.example.com/v1", "kind": "CronTab",
		"metadata": map[string]any{"name": "c1", "labels": map[string]any{"app": "cron"}},
		"spec":     map[string]any{"cronSpec": "* * * * */5", "image": "busybox", "replicas": int64(1)},
	}}
	created, err := cts.Create(ctx, obj, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create CronTab: %v", err)
	}
	if created.GetUID() == "" || created.GetResourceVersion() == "" {
		t.Errorf("created CronTab lacks uid or resourceVersion: %v", created.Object["metadata"])
	}
	if _, err := cts.Create(ctx, obj, metav1.CreateOptions{}); !apierrors.IsAlreadyExists(err) {
		t.Errorf("second create: err = %v, want AlreadyExists", err)
	}

	ct, err := cts.Get(ctx, "c1", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get CronTab: %v", err)
	}
	unstructured.SetNestedField(ct.Object, int64(2), "spec", "replicas")
	updated, err := cts.Update(ctx, ct, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("update CronTab: %v", err)
	}
	if _, err := cts.Update(ctx, ct, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("update at a stale resourceVersion: err = %v, want Conflict", err)
	}

	patched, err := cts.Patch(ctx, "c1", types.MergePatchType, []byte(`{"spec":{"image":"alpine"}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("merge patch CronTab: %v", err)
	}
	if img, _, _ := unstructured.NestedString(patched.Object, "spec", "image"); img != "alpine" {
		t.Errorf("after merge patch spec.image = %q, want alpine", img)
	}
	patched, err = cts.Patch(ctx, "c1", types.JSONPatchType, []byte(`[{"op":"replace","path":"/spec/replicas","value":3}]`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("JSON patch CronTab: %v", err)
	}
	if n, _, _ := unstructured.NestedInt64(patched.Object, "spec", "replicas"); n != 3 {
		t.Errorf("after JSON patch spec.replicas = %d, want 3", n)
	}

	unstructured.SetNestedField(patched.Object, int64(3), "status", "replicas")
	st, err := cts.UpdateStatus(ctx, patched, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("update CronTab status: %v", err)
	}
	if n, _, _ := unstructured.NestedInt64(st.Object, "status", "replicas"); n != 3 {
		t.Errorf("after status update status.replicas = %d, want 3", n)
	}

	l, err := cts.List(ctx, metav1.ListOptions{LabelSelector: "app=cron"})
	if err != nil {
		t.Fatalf("list CronTabs: %v", err)
	}
	if len(l.Items) != 1 || l.Items[0].GetName() != "c1" || l.GetKind() != "CronTabList" {
		t.Errorf("list app=cron = kind %q, %d items, want CronTabList with c1", l.GetKind(), len(l.Items))
	}
	if l, err := cts.List(ctx, metav1.ListOptions{LabelSelector: "app=other"}); err != nil || len(l.Items) != 0 {
		t.Errorf("list app=other = %v, %v; want nothing", l, err)
	}

	if err := cts.Delete(ctx, "c1", metav1.DeleteOptions{}); err != nil {
		t.Fatalf("delete CronTab: %v", err)
	}
	if _, err := cts.Get(ctx, "c1", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("get after delete: err = %v, want NotFound", err)
	}

	var seen []watch.EventType
	for len(seen) < 6 {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("watch ended after %v", seen)
			}
			if ev.Type == watch.Error {
				t.Fatalf("watch error event: %v", ev.Object)
			}
			if u, ok := ev.Object.(*unstructured.Unstructured); !ok || u.GetKind() != "CronTab" {
				t.Errorf("watch event object = %T %v, want a CronTab", ev.Object, ev.Object)
			}
			seen = append(seen, ev.Type)
		case <-ctx.Done():
			t.Fatalf("watch saw only %v", seen)
		}
	}
	// create, update, merge patch, JSON patch, status, delete.
	want := []watch.EventType{watch.Added, watch.Modified, watch.Modified, watch.Modified, watch.Modified, watch.Deleted}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("watch events = %v, want %v", seen, want)
			break
		}
	}
	_ = updated
}
