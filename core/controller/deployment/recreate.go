package deployment

import "github.com/tinykube/tinykube/core/api"

// rolloutRecreate: scale every old ReplicaSet to 0, wait until none of
// their pods is left (not even terminating ones: old and new pods must
// never run side by side, which is why one picks Recreate), then create
// or reuse the new ReplicaSet and scale it to spec.replicas.
func (c *Controller) rolloutRecreate(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (*api.ReplicaSet, error) {
	scaled := false
	for _, rs := range olds {
		if replicasOf(rs) == 0 {
			continue
		}
		if _, err := c.scaleRS(d, rs, 0); err != nil {
			return newRS, err
		}
		scaled = true
	}
	if scaled || c.oldPodsRunning(olds) {
		// The scale-downs and pod deletions bring us back.
		return newRS, nil
	}
	newRS, err := c.ensureNewRS(d, newRS, olds)
	if err != nil {
		return nil, err
	}
	return c.scaleRS(d, newRS, desired(d))
}

// oldPodsRunning reports whether any pod of olds still exists and has not
// finished: Pending, Running or Unknown, terminating or not.
func (c *Controller) oldPodsRunning(olds []*api.ReplicaSet) bool {
	for _, rs := range olds {
		if rs.Status.Replicas > 0 {
			return true
		}
		for _, p := range c.pods.ListNamespace(rs.Namespace, api.Everything()) {
			if p.IsControlledBy(rs.UID) && !api.IsPodTerminal(p) {
				return true
			}
		}
	}
	return false
}
