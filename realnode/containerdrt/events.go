package containerdrt

import (
	"time"

	apievents "github.com/containerd/containerd/api/events"
	"github.com/containerd/typeurl/v2"

	"github.com/tinykube/tinykube/core/kubelet"
)

// followEvents listens to containerd's task events for this namespace so
// the kubelet hears of an exit at once instead of at its next relist. An
// exit is recorded and the task reaped here; an OOM kill is noted so the
// exit that follows reads "OOMKilled". When the stream breaks (containerd
// restarted) it resubscribes; the kubelet's relist covers the gap.
func (r *Runtime) followEvents() {
	filter := `namespace==` + r.cfg.Namespace + `,topic~="/tasks/"`
	for r.ctx.Err() == nil {
		events, errs := r.client.Subscribe(r.ctx, filter)
	stream:
		for {
			select {
			case <-r.ctx.Done():
				return
			case <-errs:
				break stream
			case env := <-events:
				if env == nil || env.Event == nil {
					continue
				}
				ev, err := typeurl.UnmarshalAny(env.Event)
				if err != nil {
					continue
				}
				switch e := ev.(type) {
				case *apievents.TaskExit:
					if e.ID != e.ContainerID {
						continue // an exec'd process, not the container's own
					}
					if labels, err := r.reap(e.ContainerID, int(e.ExitStatus), e.ExitedAt.AsTime()); err == nil {
						r.changed(labels[kubelet.LabelPodUID])
					}
				case *apievents.TaskOOM:
					if c, err := r.client.LoadContainer(r.callCtx(), e.ContainerID); err == nil {
						c.SetLabels(r.callCtx(), map[string]string{labelOOM: "true"})
					}
				case *apievents.TaskStart:
					if c, err := r.client.LoadContainer(r.callCtx(), e.ContainerID); err == nil {
						if labels, err := c.Labels(r.callCtx()); err == nil {
							r.changed(labels[kubelet.LabelPodUID])
						}
					}
				}
			}
		}
		select {
		case <-r.ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}
