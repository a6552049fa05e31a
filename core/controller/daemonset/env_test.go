package daemonset

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/scheduler"
)

// env is an API server with the DaemonSet controller and the default
// scheduler (which binds the pods the controller aims at nodes). There is
// no kubelet: tests mark pods ready, and finish graceful deletions, with
// kubelet().
type env struct {
	*clienttest.Env
	t    *testing.T
	ctrl *Controller
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ce := clienttest.New(t, 1, 2)
	c := client.New(ce.Transport)
	ctrl := New(Config{Loop: ce.Loop, Client: c, Recorder: client.NewRecorder(ce.Loop, c, "daemonset-controller", "")})
	ctrl.Start()
	scheduler.New(scheduler.Config{Loop: ce.Loop, Client: client.New(ce.Transport), Rand: rand.New(rand.NewPCG(5, 6)), Name: "default-scheduler"}).Start()
	e := &env{Env: ce, t: t, ctrl: ctrl}
	e.Settle()
	return e
}

type nodeOpt func(*api.Node)

func labeled(k, v string) nodeOpt { return func(n *api.Node) { n.Labels[k] = v } }
func tainted(key, effect string) nodeOpt {
	return func(n *api.Node) { n.Spec.Taints = append(n.Spec.Taints, api.Taint{Key: key, Effect: effect}) }
}
func cordoned(n *api.Node) { n.Spec.Unschedulable = true }
func notReady(n *api.Node) {
	n.Status.Conditions[0].Status = api.ConditionFalse
}

// addNode registers a Ready node with room for 10 pods, labelled with its
// hostname as a kubelet labels it.
func (e *env) addNode(name string, opts ...nodeOpt) {
	e.t.Helper()
	n := &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name}}}
	alloc := api.ResourceList{"cpu": api.MustParseQuantity("4"), "memory": api.MustParseQuantity("8Gi"), "pods": api.MustParseQuantity("10")}
	n.Status = api.NodeStatus{Capacity: alloc, Allocatable: alloc,
		Conditions: []api.NodeCondition{{Type: api.NodeReady, Status: api.ConditionTrue}}}
	for _, o := range opts {
		o(n)
	}
	out, err := client.For[*api.Node](e.Client).Create(context.Background(), n, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create node %s: %v", name, err)
	}
	out.Status = n.Status
	if _, err := client.For[*api.Node](e.Client).UpdateStatus(context.Background(), out, client.WriteOptions{}); err != nil {
		e.t.Fatalf("set node %s status: %v", name, err)
	}
}

// changeNode applies f to node name and writes spec, metadata and status.
func (e *env) changeNode(name string, f func(*api.Node)) {
	e.t.Helper()
	nodes := client.For[*api.Node](e.Client)
	n, err := nodes.Get(context.Background(), "", name)
	if err != nil {
		e.t.Fatalf("get node %s: %v", name, err)
	}
	f(n)
	st := n.Status
	if n, err = nodes.Update(context.Background(), n, client.WriteOptions{}); err != nil {
		e.t.Fatalf("update node %s: %v", name, err)
	}
	n.Status = st
	if _, err := nodes.UpdateStatus(context.Background(), n, client.WriteOptions{}); err != nil {
		e.t.Fatalf("update node %s status: %v", name, err)
	}
}

func (e *env) deleteNode(name string) {
	e.t.Helper()
	if _, err := client.For[*api.Node](e.Client).Delete(context.Background(), "", name, client.DeleteOptions{}); err != nil {
		e.t.Fatalf("delete node %s: %v", name, err)
	}
}

func (e *env) createDS(name string, mutate func(*api.DaemonSet)) *api.DaemonSet {
	e.t.Helper()
	ds := &api.DaemonSet{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.DaemonSetSpec{
			Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: api.PodTemplateSpec{
				ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "agent:1"}}},
			},
		},
	}
	if mutate != nil {
		mutate(ds)
	}
	out, err := client.For[*api.DaemonSet](e.Client).Create(context.Background(), ds, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create DaemonSet %s: %v", name, err)
	}
	return out
}

func (e *env) getDS(name string) *api.DaemonSet {
	e.t.Helper()
	ds, err := client.For[*api.DaemonSet](e.Client).Get(context.Background(), "default", name)
	if err != nil {
		e.t.Fatalf("get DaemonSet %s: %v", name, err)
	}
	return ds
}

func (e *env) updateDS(name string, f func(*api.DaemonSet)) {
	e.t.Helper()
	ds := e.getDS(name)
	f(ds)
	if _, err := client.For[*api.DaemonSet](e.Client).Update(context.Background(), ds, client.WriteOptions{}); err != nil {
		e.t.Fatalf("update DaemonSet %s: %v", name, err)
	}
}

func (e *env) pods() []*api.Pod { return clienttest.List[*api.Pod](e.t, e.Client, "default") }

// byNode maps node name to the pods of the DaemonSet there that are not
// being deleted (bound, or aimed at the node and not yet bound).
func (e *env) byNode(ds *api.DaemonSet) map[string][]*api.Pod {
	out := map[string][]*api.Pod{}
	for _, p := range e.pods() {
		if p.IsControlledBy(ds.UID) && p.DeletionTimestamp == nil {
			out[targetNode(p)] = append(out[targetNode(p)], p)
		}
	}
	return out
}

// nodesOf returns, per node, how many live pods of ds it has.
func (e *env) nodesOf(ds *api.DaemonSet) map[string]int {
	out := map[string]int{}
	for n, ps := range e.byNode(ds) {
		out[n] = len(ps)
	}
	return out
}

// kubelet does what kubelets would: bound pods become Running and Ready,
// and pods being deleted go away.
func (e *env) kubelet() {
	e.t.Helper()
	zero := int64(0)
	for _, p := range e.pods() {
		switch {
		case p.DeletionTimestamp != nil:
			_, err := client.For[*api.Pod](e.Client).Delete(context.Background(), p.Namespace, p.Name, client.DeleteOptions{GracePeriodSeconds: &zero})
			if err != nil && !api.IsNotFound(err) {
				e.t.Fatalf("finish deleting %s: %v", p.Name, err)
			}
		case p.Spec.NodeName != "" && !api.IsPodReady(p) && p.Status.Phase != api.PodFailed:
			if err := e.MarkReady(p); err != nil {
				e.t.Fatalf("mark %s ready: %v", p.Name, err)
			}
		}
	}
}

// converge alternates a second of the loop with a kubelet pass, n times.
func (e *env) converge(n int) {
	for range n {
		e.RunFor(time.Second)
		e.kubelet()
	}
	e.RunFor(time.Second)
}
