package database

import (
	"context"
	"maps"

	"github.com/tinykube/tinykube/core/api"
)

// The catalog is a ConfigMap per namespace, shared by every Database of
// it and by whoever reads it (clients looking up where a database's
// primary is): key = database name, value = the primary's address. No
// Database owns it, so no owner reference cleans an entry up: the
// operator's finalizer does (unregister).

// register makes db's catalog entry name its primary, once the primary is
// recorded and labelled. The write is conditional on the catalog as
// cached: a stale cache conflicts rather than overwriting what it did not
// see (an entry removed by the finalizer of a database the cache still
// shows alive).
func (c *Controller) register(ctx context.Context, db *Database, v PodView) error {
	p := v.Find(db.Status.Primary)
	if p == nil || p.UID != db.Status.PrimaryUID || p.Labels[RoleLabel] != RolePrimary {
		return nil
	}
	addr := Address(db.Namespace, db.Name, p.Name)
	cm, ok := c.cmCache.Get(db.Namespace, CatalogName)
	if !ok {
		fresh := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: CatalogName, Namespace: db.Namespace},
			Data: map[string]string{db.Name: c.hooks.CatalogEntry("", addr)}}
		_, err := c.configMaps.Create(ctx, fresh, writeOpts)
		return ignoreExists(err)
	}
	want := c.hooks.CatalogEntry(cm.Data[db.Name], addr)
	if cur, ok := cm.Data[db.Name]; ok && cur == want {
		return nil
	}
	next := api.DeepCopy(cm)
	next.Data = maps.Clone(cm.Data)
	if next.Data == nil {
		next.Data = map[string]string{}
	}
	next.Data[db.Name] = want
	_, err := c.configMaps.Update(ctx, next, writeOpts)
	return err
}

// unregister removes db's catalog entry. It reads the catalog live and
// writes it back conditionally even when the entry looks absent: only a
// successful conditional write proves that the read was current, and the
// finalizer must not go while an entry it did not see remains. A catalog
// that reads as missing is created empty, which fails if it exists.
func (c *Controller) unregister(ctx context.Context, db *Database) error {
	cm, err := c.configMaps.Get(ctx, db.Namespace, CatalogName)
	if api.IsNotFound(err) {
		empty := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: CatalogName, Namespace: db.Namespace}}
		_, err = c.configMaps.Create(ctx, empty, writeOpts)
		return err // AlreadyExists: the read was stale; try again
	}
	if err != nil {
		return err
	}
	next := api.DeepCopy(cm)
	next.Data = maps.Clone(cm.Data)
	delete(next.Data, db.Name)
	_, err = c.configMaps.Update(ctx, next, writeOpts)
	return err
}
