package crdcleanup

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// Config is what the controller needs from its world.
type Config struct {
	Loop   loop.Loop
	Client *client.Client
}

// Delays of the work queue.
const (
	// notSyncedDelay is how long a key waits while the cache loads.
	notSyncedDelay = 100 * time.Millisecond
	// RecheckDelay is how soon a definition is looked at again when the
	// cache and the API disagree about it (one of them lags).
	RecheckDelay = 2 * time.Second
	// MaxBackoff caps the retries of a definition whose objects are still
	// going (held by their finalizers) or whose calls fail: nothing tells
	// the controller when the objects go, so it polls, more slowly the
	// longer they stay, up to this.
	MaxBackoff = 30 * time.Second
)

// Controller is the cleanup controller. It lives on one loop.
type Controller struct {
	loop   loop.Loop
	client *client.Client

	crds  *client.Informer[*api.CustomResourceDefinition]
	queue *client.Queue
}

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client}
	c.crds = client.NewInformer[*api.CustomResourceDefinition](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	c.queue.Backoff, c.queue.MaxBackoff = 100*time.Millisecond, MaxBackoff
	// Every definition event brings its name; Reconcile does nothing for
	// one that is not being deleted.
	c.crds.AddHandlers(client.EnqueueKeys[*api.CustomResourceDefinition](c.queue))
	return c
}

// Start starts the informer.
func (c *Controller) Start() { c.crds.Start() }

// Stop stops the informer and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.crds.Stop()
}
