package garbagecollector

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

func TestBackgroundDeleteCollectsReplicaSetsAndPods(t *testing.T) {
	e := newEnv(t)
	e.createDeployment("web", 3)
	e.deleteWith(deployments, "web", "")
	e.RunFor(30 * time.Second)
	if rs := e.replicaSets(); len(rs) != 0 {
		t.Errorf("after deleting Deployment web: %d ReplicaSets left, want 0", len(rs))
	}
	if pods := e.pods(); len(pods) != 0 {
		t.Errorf("after deleting Deployment web: %d pods left, want 0", len(pods))
	}
}

func TestOrphanDeleteKeepsDependents(t *testing.T) {
	e := newEnv(t)
	e.createDeployment("web", 2)
	before := e.pods()
	e.deleteWith(deployments, "web", "Orphan")
	e.RunFor(30 * time.Second)
	if _, ok := e.deployment("web"); ok {
		t.Fatalf("Deployment web still exists after an Orphan delete, want it gone")
	}
	rss := e.replicaSets()
	if len(rss) != 1 {
		t.Fatalf("after an Orphan delete: %d ReplicaSets, want 1", len(rss))
	}
	if refs := rss[0].OwnerReferences; len(refs) != 0 {
		t.Errorf("orphaned ReplicaSet %s ownerReferences = %+v, want none", rss[0].Name, refs)
	}
	after := e.pods()
	if len(after) != len(before) {
		t.Fatalf("after an Orphan delete: %d pods, want the %d from before", len(after), len(before))
	}
	for i := range after {
		if after[i].UID != before[i].UID || after[i].DeletionTimestamp != nil || !after[i].IsControlledBy(rss[0].UID) {
			t.Errorf("pod %s changed by an Orphan delete of its grand-owner: uid %s->%s, deleting %v", after[i].Name, before[i].UID, after[i].UID, after[i].DeletionTimestamp != nil)
		}
	}
}

func TestForegroundDeleteWaitsForDependents(t *testing.T) {
	e := newEnv(t)
	e.createDeployment("web", 3)
	e.deleteWith(deployments, "web", "Foreground")
	d, ok := e.deployment("web")
	if !ok || d.DeletionTimestamp == nil || !slices.Contains(d.Finalizers, FinalizerForeground) {
		t.Fatalf("right after a Foreground delete: Deployment = %+v, want it marked with %q", d, FinalizerForeground)
	}
	sawTerminating, sawForegroundRS := false, false
	e.AfterStep = func() {
		rss, pods := e.replicaSets(), e.pods()
		for _, p := range pods {
			sawTerminating = sawTerminating || p.DeletionTimestamp != nil
		}
		for _, rs := range rss {
			sawForegroundRS = sawForegroundRS || slices.Contains(rs.Finalizers, FinalizerForeground)
		}
		if _, ok := e.deployment("web"); !ok && (len(rss) > 0 || len(pods) > 0) {
			t.Fatalf("at %v: Deployment web is gone while %d ReplicaSets and %d pods remain", e.Loop.Now(), len(rss), len(pods))
		}
	}
	e.RunFor(30 * time.Second)
	e.AfterStep = nil
	if _, ok := e.deployment("web"); ok {
		t.Errorf("Deployment web still exists 30s after a Foreground delete, want it gone")
	}
	if rss, pods := e.replicaSets(), e.pods(); len(rss)+len(pods) != 0 {
		t.Errorf("after a Foreground delete: %d ReplicaSets and %d pods left, want none", len(rss), len(pods))
	}
	if !sawForegroundRS {
		t.Errorf("the ReplicaSet, which has dependents, was never deleted in the foreground")
	}
	if !sawTerminating {
		t.Errorf("no pod was ever seen terminating: the test does not exercise the wait")
	}
}

