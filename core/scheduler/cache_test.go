package scheduler

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// fullSnapshot is what snapshot returned before the node cache: every
// NodeInfo rebuilt from the informers, then the assumed pods added.
func fullSnapshot(s *Scheduler, skip string) []*NodeInfo {
	var infos []*NodeInfo
	byName := map[string]*NodeInfo{}
	for _, n := range s.nodes.List(api.Everything()) {
		if n.DeletionTimestamp != nil {
			continue
		}
		ni := s.nodeInfo(n.Name)
		infos = append(infos, ni)
		byName[n.Name] = ni
	}
	for _, k := range s.assumed.keys() {
		a, _ := s.assumed.get(k)
		ns, name := client.SplitKey(k)
		if p, ok := s.pods.Get(ns, name); k == skip || ok && p.Spec.NodeName != "" {
			continue
		}
		if ni := byName[a.node]; ni != nil {
			ni.AddAssumedPod(a.pod)
		}
	}
	return infos
}

// nodeInfoOpts compare NodeInfos field by field, and the nodes and pods
// in them by identity: both sides take them from the same informers.
var nodeInfoOpts = cmp.Options{
	cmp.AllowUnexported(NodeInfo{}, hostPort{}),
	cmp.Comparer(func(a, b *api.Node) bool { return a == b }),
	cmp.Comparer(func(a, b *api.Pod) bool { return a == b }),
}

// TestNodeCacheMatchesFullRebuild changes nodes and pods in every way the
// cache must follow — pods bound, finished, deleted; nodes added, changed,
// being deleted, deleted; bindings the informer has not shown yet — and
// after each change compares the scheduler's snapshot with one rebuilt
// from scratch. It also checks that building a snapshot with assumed pods
// leaves the cached NodeInfos as they were.
func TestNodeCacheMatchesFullRebuild(t *testing.T) {
	ctx := context.Background()
	c := newCluster(t, Config{})
	pods, nodes := client.For[*api.Pod](c.api), client.For[*api.Node](c.api)
	for i := range 4 {
		c.addNode(newNode(fmt.Sprintf("n%d", i), "2", "4Gi"))
	}
	for i := range 6 {
		c.addPod(newPod(fmt.Sprintf("p%d", i), requests("300m", "256Mi"), ownedBy("rs"), hostPortOpt("TCP", "", int32(8000+i%2))))
	}
	c.sched.Start()
	check := func(step string) {
		t.Helper()
		c.v.RunFor(time.Second)
		got := c.sched.snapshot("")
		cached := fmt.Sprint(c.sched.cache.order)
		if diff := cmp.Diff(fullSnapshot(c.sched, ""), got, nodeInfoOpts); diff != "" {
			t.Errorf("after %s: snapshot (-full rebuild +cached):\n%s", step, diff)
		}
		if again := c.sched.snapshot(""); !cmp.Equal(got, again, nodeInfoOpts) || fmt.Sprint(c.sched.cache.order) != cached {
			t.Errorf("after %s: a second snapshot differs from the first: assumed pods leaked into the cache", step)
		}
	}
	check("scheduling six pods")

	finished := c.pod("p1")
	finished.Status.Phase = api.PodSucceeded
	if _, err := pods.UpdateStatus(ctx, finished, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	check("a pod finished")

	if _, err := pods.Delete(ctx, "default", "p2", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	check("a pod deleted")

	c.addNode(newNode("m0", "8", "16Gi"))
	n, _ := nodes.Get(ctx, "", "n0")
	n.Labels["disk"] = "ssd"
	if _, err := nodes.Update(ctx, n, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	check("a node added and one relabelled")

	n, _ = nodes.Get(ctx, "", "n1")
	n.Finalizers = []string{"test/hold"}
	if _, err := nodes.Update(ctx, n, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := nodes.Delete(ctx, "", "n1", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	check("a node being deleted")
	if _, err := nodes.Delete(ctx, "", "n3", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	check("a node deleted")

	// Bindings the informer does not show: snapshots add them as assumed.
	c = newCluster(t, Config{})
	c.addNode(newNode("a", "2", "4Gi"))
	c.addNode(newNode("b", "2", "4Gi"))
	for i := range 5 {
		c.addPod(newPod(fmt.Sprintf("q%d", i), requests("300m", "256Mi"), ownedBy("rs")))
	}
	c.tr.Hold("/pods") // the scheduler's informer stops hearing of pods
	c.sched.Start()
	c.v.RunFor(time.Second)
	if len(c.sched.assumed.pods) == 0 {
		t.Fatalf("no pod assumed while the informer was held; the assumed part of the snapshot goes untested")
	}
	check("pods bound while the informer lags")
	c.tr.Release()
	check("the informer caught up")
}
