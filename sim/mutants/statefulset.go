package mutants

import (
	"context"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/manager"
)

// replacingStatefulSet is the real StatefulSet controller with a shortcut
// bolted on, the kind added to "recover faster from node failures": when a
// node stops being Ready, every StatefulSet pod on it is force-deleted
// (grace 0), and the real controller, seeing the ordinal gone, creates it
// again on another node at once.
//
// The mistake: NotReady means the node stopped answering, not that it
// stopped running. On a partitioned node the old containers keep going,
// and the ordinal runs twice — two pods of one identity, both writing to
// what each thinks is its own volume. The real controller leaves such
// pods to the node controller's eviction and the kubelet's confirmation.
type replacingStatefulSet struct {
	real  manager.Running
	nodes *client.Informer[*api.Node]
	pods  *client.Informer[*api.Pod]
	cfg   manager.Config
}

func startReplacingStatefulSet(cfg manager.Config) manager.Running {
	c := &replacingStatefulSet{cfg: cfg, real: manager.Lookup("statefulset")(cfg)}
	c.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.nodes = client.NewInformer[*api.Node](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.nodes.AddHandlers(client.Handlers[*api.Node]{Add: c.check, Update: func(_, n *api.Node) { c.check(n) }})
	c.pods.Start()
	c.nodes.Start()
	return c
}

func (c *replacingStatefulSet) Stop() {
	c.nodes.Stop()
	c.pods.Stop()
	c.real.Stop()
}

// check force-deletes the StatefulSet pods of n if n is not Ready. Runs on
// the controller manager's loop.
func (c *replacingStatefulSet) check(n *api.Node) {
	if cond := n.Status.FindCondition(api.NodeReady); cond == nil || cond.Status == api.ConditionTrue || !c.pods.HasSynced() {
		return
	}
	zero := int64(0)
	for _, p := range c.pods.List(api.Everything()) {
		if ref := p.ControllerRef(); p.Spec.NodeName != n.Name || ref == nil || ref.Kind != "StatefulSet" {
			continue
		}
		client.For[*api.Pod](c.cfg.Client).Delete(context.Background(), p.Namespace, p.Name, client.DeleteOptions{GracePeriodSeconds: &zero, UID: p.UID})
	}
}