// TestRecreatedOwnerDoesNotAdopt: ownership is by uid. A dependent of an
// owner that was deleted and re-created under the same name is collected.
func TestRecreatedOwnerDoesNotAdopt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner := e.createConfigMap("owner")
	e.createConfigMap("dep", owner)
	// Delete and re-create the owner in one go: the collector never sees
	// the owner missing by name.
	if _, err := client.For[*api.ConfigMap](e.api).Delete(ctx, "default", "owner", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	again := e.createConfigMap("owner")
	if again.UID == owner.UID {
		t.Fatalf("re-created owner has the old uid %s", owner.UID)
	}
	e.Settle()
	if e.exists(configMaps, "dep") {
		t.Errorf("dep of the first owner (uid %s) survived; the re-created owner (uid %s) must not adopt it", owner.UID, again.UID)
	}
	if !e.exists(configMaps, "owner") {
		t.Errorf("the re-created owner was deleted")
	}
}

// TestSomeOwnersLeft: a dependent with an owner left is kept, and only the
// reference to the missing owner is dropped.
func TestSomeOwnersLeft(t *testing.T) {
	e := newEnv(t)
	a, b := e.createConfigMap("a"), e.createConfigMap("b")
	e.createConfigMap("dep", a, b)
	e.Settle()
	if _, err := client.For[*api.ConfigMap](e.api).Delete(context.Background(), "default", "a", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	dep, err := client.For[*api.ConfigMap](e.api).Get(context.Background(), "default", "dep")
	if err != nil {
		t.Fatalf("dep with owner b left: %v, want it kept", err)
	}
	if len(dep.OwnerReferences) != 1 || dep.OwnerReferences[0].UID != b.UID {
		t.Errorf("dep ownerReferences = %+v, want only b (uid %s)", dep.OwnerReferences, b.UID)
	}
}

// TestLaggingInformerDoesNotCollect: the collector's ConfigMap informer
// has not seen the owner yet; a live read finds it, so its dependent stays.
func TestLaggingInformerDoesNotCollect(t *testing.T) {
	e := newEnv(t)
	e.Transport.Hold("/configmaps")
	owner := e.createConfigMap("owner")
	s := &api.Secret{ObjectMeta: api.ObjectMeta{Name: "dep", Namespace: "default", OwnerReferences: refs(owner)}}
	if _, err := client.For[*api.Secret](e.api).Create(context.Background(), s, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(10 * time.Second)
	if _, ok := e.gc.graph.nodes[owner.UID]; ok {
		t.Fatalf("the collector has seen the owner: the hold did not make it lag")
	}
	if !e.exists(secrets, "dep") {
		t.Fatalf("secret dep was collected while its owner exists (the collector's informer lagged)")
	}
	e.Transport.Release()
	e.RunFor(time.Second)
	if !e.exists(secrets, "dep") {
		t.Fatalf("secret dep was collected after the informer caught up")
	}
	// Now really delete the owner: the dependent goes.
	if _, err := client.For[*api.ConfigMap](e.api).Delete(context.Background(), "default", "owner", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(time.Second)
	if e.exists(secrets, "dep") {
		t.Errorf("secret dep survived its owner's deletion")
	}
}

// TestClusterScopedOwnedByNamespaced: a reference from a cluster-scoped
// object to a namespaced kind can never resolve; the object is collected
// and a warning says why.
func TestClusterScopedOwnedByNamespaced(t *testing.T) {
	e := newEnv(t)
	owner := e.createConfigMap("owner")
	ns := &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "team", OwnerReferences: refs(owner)}}
	if _, err := client.For[*api.Namespace](e.api).Create(context.Background(), ns, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	// A namespace is only marked by a delete (Terminating): the namespace
	// controller, not running here, removes it once empty.
	got, err := client.For[*api.Namespace](e.api).Get(context.Background(), "", "team")
	if err == nil && got.DeletionTimestamp == nil {
		t.Errorf("namespace team owned by ConfigMap default/owner: not being deleted, want it collected (Terminating)")
	} else if err != nil && !api.IsNotFound(err) {
		t.Errorf("namespace team: Get err = %v", err)
	}
	if got := e.Events("OwnerRefInvalidNamespace"); len(got) != 1 {
		t.Errorf("OwnerRefInvalidNamespace events = %q, want one", got)
	}
}

// TestStaleReadDoesNotCollect: the collector's informer lags and the API
// answers its reads from before the owner existed. The answer predates the
// dependent, so it cannot prove the owner gone; the dependent stays.
func TestStaleReadDoesNotCollect(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	l, err := client.For[*api.ConfigMap](e.api).List(ctx, "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := strconv.ParseInt(l.ResourceVersion, 10, 64)
	e.Transport.Hold("/configmaps")
	e.staleAt = before
	owner := e.createConfigMap("owner")
	s := &api.Secret{ObjectMeta: api.ObjectMeta{Name: "dep", Namespace: "default", OwnerReferences: refs(owner)}}
	if _, err := client.For[*api.Secret](e.api).Create(ctx, s, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(10 * time.Second)
	if !e.exists(secrets, "dep") {
		t.Fatalf("secret dep was collected on a read from revision %d, before its owner was created", before)
	}
	e.staleAt = 0
	e.Transport.Release()
	e.RunFor(time.Minute)
	if !e.exists(secrets, "dep") {
		t.Fatalf("secret dep was collected once reads were fresh")
	}
}

// TestStaleReadOfDeletedOwnerIsRechecked: the informer reports the owner
// deleted, but the API's stale answer still shows it. The collector must
// look again, and collect the dependent once reads are fresh.
func TestStaleReadOfDeletedOwnerIsRechecked(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner := e.createConfigMap("owner")
	e.createConfigMap("dep", owner)
	e.Settle()
	l, err := client.For[*api.ConfigMap](e.api).List(ctx, "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.staleAt, _ = strconv.ParseInt(l.ResourceVersion, 10, 64)
	if _, err := client.For[*api.ConfigMap](e.api).Delete(ctx, "default", "owner", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(10 * time.Second)
	if !e.exists(configMaps, "dep") {
		t.Fatalf("dep was collected although every read showed its owner")
	}
	e.staleAt = 0
	e.RunFor(10 * time.Second)
	if e.exists(configMaps, "dep") {
		t.Errorf("dep survived 10s of fresh reads after its owner was deleted")
	}
}

// TestRelistSeesReplacedOwner: the owner is deleted and re-created while
// the collector's watches are down, and the history is compacted, so its
// informer relists and reports the new owner as an update of the old. The
// old uid must leave the graph, and its dependent be collected.
func TestRelistSeesReplacedOwner(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner := e.createConfigMap("owner")
	s := &api.Secret{ObjectMeta: api.ObjectMeta{Name: "dep", Namespace: "default", OwnerReferences: refs(owner)}}
	if _, err := client.For[*api.Secret](e.api).Create(ctx, s, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	e.Transport.Cut()
	if _, err := client.For[*api.ConfigMap](e.api).Delete(ctx, "default", "owner", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	again := e.createConfigMap("owner")
	rev, err := e.Store.Revision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.Compact(ctx, rev); err != nil {
		t.Fatal(err)
	}
	e.RunFor(10 * time.Second)
	if _, ok := e.gc.graph.nodes[owner.UID]; ok {
		t.Errorf("the graph still holds the first owner (uid %s) after a relist showed uid %s", owner.UID, again.UID)
	}
	if e.exists(secrets, "dep") {
		t.Errorf("dep of the first owner survived its replacement")
	}
}

// TestUnknownOwnerKindIsKept: an owner of a kind tinykube does not serve
// cannot be looked up; the dependent is kept.
func TestUnknownOwnerKindIsKept(t *testing.T) {
	e := newEnv(t)
	cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: "dep", Namespace: "default",
		OwnerReferences: []api.OwnerReference{{APIVersion: "v1", Kind: "ReplicationController", Name: "db", UID: "0000-db"}}}}
	if _, err := client.For[*api.ConfigMap](e.api).Create(context.Background(), cm, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(time.Minute)
	if !e.exists(configMaps, "dep") {
		t.Errorf("dep owned by an unknown kind was collected")
	}
}
