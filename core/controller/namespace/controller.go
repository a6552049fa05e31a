package namespace

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// Config is what the controller needs from its world.
type Config struct {
	Loop   loop.Loop
	Client *client.Client
}

// Controller is the namespace controller. It lives on one loop.
type Controller struct {
	loop   loop.Loop
	client *client.Client

	namespaces *client.Informer[*api.Namespace]
	queue      *client.Queue
}

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client}
	c.namespaces = client.NewInformer[*api.Namespace](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	// Every namespace event brings its key; Reconcile does nothing for a
	// namespace that is not being deleted. (The content is not watched:
	// Reconcile lists it, and looks again while some remains.)
	c.namespaces.AddHandlers(client.EnqueueKeys[*api.Namespace](c.queue))
	return c
}

// Start starts the informer.
func (c *Controller) Start() { c.namespaces.Start() }

// Stop stops the informer and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.namespaces.Stop()
}
