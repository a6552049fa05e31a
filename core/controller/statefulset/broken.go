package statefulset

import (
	"context"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// replaceOnNotReady is the deliberately broken variant (Config.
// ReplaceOnNotReady): it treats a node that stopped answering as a dead
// one and force-deletes its pods at once, so the next pass recreates the
// ordinal elsewhere. On a partitioned node the old containers keep
// running: two pods of one identity. The simulator's statefulset-ordinals
// invariant exists to catch exactly this.
func (c *Controller) replaceOnNotReady(v *view) {
	zero := int64(0)
	for i, p := range v.slots {
		if p == nil || p.Spec.NodeName == "" {
			continue
		}
		n, ok := c.nodes.Get("", p.Spec.NodeName)
		if !ok {
			continue
		}
		if cond := n.Status.FindCondition(api.NodeReady); cond == nil || cond.Status == api.ConditionTrue {
			continue
		}
		_, err := client.For[*api.Pod](c.client).Delete(context.Background(), p.Namespace, p.Name, client.DeleteOptions{GracePeriodSeconds: &zero, UID: p.UID})
		if err == nil {
			v.slots[i] = nil // replaced in this very pass
		}
	}
}
