package database

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// DefaultFailoverAfter is how long a primary may be not ready before the
// operator promotes another pod. A primary that is gone (deleted) is
// replaced at once.
const DefaultFailoverAfter = 10 * time.Second

// MaxRetryDelay caps the back-off between two tries of a failing key.
const MaxRetryDelay = 10 * time.Second

// Config is what the operator needs from its world: a loop and a client
// (the simulator's process or a real one), and optionally a recorder.
type Config struct {
	Loop     loop.Loop
	Client   *client.Client
	Recorder *client.Recorder // nil: no events
	// FailoverAfter: see DefaultFailoverAfter (0: the default).
	FailoverAfter time.Duration
	Hooks         Hooks
}

// Controller is the Database operator. It lives on one loop, like every
// controller: informers fill caches and enqueue keys, one queue runs
// Reconcile a key at a time.
type Controller struct {
	loop          loop.Loop
	client        *client.Client
	recorder      *client.Recorder
	failoverAfter time.Duration
	hooks         Hooks

	// dbs, pods, configMaps and services are typed handles for the live
	// calls; the informers are the caches.
	dbs        client.Resource[*Database]
	pods       client.Resource[*api.Pod]
	configMaps client.Resource[*api.ConfigMap]
	services   client.Resource[*api.Service]
	sets       client.Resource[*api.StatefulSet]

	dbCache  *client.Informer[*Database]
	podCache *client.Informer[*api.Pod]
	cmCache  *client.Informer[*api.ConfigMap]
	svcCache *client.Informer[*api.Service]
	setCache *client.Informer[*api.StatefulSet]
	queue    *client.Queue

	// notReadySince remembers, per database key, since when its primary
	// has been seen not ready. It is memory only: a restarted operator
	// starts the clock again, which only delays a failover.
	notReadySince map[string]time.Time
}

// New returns an operator; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client, recorder: cfg.Recorder,
		failoverAfter: cfg.FailoverAfter, hooks: cfg.Hooks.withDefaults(), notReadySince: map[string]time.Time{}}
	if c.failoverAfter <= 0 {
		c.failoverAfter = DefaultFailoverAfter
	}
	c.dbs = client.ForResource[*Database](cfg.Client, Resource())
	c.pods = client.For[*api.Pod](cfg.Client)
	c.configMaps = client.For[*api.ConfigMap](cfg.Client)
	c.services = client.For[*api.Service](cfg.Client)
	c.sets = client.For[*api.StatefulSet](cfg.Client)

	owned := client.ListOptions{LabelSelector: DatabaseLabel}
	c.dbCache = client.NewInformerOf(cfg.Loop, c.dbs, "", client.ListOptions{})
	c.podCache = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", owned)
	c.cmCache = client.NewInformer[*api.ConfigMap](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.svcCache = client.NewInformer[*api.Service](cfg.Loop, cfg.Client, "", owned)
	c.setCache = client.NewInformer[*api.StatefulSet](cfg.Loop, cfg.Client, "", owned)
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	// Conflicts are this operator's normal answer to a stale read (every
	// promotion step is conditional), so a burst of them must not push the
	// next try minutes away: retry at least every MaxRetryDelay.
	c.queue.MaxBackoff = MaxRetryDelay

	c.dbCache.AddHandlers(client.EnqueueKeys[*Database](c.queue))
	c.podCache.AddHandlers(enqueueOwner[*api.Pod](c.queue))
	c.svcCache.AddHandlers(enqueueOwner[*api.Service](c.queue))
	c.setCache.AddHandlers(enqueueOwner[*api.StatefulSet](c.queue))
	c.cmCache.AddHandlers(client.Handlers[*api.ConfigMap]{
		Add:    c.configMapChanged,
		Update: func(_, cm *api.ConfigMap) { c.configMapChanged(cm) },
		Delete: c.configMapChanged,
	})
	return c
}

// Start starts the informers (the owned kinds first, so that the first
// reconcile of a Database sees what the operator made before a restart)
// and with them the queue.
func (c *Controller) Start() {
	c.podCache.Start()
	c.cmCache.Start()
	c.svcCache.Start()
	c.setCache.Start()
	c.dbCache.Start()
}

// Stop stops the informers and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.dbCache.Stop()
	c.setCache.Stop()
	c.svcCache.Stop()
	c.cmCache.Stop()
	c.podCache.Stop()
}

// enqueueOwner returns handlers that enqueue the Database an object
// belongs to, named by its DatabaseLabel.
func enqueueOwner[T api.Object](q *client.Queue) client.Handlers[T] {
	add := func(obj T) {
		m := obj.GetObjectMeta()
		if db := m.Labels[DatabaseLabel]; db != "" {
			q.Add(client.KeyFor(m.Namespace, db))
		}
	}
	return client.Handlers[T]{Add: add, Update: func(_, obj T) { add(obj) }, Delete: add}
}

// configMapChanged enqueues the owner of a database's own ConfigMap, and
// every Database of the namespace when the catalog changes (an entry
// someone else removed is put back).
func (c *Controller) configMapChanged(cm *api.ConfigMap) {
	if db := cm.Labels[DatabaseLabel]; db != "" {
		c.queue.Add(client.KeyFor(cm.Namespace, db))
		return
	}
	if cm.Name != CatalogName {
		return
	}
	for _, db := range c.dbCache.ListNamespace(cm.Namespace, api.Everything()) {
		c.queue.Add(client.Key(db))
	}
}

// HasSynced reports whether every cache has loaded its first list.
func (c *Controller) HasSynced() bool {
	return c.dbCache.HasSynced() && c.podCache.HasSynced() && c.cmCache.HasSynced() &&
		c.svcCache.HasSynced() && c.setCache.HasSynced()
}

// event records an event about db when the operator has a recorder.
func (c *Controller) event(db *Database, typ, reason, format string, args ...any) {
	if c.recorder != nil {
		c.recorder.Eventf(db, typ, reason, format, args...)
	}
}

// Client returns the operator's API client, for a Hooks part.
func (c *Controller) Client() *client.Client { return c.client }

// CachedPods returns db's pods as the operator's cache shows them, for a
// Hooks part.
func (c *Controller) CachedPods(db *Database) PodView { return c.podView(db) }
