package job

import (
	"github.com/tinykube/tinykube/core/controller"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// Config is what the controller needs from its world.
type Config struct {
	Loop     loop.Loop
	Client   *client.Client
	Recorder *client.Recorder
}

// Controller is the Job controller. It lives on one loop.
type Controller struct {
	loop     loop.Loop
	client   *client.Client
	recorder *client.Recorder

	jobs  *client.Informer[*api.Job]
	pods  *client.Informer[*api.Pod]
	queue *client.Queue
	// exp guards creating and deleting pods only; counting finished pods
	// does not rely on it (a restarted controller has none): see tracking.go.
	exp *controller.Expectations
}

// byJob indexes pods by "namespace/name" of the Job their controller
// reference names (whatever its uid: a pod of a deleted Job of the same
// name must still have its finalizer removed).
const byJob = "byJob"

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client, recorder: cfg.Recorder}
	c.jobs = client.NewInformer[*api.Job](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods.AddIndex(byJob, func(p *api.Pod) []string {
		if k := jobKeyOf(p); k != "" {
			return []string{k}
		}
		return nil
	})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	c.exp = controller.NewExpectations(cfg.Loop)
	c.jobs.AddHandlers(client.EnqueueKeys[*api.Job](c.queue))
	c.pods.AddHandlers(client.Handlers[*api.Pod]{Add: c.addPod, Update: c.updatePod, Delete: c.deletePod})
	return c
}

// Start starts the informers (pods first, so that the pod cache is loaded
// before the first Job is reconciled) and the queue.
func (c *Controller) Start() {
	c.pods.Start()
	c.jobs.Start()
}

// Stop stops the informers and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.jobs.Stop()
	c.pods.Stop()
}

// jobKeyOf returns "namespace/name" of the Job controlling p, or "".
func jobKeyOf(p *api.Pod) string {
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != "Job" || !strings.HasPrefix(ref.APIVersion, "batch/") {
		return ""
	}
	return client.KeyFor(p.Namespace, ref.Name)
}

// owner returns the cached Job controlling p (same uid), or nil.
func (c *Controller) owner(p *api.Pod) *api.Job {
	return controller.ResolveControllerRef(c.jobs, p.Namespace, p.ControllerRef(), "batch", "Job")
}

func (c *Controller) addPod(p *api.Pod) {
	if p.DeletionTimestamp != nil {
		c.deletePod(p)
		return
	}
	if j := c.owner(p); j != nil {
		c.exp.CreationObserved(client.Key(j))
	}
	c.enqueueFor(p)
}

func (c *Controller) updatePod(old, p *api.Pod) {
	if p.DeletionTimestamp != nil && old.DeletionTimestamp == nil {
		c.deletePod(p)
		return
	}
	c.enqueueFor(p)
}

func (c *Controller) deletePod(p *api.Pod) {
	if j := c.owner(p); j != nil {
		c.exp.DeletionObserved(client.Key(j), client.Key(p))
	}
	c.enqueueFor(p)
}

// enqueueFor enqueues the Job named by p's controller reference, whether
// or not it still exists: a missing Job's pods must lose their finalizer.
func (c *Controller) enqueueFor(p *api.Pod) {
	if k := jobKeyOf(p); k != "" {
		c.queue.Add(k)
	}
}
