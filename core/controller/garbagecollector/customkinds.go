package garbagecollector

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller"
	"github.com/tinykube/tinykube/core/loop"
)

// Custom resources own and are owned like built-in kinds, but the
// collector learns of them only at run time. customKinds follows the
// CustomResourceDefinitions and keeps, as Kubernetes' collector keeps its
// "monitors" from discovery:
//
//	CRD informer ──any change──▶ resync
//	                              │ set: built-ins + every served version (owner refs resolve here)
//	                              │ one informer per custom resource (group/plural), started or stopped
//	                              └ gone: group/Kind of definitions deleted (their owners are gone too)
//
// A definition is removed from the store only after the cleanup
// controller (core/controller/crdcleanup) has deleted its every object,
// so an owner reference to a kind whose definition the collector saw
// deleted names an owner that no longer exists.

// monitorSyncTimeout is how long the collector waits for a new custom
// resource's informer to load before working without it (a kind the API
// keeps failing to list must not stop the collection of every other).
// Until it loads, owners of that kind are found by live reads.
const monitorSyncTimeout = 30 * time.Second

// monitor is the informer of one custom resource.
type monitor struct {
	res     *api.Resource
	uid     string // the definition's
	inf     *client.Informer[api.Object]
	waited  bool       // monitorSyncTimeout passed before it synced
	timeout loop.Timer // ends the wait
}

// customKinds is the collector's view of the custom resources.
type customKinds struct {
	c        *Controller
	crds     *client.Informer[*api.CustomResourceDefinition]
	set      *api.ResourceSet
	monitors map[string]*monitor // by "group/plural"
	gone     map[string]bool     // "group/Kind" of deleted definitions
	started  bool
}

// newCustomKinds returns the view, following the definitions through an
// informer of its own (started by start).
func newCustomKinds(c *Controller) *customKinds {
	k := &customKinds{c: c, set: api.BuiltinResources(), monitors: map[string]*monitor{}, gone: map[string]bool{}}
	k.crds = client.NewInformer[*api.CustomResourceDefinition](c.loop, c.client, "", client.ListOptions{})
	k.crds.AddHandlers(client.Handlers[*api.CustomResourceDefinition]{
		Add:    func(*api.CustomResourceDefinition) { k.resync() },
		Update: func(_, _ *api.CustomResourceDefinition) { k.resync() },
		Delete: func(crd *api.CustomResourceDefinition) {
			if crd.Status.AcceptedNames.Kind != "" {
				k.gone[crd.Spec.Group+"/"+crd.Status.AcceptedNames.Kind] = true
			}
			k.resync()
		},
	})
	return k
}

func (k *customKinds) start() {
	k.started = true
	k.crds.Start()
	for _, m := range k.monitors {
		k.startMonitor(m)
	}
}

func (k *customKinds) stop() {
	k.started = false
	k.crds.Stop()
	for _, m := range k.monitors {
		k.stopMonitor(m)
	}
}

// synced reports whether the definitions have loaded and every custom
// resource's informer has loaded or been waited for long enough.
func (k *customKinds) synced() bool {
	if !k.crds.HasSynced() {
		return false
	}
	for _, m := range k.monitors {
		if !m.inf.HasSynced() && !m.waited {
			return false
		}
	}
	return true
}

// resync rebuilds the resource set from the cached definitions and
// starts, keeps or stops the informers to match: one per custom resource
// served, at the version controller.CustomResourceOf picks. An informer
// whose definition was replaced (another uid) or whose version changed is
// stopped and a new one started; the objects the old one held are
// forgotten first, so that their dependents are looked at again (their
// owners then resolve live, or through gone).
//
// Contract: called on the collector's loop, from the definition
// informer's handlers.
func (k *customKinds) resync() {
	crds := k.crds.List(api.Everything())
	var custom []*api.Resource
	want := map[string]*monitor{}
	for _, crd := range crds {
		custom = append(custom, api.ResourcesFromCRD(crd)...)
		res := controller.CustomResourceOf(crd)
		if res == nil {
			continue
		}
		want[res.Group+"/"+res.Plural] = &monitor{res: res, uid: crd.UID}
	}
	k.set = api.NewResourceSet(custom)
	for _, r := range k.set.Custom() {
		delete(k.gone, r.Group+"/"+r.Kind)
	}
	for _, key := range slices.Sorted(maps.Keys(k.monitors)) {
		m := k.monitors[key]
		if w := want[key]; w != nil && w.uid == m.uid && w.res.Version == m.res.Version && k.served(w.res) {
			continue
		}
		k.stopMonitor(m)
		for _, obj := range m.inf.List(api.Everything()) {
			k.c.forget(obj)
		}
		delete(k.monitors, key)
	}
	for _, key := range slices.Sorted(maps.Keys(want)) {
		if k.monitors[key] != nil || !k.served(want[key].res) {
			continue
		}
		m := want[key]
		m.inf = client.NewDynamicInformer(k.c.loop, k.c.client, m.res, "", client.ListOptions{})
		keepGraph(k.c, m.res, m.inf)
		k.monitors[key] = m
		if k.started {
			k.startMonitor(m)
		}
	}
}

// served reports whether the set serves res as a custom resource (a
// definition that takes a built-in kind's group and plural is not).
func (k *customKinds) served(res *api.Resource) bool {
	r := k.set.ByGroupVersionPlural(res.Group, res.Version, res.Plural)
	return r != nil && r.Custom != nil
}

func (k *customKinds) startMonitor(m *monitor) {
	m.inf.Start()
	if m.timeout == nil && !m.waited {
		m.timeout = k.c.loop.After(monitorSyncTimeout, func() { m.waited = true })
	}
}

func (k *customKinds) stopMonitor(m *monitor) {
	m.inf.Stop()
	if m.timeout != nil {
		m.timeout.Stop()
		m.timeout = nil
	}
}

// resourceFor resolves an owner reference's apiVersion and kind: a
// built-in kind, or a custom resource at that version, or at any version
// its definition serves (every version reaches the same objects), or nil.
func (k *customKinds) resourceFor(apiVersion, kind string) *api.Resource {
	if r := k.set.For(apiVersion, kind); r != nil {
		return r
	}
	group := groupOf(apiVersion)
	for _, r := range k.set.Custom() {
		if r.Group == group && r.Kind == kind {
			return r
		}
	}
	return nil
}

// definitionGone reports whether the kind of apiVersion was defined by a
// CustomResourceDefinition the collector saw deleted, and no definition
// serves it now.
func (k *customKinds) definitionGone(apiVersion, kind string) bool {
	return k.gone[groupOf(apiVersion)+"/"+kind]
}

// groupOf returns the group of an apiVersion ("" for "v1").
func groupOf(apiVersion string) string {
	group, _, ok := strings.Cut(apiVersion, "/")
	if !ok {
		return ""
	}
	return group
}
