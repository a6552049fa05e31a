package servicelb

import (
	"slices"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// Finalizer holds a LoadBalancer service's deletion back until its load
// balancer is released. Kubernetes' service controller uses the same name.
const Finalizer = "service.kubernetes.io/load-balancer-cleanup"

// Event reasons, as Kubernetes' service controller writes them.
const (
	ReasonEnsured      = "EnsuredLoadBalancer"
	ReasonDeleted      = "DeletedLoadBalancer"
	ReasonSyncFailed   = "SyncLoadBalancerFailed"
	ReasonDeleteFailed = "DeleteLoadBalancerFailed"
)

// Config is what the controller needs from its world.
type Config struct {
	Loop     loop.Loop
	Client   *client.Client
	Recorder *client.Recorder
	Provider Provider
}

// Controller is the service load-balancer controller. It lives on one
// loop.
type Controller struct {
	loop     loop.Loop
	client   *client.Client
	recorder *client.Recorder
	provider Provider

	services *client.Informer[*api.Service]
	nodes    *client.Informer[*api.Node]
	queue    *client.Queue

	// adopted: the provider has been shown the cache's recorded addresses
	// (see Adopter).
	adopted bool
	// provisioned holds, by key, the services whose load balancer was
	// ensured and not yet released, as last seen: a service that vanishes
	// without the finalizer (someone removed it) is still released.
	provisioned map[string]*api.Service
	// readyNodes is the node set load balancers were last aimed at.
	readyNodes []string
}

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client, recorder: cfg.Recorder, provider: cfg.Provider,
		provisioned: map[string]*api.Service{}}
	c.services = client.NewInformer[*api.Service](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.nodes = client.NewInformer[*api.Node](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	enqueue := func(s *api.Service) {
		if wantsLoadBalancer(s) || needsCleanup(s) || c.provisioned[client.Key(s)] != nil {
			c.queue.Add(client.Key(s))
		}
	}
	c.services.AddHandlers(client.Handlers[*api.Service]{
		Add:    enqueue,
		Update: func(_, s *api.Service) { enqueue(s) },
		Delete: enqueue,
	})
	nodesChanged := func() { c.nodesChanged() }
	c.nodes.AddHandlers(client.Handlers[*api.Node]{
		Add:    func(*api.Node) { nodesChanged() },
		Update: func(_, _ *api.Node) { nodesChanged() },
		Delete: func(*api.Node) { nodesChanged() },
	})
	return c
}

// Start starts the informers (nodes first, so load balancers are aimed at
// the nodes from the first reconcile) and the queue.
func (c *Controller) Start() {
	c.nodes.Start()
	c.services.Start()
}

// Stop stops the informers and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.services.Stop()
	c.nodes.Stop()
}

// Queue returns the work queue, so tests and drivers can tune its back-off.
func (c *Controller) Queue() *client.Queue { return c.queue }

// wantsLoadBalancer: the service is of type LoadBalancer and not being
// deleted.
func wantsLoadBalancer(s *api.Service) bool {
	return s.Spec.Type == api.ServiceLoadBalancer && s.DeletionTimestamp == nil
}

// needsCleanup: the service holds (or may hold) a load balancer it no
// longer wants.
func needsCleanup(s *api.Service) bool {
	return !wantsLoadBalancer(s) && (s.HasFinalizer(Finalizer) || len(s.Status.LoadBalancer.Ingress) > 0 && s.Spec.Type != api.ServiceLoadBalancer)
}

// nodesChanged re-ensures every load balancer when the set of ready nodes
// changes; heartbeats that change nothing else are ignored.
func (c *Controller) nodesChanged() {
	ready := c.readyNodeNames()
	if slices.Equal(ready, c.readyNodes) {
		return
	}
	c.readyNodes = ready
	for _, s := range c.services.List(api.Everything()) {
		if wantsLoadBalancer(s) {
			c.queue.Add(client.Key(s))
		}
	}
}

// ready returns the ready nodes not being deleted, by name.
func (c *Controller) ready() []*api.Node {
	var out []*api.Node
	for _, n := range c.nodes.List(api.Everything()) {
		if cond := n.Status.FindCondition(api.NodeReady); cond != nil && cond.Status == api.ConditionTrue && n.DeletionTimestamp == nil {
			out = append(out, n)
		}
	}
	return out
}

func (c *Controller) readyNodeNames() []string {
	var out []string
	for _, n := range c.ready() {
		out = append(out, n.Name)
	}
	return out
}

// adopt shows an Adopter provider the addresses recorded in the cache,
// once, after the services informer has synced. Services are shown in key
// order, so of two that claim one address the first keeps it.
func (c *Controller) adopt() bool {
	if c.adopted {
		return true
	}
	if !c.services.HasSynced() {
		return false
	}
	c.adopted = true
	for _, s := range c.services.List(api.Everything()) {
		if len(s.Status.LoadBalancer.Ingress) == 0 || !(s.Spec.Type == api.ServiceLoadBalancer || s.HasFinalizer(Finalizer)) {
			continue
		}
		if a, ok := c.provider.(Adopter); ok {
			a.Adopt(s)
		}
		c.provisioned[client.Key(s)] = s
	}
	return true
}
