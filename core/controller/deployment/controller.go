package deployment

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller"
	"github.com/tinykube/tinykube/core/loop"
)

// Config is what the controller needs from its world.
type Config struct {
	Loop     loop.Loop
	Client   *client.Client
	Recorder *client.Recorder
	// RollingStep, if set, replaces RollingStep, the decision of one
	// rolling-update step (lab 09 runs a student's answer here): given the
	// Deployment, its new ReplicaSet and the old ones, oldest first, it
	// returns their target replicas; the controller scales those that
	// differ.
	RollingStep func(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (newReplicas int32, oldReplicas []int32)
}

// Controller is the Deployment controller. It lives on one loop.
//
// It never creates pods: it creates and scales ReplicaSets, and the
// ReplicaSet controller turns their replicas into pods. Unlike that
// controller it needs no expectations: every write it makes (a ReplicaSet
// create with a name fixed by the template hash, a scale carrying the
// cached resourceVersion) fails cleanly when its cache is stale, and the
// key is retried on fresh data.
type Controller struct {
	loop        loop.Loop
	client      *client.Client
	recorder    *client.Recorder
	rollingStep func(*api.Deployment, *api.ReplicaSet, []*api.ReplicaSet) (int32, []int32)

	deploys *client.Informer[*api.Deployment]
	rsets   *client.Informer[*api.ReplicaSet]
	pods    *client.Informer[*api.Pod]
	queue   *client.Queue
}

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client, recorder: cfg.Recorder, rollingStep: cfg.RollingStep}
	if c.rollingStep == nil {
		c.rollingStep = RollingStep
	}
	c.deploys = client.NewInformer[*api.Deployment](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.rsets = client.NewInformer[*api.ReplicaSet](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	c.deploys.AddHandlers(client.EnqueueKeys[*api.Deployment](c.queue))
	c.rsets.AddHandlers(client.Handlers[*api.ReplicaSet]{
		Add:    c.enqueueForRS,
		Update: func(old, rs *api.ReplicaSet) { c.enqueueForRS(old); c.enqueueForRS(rs) },
		Delete: c.enqueueForRS,
	})
	// Only Recreate looks at pods: it waits until the old ones are gone.
	c.pods.AddHandlers(client.Handlers[*api.Pod]{
		Update: func(_, p *api.Pod) { c.enqueueForPod(p) },
		Delete: c.enqueueForPod,
	})
	return c
}

// Start starts the informers (pods and ReplicaSets first, so that their
// caches load before the first Deployment is reconciled) and the queue.
func (c *Controller) Start() {
	c.pods.Start()
	c.rsets.Start()
	c.deploys.Start()
}

// Stop stops the informers and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.deploys.Stop()
	c.rsets.Stop()
	c.pods.Stop()
}

// enqueueForRS enqueues the Deployment that controls rs or, for an orphan,
// every Deployment whose selector matches it (one of them adopts it).
func (c *Controller) enqueueForRS(rs *api.ReplicaSet) {
	if ref := rs.ControllerRef(); ref != nil {
		if d := c.owner(rs.Namespace, ref); d != nil {
			c.queue.Add(client.Key(d))
		}
		return
	}
	for _, d := range c.deploys.ListNamespace(rs.Namespace, api.Everything()) {
		sel, err := api.SelectorFromLabelSelector(d.Spec.Selector)
		if err == nil && !sel.Empty() && sel.Matches(rs.Labels) {
			c.queue.Add(client.Key(d))
		}
	}
}

// enqueueForPod enqueues the Deployment above the pod's ReplicaSet.
func (c *Controller) enqueueForPod(p *api.Pod) {
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != "ReplicaSet" {
		return
	}
	rs, ok := c.rsets.Get(p.Namespace, ref.Name)
	if !ok || rs.UID != ref.UID {
		return
	}
	if dref := rs.ControllerRef(); dref != nil {
		if d := c.owner(rs.Namespace, dref); d != nil {
			c.queue.Add(client.Key(d))
		}
	}
}

// owner returns the cached Deployment a controller reference points at, or
// nil when it is not one of ours.
func (c *Controller) owner(ns string, ref *api.OwnerReference) *api.Deployment {
	return controller.ResolveControllerRef(c.deploys, ns, ref, "apps", "Deployment")
}

// notSyncedDelay is how long a key waits when the caches are still loading.
const notSyncedDelay = 100 * time.Millisecond
