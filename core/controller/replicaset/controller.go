package replicaset

import (
	"github.com/tinykube/tinykube/core/controller"
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
	// Diff, if set, replaces Diff: how many pods to create or which to
	// delete (lab 06 runs a student's answer here).
	Diff func(rs *api.ReplicaSet, owned []*api.Pod) (create int, victims []*api.Pod)
}

// Controller is the ReplicaSet controller. It lives on one loop.
type Controller struct {
	loop     loop.Loop
	client   *client.Client
	recorder *client.Recorder
	diff     func(*api.ReplicaSet, []*api.Pod) (int, []*api.Pod)

	rsets *client.Informer[*api.ReplicaSet]
	pods  *client.Informer[*api.Pod]
	queue *client.Queue
	exp   *controller.Expectations
}

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client, recorder: cfg.Recorder, diff: cfg.Diff}
	if c.diff == nil {
		c.diff = Diff
	}
	c.rsets = client.NewInformer[*api.ReplicaSet](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	c.exp = controller.NewExpectations(cfg.Loop)
	c.rsets.AddHandlers(client.EnqueueKeys[*api.ReplicaSet](c.queue))
	c.pods.AddHandlers(client.Handlers[*api.Pod]{Add: c.addPod, Update: c.updatePod, Delete: c.deletePod})
	return c
}

// Start starts the informers (pods first, so that the pod cache is loaded
// before the first ReplicaSet is reconciled) and the queue.
func (c *Controller) Start() {
	c.pods.Start()
	c.rsets.Start()
}

// Stop stops the informers and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.rsets.Stop()
	c.pods.Stop()
}

// addPod: a new pod may be one we created (lower the expectation), or an
// orphan some ReplicaSet should adopt.
func (c *Controller) addPod(p *api.Pod) {
	if p.DeletionTimestamp != nil {
		// Already on its way out (seen first after a relist): count it as
		// a deletion so no expectation waits for it.
		c.deletePod(p)
		return
	}
	if ref := p.ControllerRef(); ref != nil {
		if rs := c.owner(p.Namespace, ref); rs != nil {
			c.exp.CreationObserved(client.Key(rs))
			c.queue.Add(client.Key(rs))
		}
		return
	}
	c.enqueueMatching(p)
}

// updatePod: labels, ownership, deletion and readiness changes all matter
// to some ReplicaSet; enqueue every one that might care.
func (c *Controller) updatePod(old, p *api.Pod) {
	if p.DeletionTimestamp != nil && old.DeletionTimestamp == nil {
		// A graceful delete is the moment the pod stops counting; the
		// removal that follows is observed again but counts once.
		c.deletePod(p)
		return
	}
	oldRef, ref := old.ControllerRef(), p.ControllerRef()
	if oldRef != nil && (ref == nil || oldRef.UID != ref.UID) {
		if rs := c.owner(old.Namespace, oldRef); rs != nil {
			c.queue.Add(client.Key(rs))
		}
	}
	if ref != nil {
		if rs := c.owner(p.Namespace, ref); rs != nil {
			key := client.Key(rs)
			c.queue.Add(key)
			// A pod that just became ready becomes available minReadySeconds
			// later: look again then.
			if !api.IsPodReady(old) && api.IsPodReady(p) && rs.Spec.MinReadySeconds > 0 {
				c.queue.AddAfter(key, time.Duration(rs.Spec.MinReadySeconds)*time.Second)
			}
		}
		return
	}
	c.enqueueMatching(p)
}

func (c *Controller) deletePod(p *api.Pod) {
	ref := p.ControllerRef()
	if ref == nil {
		return
	}
	if rs := c.owner(p.Namespace, ref); rs != nil {
		key := client.Key(rs)
		c.exp.DeletionObserved(key, client.Key(p))
		c.queue.Add(key)
	}
}

// owner returns the cached ReplicaSet a controller reference points at, or
// nil when it is not one of ours (another kind, or a ReplicaSet of the same
// name but another uid).
func (c *Controller) owner(ns string, ref *api.OwnerReference) *api.ReplicaSet {
	return controller.ResolveControllerRef(c.rsets, ns, ref, "apps", "ReplicaSet")
}

// enqueueMatching enqueues every ReplicaSet in the orphan's namespace whose
// selector matches it: one of them will adopt it.
func (c *Controller) enqueueMatching(p *api.Pod) {
	for _, rs := range c.rsets.ListNamespace(p.Namespace, api.Everything()) {
		sel, err := api.SelectorFromLabelSelector(rs.Spec.Selector)
		if err != nil || sel.Empty() {
			continue
		}
		if sel.Matches(p.Labels) {
			c.queue.Add(client.Key(rs))
		}
	}
}
