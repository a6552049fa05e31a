package endpoints

import (
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

// Controller is the Endpoints controller. It lives on one loop.
type Controller struct {
	loop     loop.Loop
	client   *client.Client
	recorder *client.Recorder

	services  *client.Informer[*api.Service]
	pods      *client.Informer[*api.Pod]
	endpoints *client.Informer[*api.Endpoints]
	queue     *client.Queue
}

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client, recorder: cfg.Recorder}
	c.services = client.NewInformer[*api.Service](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.endpoints = client.NewInformer[*api.Endpoints](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	enqueue := func(obj api.Object) { c.queue.Add(client.Key(obj)) }
	c.services.AddHandlers(client.Handlers[*api.Service]{
		Add:    func(s *api.Service) { enqueue(s) },
		Update: func(_, s *api.Service) { enqueue(s) },
		Delete: func(s *api.Service) { enqueue(s) },
	})
	c.pods.AddHandlers(client.Handlers[*api.Pod]{
		Add:    c.enqueueServicesOf,
		Update: func(old, p *api.Pod) { c.enqueueServicesOf(old); c.enqueueServicesOf(p) },
		Delete: c.enqueueServicesOf,
	})
	// Endpoints events bring back a key whose object someone else changed
	// or deleted, and, after a restart, managed Endpoints whose service is
	// gone. Our own writes come back too and find nothing to do.
	c.endpoints.AddHandlers(client.Handlers[*api.Endpoints]{
		Add:    func(ep *api.Endpoints) { enqueue(ep) },
		Update: func(_, ep *api.Endpoints) { enqueue(ep) },
		Delete: func(ep *api.Endpoints) { enqueue(ep) },
	})
	return c
}

// Start starts the informers (pods and endpoints first, so that their
// caches are loaded before the first service is reconciled).
func (c *Controller) Start() {
	c.pods.Start()
	c.endpoints.Start()
	c.services.Start()
}

// Stop stops the informers and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.services.Stop()
	c.endpoints.Stop()
	c.pods.Stop()
}

// enqueueServicesOf enqueues every service in p's namespace whose selector
// matches p's labels. Pod updates call it with the old and the new pod, so
// a pod whose labels changed is dropped by the services it left.
func (c *Controller) enqueueServicesOf(p *api.Pod) {
	for _, svc := range c.services.ListNamespace(p.Namespace, api.Everything()) {
		if len(svc.Spec.Selector) > 0 && api.SelectorFromSet(svc.Spec.Selector).Matches(p.Labels) {
			c.queue.Add(client.Key(svc))
		}
	}
}
