package job

import (
	"errors"

	"github.com/tinykube/tinykube/core/api"
)

// syncBroken is the CountWithoutTracking variant of sync, kept for the
// simulator to prove that its job-completions invariant catches it. It
// adds the finished pods it sees in its cache to the counts and then
// deletes them, trusting that the delete lands before the next sync sees
// them again. It does not: when the answer to the status update is lost
// the sync is retried and counts the same pods again, and a controller
// restarted between the two steps sees them again too.
func (c *Controller) syncBroken(key string, j *api.Job, owned []*api.Pod) error {
	var finished, active []*api.Pod
	out := api.DeepCopy(j)
	for _, p := range owned {
		switch {
		case p.DeletionTimestamp != nil:
		case p.Status.Phase == api.PodSucceeded:
			out.Status.Succeeded++
			finished = append(finished, p)
		case p.Status.Phase == api.PodFailed:
			out.Status.Failed++
			finished = append(finished, p)
		default:
			active = append(active, p)
		}
	}
	if len(finished) > 0 {
		var err error
		if j, err = c.writeStatus(out); err != nil {
			return err
		}
		if err := c.deletePods(key, j, finished); err != nil {
			return err
		}
	}
	// From here on it is the real controller, with nothing left to count.
	var pending []*api.Pod
	gone := map[string]bool{}
	for _, p := range finished {
		gone[p.UID] = true
	}
	for _, p := range owned {
		if !gone[p.UID] {
			pending = append(pending, p)
		}
	}
	return errors.Join(c.sync(key, j, pending))
}
