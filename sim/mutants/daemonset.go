package mutants

import (
	"context"
	"errors"
	"reflect"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/daemonset"
	"github.com/tinykube/tinykube/core/controller/deployment"
	"github.com/tinykube/tinykube/core/controller/manager"
	"github.com/tinykube/tinykube/core/scheduler"
)

// naiveDaemonSet is the DaemonSet controller one writes first: every pass
// it gives each node that fits the template and shows no live pod of the
// DaemonSet in its cache a new pod (bound straight to the node by
// spec.nodeName, named by the API server from generateName), and replaces
// pods of an older template.
//
// The mistake is trusting the cache about its own writes. A pod it just
// created reaches its informer a network round trip later; a pass in
// between — its own status write brings one at once — sees the node
// without a pod and creates a second. The real controller
// (core/controller/daemonset) waits for its expectations (the creates it
// issued must show up first) and names each node's pod after the node, so
// that the API server refuses a second one whatever the cache says.
type naiveDaemonSet struct {
	cfg   manager.Config
	dsets *client.Informer[*api.DaemonSet]
	nodes *client.Informer[*api.Node]
	pods  *client.Informer[*api.Pod]
	queue *client.Queue
}

func startNaiveDaemonSet(cfg manager.Config) manager.Running {
	c := &naiveDaemonSet{cfg: cfg}
	c.dsets = client.NewInformer[*api.DaemonSet](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.nodes = client.NewInformer[*api.Node](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.queue = client.NewQueue(cfg.Loop, c.reconcile)
	c.dsets.AddHandlers(client.EnqueueKeys[*api.DaemonSet](c.queue))
	all := func() {
		for _, ds := range c.dsets.List(api.Everything()) {
			c.queue.Add(client.Key(ds))
		}
	}
	c.nodes.AddHandlers(client.Handlers[*api.Node]{Add: func(*api.Node) { all() }, Update: func(_, _ *api.Node) { all() }, Delete: func(*api.Node) { all() }})
	owner := func(p *api.Pod) {
		if ref := p.ControllerRef(); ref != nil && ref.Kind == "DaemonSet" {
			c.queue.Add(client.KeyFor(p.Namespace, ref.Name))
		}
	}
	c.pods.AddHandlers(client.Handlers[*api.Pod]{Add: owner, Update: func(_, p *api.Pod) { owner(p) }, Delete: owner})
	c.pods.Start()
	c.nodes.Start()
	c.dsets.Start()
	return c
}

func (c *naiveDaemonSet) Stop() {
	c.queue.Stop()
	c.dsets.Stop()
	c.nodes.Stop()
	c.pods.Stop()
}

// reconcile brings one DaemonSet's nodes to one current pod each, as far
// as its cache shows. Runs on the controller manager's loop.
func (c *naiveDaemonSet) reconcile(key string) error {
	if !c.dsets.HasSynced() || !c.nodes.HasSynced() || !c.pods.HasSynced() {
		c.queue.AddAfter(key, 100*time.Millisecond)
		return nil
	}
	ns, name := client.SplitKey(key)
	ds, ok := c.dsets.Get(ns, name)
	if !ok || ds.DeletionTimestamp != nil {
		return nil
	}
	hash := deployment.TemplateHash(&ds.Spec.Template)
	live := map[string][]*api.Pod{} // by node
	var victims []*api.Pod
	for _, p := range c.pods.ListNamespace(ns, api.Everything()) {
		switch {
		case !p.IsControlledBy(ds.UID) || p.DeletionTimestamp != nil:
		case api.IsPodTerminal(p), p.Labels[daemonset.RevisionHashLabel] != hash:
			victims = append(victims, p)
		default:
			live[p.Spec.NodeName] = append(live[p.Spec.NodeName], p)
		}
	}
	pods := client.For[*api.Pod](c.cfg.Client)
	var errs []error
	for _, p := range victims {
		if _, err := pods.Delete(context.Background(), p.Namespace, p.Name, client.DeleteOptions{UID: p.UID}); err != nil && !api.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	st := api.DaemonSetStatus{ObservedGeneration: ds.Generation}
	for _, n := range c.nodes.List(api.Everything()) {
		pod := podFor(ds, hash, n.Name)
		if n.DeletionTimestamp != nil || len(scheduler.Filter(pod, scheduler.NewNodeInfo(n))) > 0 {
			continue
		}
		st.DesiredNumberScheduled++
		if len(live[n.Name]) == 0 {
			if _, err := pods.Create(context.Background(), pod, client.WriteOptions{}); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		st.CurrentNumberScheduled++
		st.UpdatedNumberScheduled++
		if api.IsPodReady(live[n.Name][0]) {
			st.NumberReady++
			st.NumberAvailable++
		}
	}
	st.NumberUnavailable = st.DesiredNumberScheduled - st.NumberAvailable
	if !reflect.DeepEqual(st, ds.Status) {
		out := api.DeepCopy(ds)
		out.Status = st
		if _, err := client.For[*api.DaemonSet](c.cfg.Client).UpdateStatus(context.Background(), out, client.WriteOptions{}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// podFor is ds's pod for node: the template, labelled with its hash, bound
// to node.
func podFor(ds *api.DaemonSet, hash, node string) *api.Pod {
	tmpl := api.DeepCopy(ds).Spec.Template
	labels := map[string]string{daemonset.RevisionHashLabel: hash}
	for k, v := range tmpl.Labels {
		labels[k] = v
	}
	t := true
	p := &api.Pod{
		ObjectMeta: api.ObjectMeta{
			GenerateName: ds.Name + "-", Namespace: ds.Namespace, Labels: labels, Annotations: tmpl.Annotations,
			OwnerReferences: []api.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: ds.Name, UID: ds.UID, Controller: &t, BlockOwnerDeletion: &t}},
		},
		Spec: tmpl.Spec,
	}
	p.Spec.NodeName = node
	return p
}
