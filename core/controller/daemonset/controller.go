package daemonset

import (
	"github.com/tinykube/tinykube/core/controller"
	"reflect"
	"time"

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

// Controller is the DaemonSet controller. It lives on one loop.
type Controller struct {
	loop     loop.Loop
	client   *client.Client
	recorder *client.Recorder

	dsets *client.Informer[*api.DaemonSet]
	pods  *client.Informer[*api.Pod]
	nodes *client.Informer[*api.Node]
	queue *client.Queue
	exp   *controller.Expectations
}

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client, recorder: cfg.Recorder}
	c.dsets = client.NewInformer[*api.DaemonSet](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.nodes = client.NewInformer[*api.Node](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	c.exp = controller.NewExpectations(cfg.Loop)
	c.dsets.AddHandlers(client.EnqueueKeys[*api.DaemonSet](c.queue))
	c.pods.AddHandlers(client.Handlers[*api.Pod]{Add: c.addPod, Update: c.updatePod, Delete: c.deletePod})
	c.nodes.AddHandlers(client.Handlers[*api.Node]{
		Add:    func(*api.Node) { c.enqueueAll() },
		Update: c.updateNode,
		Delete: func(*api.Node) { c.enqueueAll() },
	})
	return c
}

// Start starts the informers (pods and nodes first, so that their caches
// are loaded before the first DaemonSet is reconciled).
func (c *Controller) Start() {
	c.pods.Start()
	c.nodes.Start()
	c.dsets.Start()
}

// Stop stops the informers and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.dsets.Stop()
	c.nodes.Stop()
	c.pods.Stop()
}

func (c *Controller) enqueueAll() {
	for _, ds := range c.dsets.List(api.Everything()) {
		c.queue.Add(client.Key(ds))
	}
}

// updateNode enqueues every DaemonSet when something that decides where
// daemon pods run changed; heartbeats alone change nothing.
func (c *Controller) updateNode(old, n *api.Node) {
	if !reflect.DeepEqual(old.Labels, n.Labels) || !reflect.DeepEqual(old.Spec.Taints, n.Spec.Taints) ||
		old.Spec.Unschedulable != n.Spec.Unschedulable || nodeIsReady(old) != nodeIsReady(n) ||
		(old.DeletionTimestamp == nil) != (n.DeletionTimestamp == nil) ||
		!reflect.DeepEqual(old.Status.Allocatable, n.Status.Allocatable) {
		c.enqueueAll()
	}
}

func nodeIsReady(n *api.Node) bool {
	cond := n.Status.FindCondition(api.NodeReady)
	return cond != nil && cond.Status == api.ConditionTrue
}

// addPod: a new pod of ours lowers the expectation of creations.
func (c *Controller) addPod(p *api.Pod) {
	if p.DeletionTimestamp != nil {
		c.deletePod(p) // first seen already terminating (after a relist)
		return
	}
	if ds := c.owner(p); ds != nil {
		c.exp.CreationObserved(client.Key(ds))
		c.queue.Add(client.Key(ds))
	}
}

func (c *Controller) updatePod(old, p *api.Pod) {
	if p.DeletionTimestamp != nil && old.DeletionTimestamp == nil {
		c.deletePod(p) // the graceful delete is when it stops counting
		return
	}
	ds := c.owner(p)
	if ds == nil {
		return
	}
	key := client.Key(ds)
	c.queue.Add(key)
	// A pod that just became ready becomes available minReadySeconds later.
	if !api.IsPodReady(old) && api.IsPodReady(p) && ds.Spec.MinReadySeconds > 0 {
		c.queue.AddAfter(key, time.Duration(ds.Spec.MinReadySeconds)*time.Second)
	}
}

func (c *Controller) deletePod(p *api.Pod) {
	if ds := c.owner(p); ds != nil {
		key := client.Key(ds)
		c.exp.DeletionObserved(key, client.Key(p))
		c.queue.Add(key)
	}
}

// owner returns the cached DaemonSet controlling p, or nil.
func (c *Controller) owner(p *api.Pod) *api.DaemonSet {
	return controller.ResolveControllerRef(c.dsets, p.Namespace, p.ControllerRef(), "apps", "DaemonSet")
}
