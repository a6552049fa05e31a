package job

import (
	"context"
	"fmt"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// handleTTL deletes a finished Job ttlSecondsAfterFinished after it
// finished (Kubernetes has a separate TTL-after-finished controller for
// this; here the Job controller's queue is the timer). The delete is in
// the background: the garbage collector then deletes the Job's pods, and
// this controller removes their finalizers once it sees the Job gone.
func (c *Controller) handleTTL(j *api.Job) error {
	if j.Spec.TTLSecondsAfterFinished == nil {
		return nil
	}
	cond := finishedCondition(j)
	if cond == nil || cond.LastTransitionTime == nil {
		return nil
	}
	expire := cond.LastTransitionTime.Add(time.Duration(*j.Spec.TTLSecondsAfterFinished) * time.Second)
	if left := expire.Sub(c.loop.Now()); left > 0 {
		c.queue.AddAfter(client.Key(j), left)
		return nil
	}
	_, err := client.For[*api.Job](c.client).Delete(context.Background(), j.Namespace, j.Name,
		client.DeleteOptions{UID: j.UID, PropagationPolicy: "Background"})
	if err != nil && !api.IsNotFound(err) {
		return fmt.Errorf("job %s/%s: deleting it %ds after it finished: %w", j.Namespace, j.Name, *j.Spec.TTLSecondsAfterFinished, err)
	}
	return nil
}
