package disruption

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
	// Allowed replaces the rule that turns counts into disruptionsAllowed
	// (nil: Allowed). It is the seam the simulator's broken variants use.
	Allowed AllowedFunc
}

// Controller is the disruption controller. It lives on one loop.
type Controller struct {
	loop     loop.Loop
	client   *client.Client
	recorder *client.Recorder
	allowed  AllowedFunc

	pdbs         *client.Informer[*api.PodDisruptionBudget]
	pods         *client.Informer[*api.Pod]
	replicaSets  *client.Informer[*api.ReplicaSet]
	deployments  *client.Informer[*api.Deployment]
	statefulSets *client.Informer[*api.StatefulSet]
	queue        *client.Queue
}

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client, recorder: cfg.Recorder, allowed: cfg.Allowed}
	if c.allowed == nil {
		c.allowed = Allowed
	}
	c.pdbs = client.NewInformer[*api.PodDisruptionBudget](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.replicaSets = client.NewInformer[*api.ReplicaSet](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.deployments = client.NewInformer[*api.Deployment](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.statefulSets = client.NewInformer[*api.StatefulSet](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	c.pdbs.AddHandlers(client.EnqueueKeys[*api.PodDisruptionBudget](c.queue))
	c.pods.AddHandlers(client.Handlers[*api.Pod]{
		Add:    c.enqueueBudgetsOf,
		Update: func(old, p *api.Pod) { c.enqueueBudgetsOf(old); c.enqueueBudgetsOf(p) },
		Delete: c.enqueueBudgetsOf,
	})
	// A change of scale changes what percentage budgets expect.
	c.replicaSets.AddHandlers(namespaceHandlers[*api.ReplicaSet](c))
	c.deployments.AddHandlers(namespaceHandlers[*api.Deployment](c))
	c.statefulSets.AddHandlers(namespaceHandlers[*api.StatefulSet](c))
	return c
}

// Start starts the informers, the budgets' last so that the others'
// caches are loaded when the first budget is reconciled.
func (c *Controller) Start() {
	c.pods.Start()
	c.replicaSets.Start()
	c.deployments.Start()
	c.statefulSets.Start()
	c.pdbs.Start()
}

// Stop stops the informers and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.pdbs.Stop()
	c.statefulSets.Stop()
	c.deployments.Stop()
	c.replicaSets.Stop()
	c.pods.Stop()
}

// enqueueBudgetsOf enqueues every budget of p's namespace that covers p.
func (c *Controller) enqueueBudgetsOf(p *api.Pod) {
	for _, pdb := range c.pdbs.ListNamespace(p.Namespace, api.Everything()) {
		if pdb.Covers(p) {
			c.queue.Add(client.Key(pdb))
		}
	}
}

// enqueueNamespace enqueues every budget of namespace ns.
func (c *Controller) enqueueNamespace(ns string) {
	for _, pdb := range c.pdbs.ListNamespace(ns, api.Everything()) {
		c.queue.Add(client.Key(pdb))
	}
}

func namespaceHandlers[T api.Object](c *Controller) client.Handlers[T] {
	on := func(o T) { c.enqueueNamespace(o.GetObjectMeta().Namespace) }
	return client.Handlers[T]{Add: on, Update: func(_, o T) { on(o) }, Delete: on}
}
