package garbagecollector

import (
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// Finalizers of the propagation policies, as the API server adds them.
const (
	FinalizerOrphan     = "orphan"
	FinalizerForeground = "foregroundDeletion"
)

// notSyncedDelay is how long a key waits while the caches are loading.
const notSyncedDelay = 100 * time.Millisecond

// virtualRecheck is how soon a dependent is looked at again when its
// owner was found by asking the API, not in the graph.
const virtualRecheck = 5 * time.Second

// Config is what the collector needs from its world.
type Config struct {
	Loop   loop.Loop
	Client *client.Client
	// Recorder may be nil; the collector records only a warning about an
	// ownerReference that can never resolve.
	Recorder *client.Recorder
}

// source is one informer, whatever its kind.
type source interface {
	Start()
	Stop()
	HasSynced() bool
}

// Controller is the garbage collector. It lives on one loop.
type Controller struct {
	loop     loop.Loop
	client   *client.Client
	recorder *client.Recorder

	sources []source
	graph   *graph
	queue   *client.Queue

	// kinds follows the CustomResourceDefinitions: the resources owner
	// references resolve through, and an informer per custom resource.
	kinds *customKinds
}

// New returns a collector; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client, recorder: cfg.Recorder, graph: newGraph()}
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	watch[*api.Pod](c)
	watch[*api.ReplicaSet](c)
	watch[*api.Deployment](c)
	watch[*api.Service](c)
	watch[*api.Endpoints](c)
	watch[*api.ConfigMap](c)
	watch[*api.Secret](c)
	watch[*api.ServiceAccount](c)
	// Workloads and RBAC objects are what controllers and operators
	// create for the objects they own: a CronJob's Jobs, an operator's
	// StatefulSet, Role and RoleBinding. Unwatched, a dependent is never
	// seen, so it outlives its owner.
	watch[*api.StatefulSet](c)
	watch[*api.DaemonSet](c)
	watch[*api.Job](c)
	watch[*api.CronJob](c)
	watch[*api.PodDisruptionBudget](c)
	watch[*api.Role](c)
	watch[*api.RoleBinding](c)
	// Claims: a StatefulSet's retention policy hands them to the set or
	// to a pod.
	watch[*api.PersistentVolumeClaim](c)
	// Cluster-scoped: namespaces. Nodes, Leases and Events are left out:
	// they change often and tinykube never sets ownerReferences on them
	// or points them at one another. An owner of an unwatched kind is
	// still found by a live read.
	watch[*api.Namespace](c)
	c.kinds = newCustomKinds(c)
	return c
}

// watch adds an informer of the kind T whose handlers keep the graph.
func watch[T api.Object](c *Controller) {
	var zero T
	res := api.ResourceOf(zero)
	inf := client.NewInformer[T](c.loop, c.client, "", client.ListOptions{})
	keepGraph(c, res, inf)
	c.sources = append(c.sources, inf)
}

// keepGraph registers on inf, an informer of res, the handlers that keep
// the graph: every object it adds or updates is observed, every object it
// deletes forgotten.
func keepGraph[T api.Object](c *Controller, res *api.Resource, inf *client.Informer[T]) {
	inf.AddHandlers(client.Handlers[T]{
		Add: func(obj T) { c.observe(res, obj) },
		Update: func(old, obj T) {
			// After a relist, an object deleted and re-created under the
			// same name comes as an update: two uids, two nodes.
			if old.GetObjectMeta().UID != obj.GetObjectMeta().UID {
				c.forget(old)
			}
			c.observe(res, obj)
		},
		Delete: func(obj T) { c.forget(obj) },
	})
}

// Start starts the informers; work waits until all of them have synced.
func (c *Controller) Start() {
	for _, s := range c.sources {
		s.Start()
	}
	c.kinds.start()
}

// Stop stops the informers and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	for _, s := range c.sources {
		s.Stop()
	}
	c.kinds.stop()
}

// synced reports whether the graph holds every object the collector
// watches: the built-in informers and the custom resources' (see
// customKinds.synced).
func (c *Controller) synced() bool {
	for _, s := range c.sources {
		if !s.HasSynced() {
			return false
		}
	}
	return c.kinds.synced()
}

// observe records an object's owners and enqueues what may have to act:
// the object itself when its owners or its deletion changed, and its
// owners (one being deleted in the foreground or orphaning waits for, or
// must see, its dependents).
func (c *Controller) observe(res *api.Resource, obj api.Object) {
	n := nodeOf(res, obj)
	old := c.graph.put(n)
	if old != nil && sameEdges(old.owners, n.owners) && old.deleting == n.deleting && slices.Equal(old.finalizers, n.finalizers) {
		return
	}
	c.queue.Add(n.uid)
	c.enqueueOwners(n)
	if old != nil {
		c.enqueueOwners(old)
	}
}

// forget drops a deleted object: its dependents may now be orphans, and
// its owners may have been waiting for it.
func (c *Controller) forget(obj api.Object) {
	n := c.graph.remove(obj.GetObjectMeta().UID)
	if n == nil {
		return
	}
	for _, d := range c.graph.dependentsOf(n.uid) {
		c.queue.Add(d.uid)
	}
	c.enqueueOwners(n)
}

func (c *Controller) enqueueOwners(n *node) {
	for _, ref := range n.owners {
		if c.graph.nodes[ref.UID] != nil {
			c.queue.Add(ref.UID)
		}
	}
}
