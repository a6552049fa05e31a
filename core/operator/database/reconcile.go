package database

import (
	"context"
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// syncWait is how soon a key is looked at again while the caches load.
const syncWait = time.Second

// Reconcile brings one Database (key "namespace/name") to what it asks
// for, one step at a time, reading the caches and writing through the
// client. It is idempotent: run again after a crash at any point, it
// finishes what the last run began. An error requeues the key with a
// growing delay.
func (c *Controller) Reconcile(key string) error {
	if !c.HasSynced() {
		// Decisions on half-loaded caches are wrong decisions: a primary
		// not yet listed looks gone.
		c.queue.AddAfter(key, syncWait)
		return nil
	}
	ns, name := client.SplitKey(key)
	cached, ok := c.dbCache.Get(ns, name)
	if !ok {
		delete(c.notReadySince, key)
		return nil
	}
	db := api.DeepCopy(cached)
	ctx := context.Background()
	if db.DeletionTimestamp != nil {
		return c.finalize(ctx, db)
	}
	if !slices.Contains(db.Finalizers, Finalizer) {
		// The finalizer first, before anything exists that it guards; the
		// update's event brings the key back.
		db.Finalizers = append(db.Finalizers, Finalizer)
		_, err := c.dbs.Update(ctx, db, client.WriteOptions{})
		return err
	}
	if err := c.ensureOwned(ctx, db); err != nil {
		return err
	}
	pv := c.podView(db)
	if err := c.labelReplicas(ctx, db, pv); err != nil {
		return err
	}
	if err := c.ensurePrimary(ctx, key, db, pv); err != nil {
		return err
	}
	if err := c.register(ctx, db, pv); err != nil {
		return err
	}
	return c.writeStatus(ctx, db, c.hooks.Status(db, pv))
}

// finalize runs the cleanup a deleted Database needs and then removes the
// operator's finalizer, which lets the API server delete it.
func (c *Controller) finalize(ctx context.Context, db *Database) error {
	if !slices.Contains(db.Finalizers, Finalizer) {
		return nil
	}
	if err := c.hooks.Cleanup(c, ctx, db); err != nil {
		return err
	}
	db.Finalizers = slices.DeleteFunc(db.Finalizers, func(f string) bool { return f == Finalizer })
	// With the cached resourceVersion: if the Database changed meanwhile
	// the update conflicts and the next run cleans up again, harmlessly.
	_, err := c.dbs.Update(ctx, db, client.WriteOptions{})
	if err == nil {
		c.event(db, "Normal", "CleanedUp", "removed %s from the catalog", db.Name)
	}
	return ignoreNotFound(err)
}

// cleanup undoes what owner references cannot: the database's entry in
// the shared catalog, which nothing owns. The objects the database owns
// (its StatefulSet, Services and ConfigMap) carry owner references; the
// garbage collector deletes them once the Database is gone.
func (c *Controller) cleanup(ctx context.Context, db *Database) error {
	return c.unregister(ctx, db)
}

// ignoreNotFound returns nil for a NotFound error, else err.
func ignoreNotFound(err error) error {
	if api.IsNotFound(err) {
		return nil
	}
	return err
}
