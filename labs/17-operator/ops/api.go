package ops

import (
	"context"
	"errors"
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/operator/database"
)

// NotImplemented is what the starter code answers where an error or a
// string is due: the checker reports "not implemented" and where to write
// the code rather than judging a placeholder.
const NotImplemented = "not implemented"

// ErrNotImplemented is the starter's error (Promote, Cleanup).
var ErrNotImplemented = errors.New(NotImplemented)

// API is one reconcile's access to the cluster, as the operator's hooks
// get it. Every method but CachedPods is a call to the API server; the
// reads are live (never from the informers' caches) but, under a
// stale-reads fault, may still be served from an old snapshot: only a
// write conditional on a resourceVersion proves that what was read is
// current. Every write here is conditional on the resourceVersion of the
// object passed in, as the API server checks it; an object whose
// resourceVersion is "" is written unconditionally (last writer wins).
type API struct {
	c   *database.Controller
	ctx context.Context
}

// New returns the API of operator c for one call of a hook.
func New(c *database.Controller, ctx context.Context) API { return API{c: c, ctx: ctx} }

func (a API) dbs() client.Resource[*database.Database] {
	return client.ForResource[*database.Database](a.c.Client(), database.Resource())
}

func (a API) pods() client.Resource[*api.Pod] { return client.For[*api.Pod](a.c.Client()) }

func (a API) configMaps() client.Resource[*api.ConfigMap] {
	return client.For[*api.ConfigMap](a.c.Client())
}

// Database reads the Database namespace/name live. A missing one is an
// error for which api.IsNotFound holds.
func (a API) Database(namespace, name string) (*database.Database, error) {
	return a.dbs().Get(a.ctx, namespace, name)
}

// Pods lists db's pods live: every pod labelled with its name, in any
// state, being deleted or not, in no particular order.
func (a API) Pods(db *database.Database) ([]*api.Pod, error) {
	list, err := a.pods().List(a.ctx, db.Namespace, client.ListOptions{LabelSelector: database.DatabaseLabel + "=" + db.Name})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// CachedPods returns db's pods as the operator's informer cache shows
// them (no call: it may be seconds old), without those being deleted, in
// ordinal order.
func (a API) CachedPods(db *database.Database) database.PodView { return a.c.CachedPods(db) }

// SetRole labels pod with role (database.RolePrimary or RoleReplica),
// conditional on pod.ResourceVersion: it fails with a conflict
// (api.IsConflict) when the pod changed since pod was read, and with
// NotFound when it is gone. pod itself is not changed.
func (a API) SetRole(pod *api.Pod, role string) error {
	next := api.DeepCopy(pod)
	if next.Labels == nil {
		next.Labels = map[string]string{}
	}
	next.Labels[database.RoleLabel] = role
	_, err := a.pods().Update(a.ctx, next, client.WriteOptions{})
	return err
}

// RecordPrimary writes pod as db's primary in its status (status.primary
// and status.primaryUID, the rest of db.Status as it is), conditional on
// db.ResourceVersion: a conflict says db changed since it was read (a
// promotion happened meanwhile, or the read was stale). db itself is not
// changed.
func (a API) RecordPrimary(db *database.Database, pod *api.Pod) error {
	next := api.DeepCopy(db)
	next.Status.Primary, next.Status.PrimaryUID = pod.Name, pod.UID
	_, err := a.dbs().UpdateStatus(a.ctx, next, client.WriteOptions{})
	return err
}

// Catalog reads the catalog ConfigMap (database.CatalogName) of namespace
// live; a missing one is an error for which api.IsNotFound holds.
func (a API) Catalog(namespace string) (*api.ConfigMap, error) {
	return a.configMaps().Get(a.ctx, namespace, database.CatalogName)
}

// UpdateCatalog writes cm (the catalog, its Data changed by the caller)
// back, conditional on cm.ResourceVersion.
func (a API) UpdateCatalog(cm *api.ConfigMap) error {
	_, err := a.configMaps().Update(a.ctx, cm, client.WriteOptions{})
	return err
}

// CreateCatalog creates the catalog of namespace, empty. It fails with
// AlreadyExists (api.IsAlreadyExists) when there is one.
func (a API) CreateCatalog(namespace string) error {
	cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: database.CatalogName, Namespace: namespace}}
	_, err := a.configMaps().Create(a.ctx, cm, client.WriteOptions{})
	return err
}

// Abandon returns the error a hook gives up with when what it read no
// longer supports what it was asked to do: the operator retries the key
// later and decides again. why says what was found.
func Abandon(format string, args ...any) error {
	return fmt.Errorf("abandoned: %s (the next reconcile decides again)", fmt.Sprintf(format, args...))
}

// Condition returns a status condition of type t (database.ConditionReady
// or ConditionAvailable): status "True" when ok, else "False", for
// generation gen, with a reason (one CamelCase word) and a message.
// lastTransitionTime is left for the operator to set when it writes.
func Condition(t string, ok bool, gen int64, reason, message string) api.Condition {
	s := api.ConditionFalse
	if ok {
		s = api.ConditionTrue
	}
	return api.Condition{Type: t, Status: s, ObservedGeneration: gen, Reason: reason, Message: message}
}
