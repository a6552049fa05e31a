package namespace

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// allWell is the conditions of a namespace whose content is gone.
var allWell = []string{
	"NamespaceDeletionDiscoveryFailure=False ResourcesDiscovered: All resources successfully discovered",
	"NamespaceDeletionGroupVersionParsingFailure=False ParsedGroupVersions: All legacy kube types successfully parsed",
	"NamespaceDeletionContentFailure=False ContentDeleted: All content successfully deleted, may be waiting on finalization",
	"NamespaceContentRemaining=False ContentRemoved: All content successfully removed",
	"NamespaceFinalizersRemaining=False ContentHasNoFinalizers: All content-preserving finalizers finished",
}

func TestDeletesContentThenNamespace(t *testing.T) {
	e := newEnv(t)
	e.createNamespace("team")
	e.createNamespace("other")
	create(e, pod("team", "unbound", ""))
	create(e, configMap("team", "cm"))
	create(e, &api.Secret{ObjectMeta: api.ObjectMeta{Name: "s", Namespace: "team"}})
	create(e, &api.Service{ObjectMeta: api.ObjectMeta{Name: "svc", Namespace: "team"}, Spec: api.ServiceSpec{Ports: []api.ServicePort{{Port: 80}}}})
	create(e, configMap("other", "keep"))
	e.Settle()
	if got := e.tr.calls["DELETE"]; got != 0 {
		t.Fatalf("%d deletes before any namespace is deleted, want 0", got)
	}
	e.deleteNamespace("team")
	e.Settle()
	if got := e.content("team"); len(got) != 0 {
		t.Errorf("content left in team: %v", got)
	}
	if ns := e.namespace("team"); ns != nil {
		t.Errorf("namespace team still there: finalizers %v, conditions %v", ns.Spec.Finalizers, conditionSummary(ns))
	}
	if diff := cmp.Diff([]string{"configmaps/keep"}, e.content("other")); diff != "" {
		t.Errorf("namespace other's content (-want +got):\n%s", diff)
	}
}

// TestWaitsForGraceAndFinalizers: a pod on a node waits for its kubelet
// and an object with a finalizer for its owner; meanwhile the namespace
// says so in its conditions, and it goes once they have gone.
func TestWaitsForGraceAndFinalizers(t *testing.T) {
	e := newEnv(t)
	e.createNamespace("team")
	create(e, pod("team", "running", "node-1"))
	create(e, configMap("team", "held", "example.com/hold"))
	e.deleteNamespace("team")
	e.RunFor(3 * RecheckDelay)

	ns := e.namespace("team")
	if ns == nil || ns.Status.Phase != api.NamespaceTerminating {
		t.Fatalf("namespace team = %+v, want it Terminating while content remains", ns)
	}
	want := slices.Clone(allWell)
	want[3] = "NamespaceContentRemaining=True SomeResourcesRemain: Some resources are remaining: configmaps. has 1 resource instances, pods. has 1 resource instances"
	want[4] = "NamespaceFinalizersRemaining=True SomeFinalizersRemain: Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"
	if diff := cmp.Diff(want, conditionSummary(ns)); diff != "" {
		t.Errorf("conditions while content remains (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"configmaps/held", "pods/running"}, e.content("team")); diff != "" {
		t.Errorf("content while waiting (-want +got):\n%s", diff)
	}
	ctx := context.Background()
	// The kubelet confirms the pod's end.
	zero := int64(0)
	if _, err := client.For[*api.Pod](e.api).Delete(ctx, "team", "running", client.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(RecheckDelay)
	want[3] = "NamespaceContentRemaining=True SomeResourcesRemain: Some resources are remaining: configmaps. has 1 resource instances"
	if diff := cmp.Diff(want, conditionSummary(e.namespace("team"))); diff != "" {
		t.Errorf("conditions with the pod gone (-want +got):\n%s", diff)
	}
	// The finalizer's owner lets go.
	cm, err := client.For[*api.ConfigMap](e.api).Get(ctx, "team", "held")
	if err != nil {
		t.Fatal(err)
	}
	cm.Finalizers = nil
	if _, err := client.For[*api.ConfigMap](e.api).Update(ctx, cm, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(RecheckDelay)
	if ns := e.namespace("team"); ns != nil {
		t.Errorf("namespace team still there once empty: %v", conditionSummary(ns))
	}
}

// TestDeleteFailureIsReportedAndRetried: a kind whose deletes fail is named
// in NamespaceDeletionContentFailure, and the namespace waits; once deletes
// work again, it goes.
func TestDeleteFailureIsReportedAndRetried(t *testing.T) {
	e := newEnv(t)
	e.createNamespace("team")
	create(e, configMap("team", "cm"))
	e.tr.failDeletes = "/configmaps/"
	e.deleteNamespace("team")
	e.RunFor(5 * time.Second)
	want := slices.Clone(allWell)
	want[2] = "NamespaceDeletionContentFailure=True ContentDeletionFailed: Failed to delete all resource types, 1 remaining: deleting 1 configmaps: injected failure"
	want[3] = "NamespaceContentRemaining=True SomeResourcesRemain: Some resources are remaining: configmaps. has 1 resource instances"
	if diff := cmp.Diff(want, conditionSummary(e.namespace("team"))); diff != "" {
		t.Errorf("conditions while deletes fail (-want +got):\n%s", diff)
	}
	e.tr.failDeletes = ""
	e.RunFor(time.Minute)
	if ns := e.namespace("team"); ns != nil {
		t.Errorf("namespace team still there after deletes work again: %v", conditionSummary(ns))
	}
}

// TestOtherSpecFinalizerKeepsNamespace: the controller removes only its own
// finalizer; another one keeps the namespace, emptied, until its owner
// finalizes it too.
func TestOtherSpecFinalizerKeepsNamespace(t *testing.T) {
	e := newEnv(t)
	ns := &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "team"}, Spec: api.NamespaceSpec{Finalizers: []string{"example.com/x"}}}
	create(e, ns)
	create(e, configMap("team", "cm"))
	e.deleteNamespace("team")
	e.Settle()
	got := e.namespace("team")
	if got == nil {
		t.Fatal("namespace team is gone, want it kept by example.com/x")
	}
	if diff := cmp.Diff([]string{"example.com/x"}, got.Spec.Finalizers); diff != "" {
		t.Errorf("spec.finalizers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(allWell, conditionSummary(got)); diff != "" {
		t.Errorf("conditions (-want +got):\n%s", diff)
	}
	if c := e.content("team"); len(c) != 0 {
		t.Errorf("content left: %v", c)
	}
}
