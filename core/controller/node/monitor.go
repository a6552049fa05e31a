package node

import (
	"context"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// Reasons and messages of the Ready condition the controller writes, as
// Kubernetes words them.
const (
	ReasonNodeStatusUnknown = "NodeStatusUnknown"
	msgStoppedPosting       = "Kubelet stopped posting node status."
	msgNeverPosted          = "Kubelet never posted node status."
)

// monitor checks every node once, in name order: heartbeat, condition,
// taints, then evictions. A failed write is left for the next pass, which
// starts again from the caches (level-triggered).
func (c *Controller) monitor() {
	if !c.nodes.HasSynced() || !c.leases.HasSynced() || !c.pods.HasSynced() {
		return
	}
	for _, n := range c.nodes.List(api.Everything()) {
		c.monitorNode(n)
	}
}

func (c *Controller) monitorNode(n *api.Node) {
	h := c.healthOf(n.Name)
	cond := n.Status.FindCondition(api.NodeReady)
	var ready api.ConditionStatus
	if cond != nil {
		ready = cond.Status
	}
	v := c.cfg.Assess(HealthView{Now: c.loop.Now(), LastSeen: h.probe, RenewTime: h.renewTime, GracePeriod: c.cfg.GracePeriod, Ready: ready})
	if v.MarkUnknown {
		updated, err := c.markUnknown(n, cond == nil)
		if err != nil {
			return
		}
		n = updated
		cond = n.Status.FindCondition(api.NodeReady)
	}
	// A node that never reported and is not yet stale is left alone.
	if cond == nil {
		return
	}
	want := v.Taint
	n, err := c.setTaints(n, want)
	if err != nil {
		return
	}
	if want != "" {
		c.markPodsNotReady(n)
	}
	c.evict(n)
}

// markPodsNotReady sets the Ready condition of every pod on a node that is
// not Ready to False. Nobody knows whether those pods still serve, so
// they must stop receiving service traffic now — the endpoints controller
// moves them to notReadyAddresses — rather than only when they are
// evicted, minutes later. If the node comes back, its kubelet writes the
// truth again.
func (c *Controller) markPodsNotReady(n *api.Node) {
	for _, p := range c.pods.ByIndex(byNode, n.Name) {
		if api.IsPodTerminal(p) {
			continue
		}
		cond := p.Status.FindCondition(api.PodReady)
		if cond == nil || cond.Status != api.ConditionTrue {
			continue
		}
		out := api.DeepCopy(p)
		cond = out.Status.FindCondition(api.PodReady)
		cond.Status, cond.Reason, cond.LastTransitionTime = api.ConditionFalse, "NodeNotReady", api.NewTime(c.loop.Now())
		cond.Message = "Node " + n.Name + " is not ready"
		if _, err := client.For[*api.Pod](c.client).UpdateStatus(context.Background(), out, client.WriteOptions{}); err != nil {
			continue // the next pass tries again
		}
		c.rec.Eventf(p, client.EventWarning, "NodeNotReady", "Node is not ready")
	}
}

// markUnknown sets the node's Ready condition to Unknown: nobody knows
// whether it runs anything any more.
func (c *Controller) markUnknown(n *api.Node, never bool) (*api.Node, error) {
	out := api.DeepCopy(n)
	now := api.NewTime(c.loop.Now())
	msg := msgStoppedPosting
	if never {
		msg = msgNeverPosted
		out.Status.Conditions = append(out.Status.Conditions, api.NodeCondition{Type: api.NodeReady})
	}
	cond := out.Status.FindCondition(api.NodeReady)
	cond.Status, cond.Reason, cond.Message, cond.LastTransitionTime = api.ConditionUnknown, ReasonNodeStatusUnknown, msg, now
	updated, err := client.For[*api.Node](c.client).UpdateStatus(context.Background(), out, client.WriteOptions{})
	if err != nil {
		return nil, err
	}
	c.rec.Eventf(n, client.EventNormal, "NodeNotReady", "Node %s status is now: NodeNotReady", n.Name)
	return updated, nil
}

// isManaged reports whether the controller owns taint t.
func isManaged(t api.Taint) bool {
	return (t.Key == TaintUnreachable || t.Key == TaintNotReady) && (t.Effect == api.TaintNoSchedule || t.Effect == api.TaintNoExecute)
}

// setTaints makes the node's managed taints the NoSchedule and NoExecute
// taints of key want ("" for none), keeping every other taint and the
// timeAdded of taints already there. It writes only on a change.
func (c *Controller) setTaints(n *api.Node, want string) (*api.Node, error) {
	var taints []api.Taint
	have := map[string]api.Taint{}
	for _, t := range n.Spec.Taints {
		if isManaged(t) {
			have[t.Key+":"+t.Effect] = t
			continue
		}
		taints = append(taints, t)
	}
	changed := false
	if want != "" {
		for _, effect := range []string{api.TaintNoSchedule, api.TaintNoExecute} {
			t, ok := have[want+":"+effect]
			if ok {
				delete(have, want+":"+effect)
			} else {
				t, changed = api.Taint{Key: want, Effect: effect, TimeAdded: api.NewTime(c.loop.Now())}, true
			}
			taints = append(taints, t)
		}
	}
	if len(have) > 0 {
		changed = true // managed taints of the other key, or of none
	}
	if !changed {
		return n, nil
	}
	out := api.DeepCopy(n)
	out.Spec.Taints = taints
	return client.For[*api.Node](c.client).Update(context.Background(), out, client.WriteOptions{})
}
