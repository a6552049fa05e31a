package statefulset

import (
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

// Controller is the StatefulSet controller. It lives on one loop.
type Controller struct {
	loop     loop.Loop
	client   *client.Client
	recorder *client.Recorder

	sets   *client.Informer[*api.StatefulSet]
	pods   *client.Informer[*api.Pod]
	claims *client.Informer[*api.PersistentVolumeClaim]
	queue  *client.Queue
}

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client, recorder: cfg.Recorder}
	c.sets = client.NewInformer[*api.StatefulSet](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.claims = client.NewInformer[*api.PersistentVolumeClaim](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	c.sets.AddHandlers(client.EnqueueKeys[*api.StatefulSet](c.queue))
	c.pods.AddHandlers(client.Handlers[*api.Pod]{
		Add:    c.enqueueOwner,
		Update: func(_, p *api.Pod) { c.enqueueOwner(p) },
		Delete: c.enqueueOwner,
	})
	return c
}

// Start starts the informers (pods and claims first, so that their caches
// are loaded before the first set is reconciled) and the queue.
func (c *Controller) Start() {
	c.pods.Start()
	c.claims.Start()
	c.sets.Start()
}

// Stop stops the informers and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.sets.Stop()
	c.claims.Stop()
	c.pods.Stop()
}

// enqueueOwner enqueues the StatefulSet a pod's controller reference names.
func (c *Controller) enqueueOwner(p *api.Pod) {
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != "StatefulSet" || !strings.HasPrefix(ref.APIVersion, "apps/") {
		return
	}
	c.queue.Add(client.KeyFor(p.Namespace, ref.Name))
}
