package database

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// View is the cluster as an invariant sees it: the objects in the store
// right now (not any component's cache), and one fact from the past that
// a snapshot cannot show. The simulator builds it from the store after
// every step.
type View struct {
	Databases    []*Database
	Pods         []*api.Pod
	ConfigMaps   []*api.ConfigMap
	Services     []*api.Service
	StatefulSets []*api.StatefulSet
	// EverReady counts, per database ("namespace/name"), the pods (by
	// uid) of that database that have ever been Ready in the store.
	EverReady map[string]int
}

// An Invariant is one promise of the operator, stated by its author.
type Invariant struct {
	Name string
	// Doc says the promise in a sentence.
	Doc string
	// Settled invariants hold once faults have healed and the operator
	// had time to act (the simulator's liveness window); the others hold
	// after every step.
	Settled bool
	// Check returns a plain statement of what is wrong, or nil.
	Check func(v *View) error
}

// Invariants are the operator's promises, safety first.
func Invariants() []Invariant {
	return []Invariant{
		{Name: "database-one-primary", Doc: "no database ever has two pods labelled " + RoleLabel + "=primary at once (a pod being deleted still counts: it may still serve)", Check: onePrimary},
		{Name: "database-status-observed", Doc: "status.readyReplicas never exceeds the number of the database's pods ever seen Ready: status reports what was observed, never what the spec asks", Check: statusObserved},
		{Name: "database-catalog", Doc: "every entry of a catalog ConfigMap names a Database that exists and holds exactly one address, and no two entries hold the same address", Check: catalogSound},
		{Name: "database-status-true", Settled: true, Doc: "once settled, every Database's status is true: observedGeneration is its generation, readyReplicas its ready pods, status.primary a ready pod labelled primary with Ready=True, and its catalog entry that pod's address", Check: statusTrue},
		{Name: "database-cleanup", Settled: true, Doc: "once settled, nothing a deleted Database had is left: no catalog entry, and no StatefulSet, Service or ConfigMap owned by it", Check: cleanupDone},
	}
}

// InvariantNamed returns the invariant called name and whether it exists.
func InvariantNamed(name string) (Invariant, bool) {
	for _, inv := range Invariants() {
		if inv.Name == name {
			return inv, true
		}
	}
	return Invariant{}, false
}

func dbKey(ns, name string) string { return ns + "/" + name }

func onePrimary(v *View) error {
	primaries := map[string][]string{}
	for _, p := range v.Pods {
		if db := p.Labels[DatabaseLabel]; db != "" && p.Labels[RoleLabel] == RolePrimary {
			k := dbKey(p.Namespace, db)
			primaries[k] = append(primaries[k], p.Name)
		}
	}
	for _, k := range sortedKeys(primaries) {
		if ps := primaries[k]; len(ps) > 1 {
			sort.Strings(ps)
			return fmt.Errorf("database %s has %d primaries: %s", k, len(ps), strings.Join(ps, ", "))
		}
	}
	return nil
}

func statusObserved(v *View) error {
	for _, db := range v.Databases {
		k := dbKey(db.Namespace, db.Name)
		if n := db.Status.ReadyReplicas; int(n) > v.EverReady[k] {
			return fmt.Errorf("database %s reports readyReplicas %d, but only %d of its pods were ever ready", k, n, v.EverReady[k])
		}
	}
	return nil
}

func catalogSound(v *View) error {
	dbs := map[string]bool{}
	for _, db := range v.Databases {
		dbs[dbKey(db.Namespace, db.Name)] = true
	}
	for _, cm := range v.ConfigMaps {
		if cm.Name != CatalogName {
			continue
		}
		seen := map[string]string{}
		for _, name := range sortedKeys(cm.Data) {
			entry := cm.Data[name]
			if !dbs[dbKey(cm.Namespace, name)] {
				return fmt.Errorf("catalog %s/%s has an entry for database %s, which does not exist", cm.Namespace, cm.Name, name)
			}
			if entry == "" || strings.ContainsAny(entry, ", \n") {
				return fmt.Errorf("catalog %s/%s entry %s is %q, not one address", cm.Namespace, cm.Name, name, entry)
			}
			if other, dup := seen[entry]; dup {
				return fmt.Errorf("catalog %s/%s entries %s and %s both hold %s", cm.Namespace, cm.Name, other, name, entry)
			}
			seen[entry] = name
		}
	}
	return nil
}

func statusTrue(v *View) error {
	for _, db := range v.Databases {
		if db.DeletionTimestamp != nil {
			continue
		}
		k := dbKey(db.Namespace, db.Name)
		st := db.Status
		if st.ObservedGeneration != db.Generation {
			return fmt.Errorf("database %s: status.observedGeneration is %d, its generation %d", k, st.ObservedGeneration, db.Generation)
		}
		pv := NewPodView(db.Name, inNamespace(v.Pods, db.Namespace))
		if n := int32(len(pv.Ready())); st.ReadyReplicas != n {
			return fmt.Errorf("database %s: status.readyReplicas is %d, but %d of its pods are ready", k, st.ReadyReplicas, n)
		}
		p := pv.Find(st.Primary)
		if p == nil || p.UID != st.PrimaryUID || !api.IsPodReady(p) || p.Labels[RoleLabel] != RolePrimary {
			if len(pv.Ready()) > 0 {
				return fmt.Errorf("database %s: status.primary %q is not a ready pod labelled primary, although %d pods are ready", k, st.Primary, len(pv.Ready()))
			}
			continue
		}
		if c := st.Condition(ConditionReady); c == nil || c.Status != api.ConditionTrue {
			return fmt.Errorf("database %s: its primary %s is ready but condition Ready is not True", k, p.Name)
		}
		if got, want := catalogEntry(v, db.Namespace, db.Name), Address(db.Namespace, db.Name, p.Name); got != want {
			return fmt.Errorf("database %s: catalog entry is %q, want %q", k, got, want)
		}
	}
	return nil
}

func cleanupDone(v *View) error {
	alive := map[string]bool{}
	for _, db := range v.Databases {
		alive[string(db.UID)] = true
	}
	exists := map[string]bool{}
	for _, db := range v.Databases {
		exists[dbKey(db.Namespace, db.Name)] = true
	}
	for _, cm := range v.ConfigMaps {
		if cm.Name == CatalogName {
			for _, name := range sortedKeys(cm.Data) {
				if !exists[dbKey(cm.Namespace, name)] {
					return fmt.Errorf("catalog %s/%s still has an entry for deleted database %s", cm.Namespace, cm.Name, name)
				}
			}
		}
	}
	orphan := func(kind string, m *api.ObjectMeta) error {
		for _, ref := range m.OwnerReferences {
			if ref.APIVersion == APIVersion && ref.Kind == Kind && !alive[string(ref.UID)] {
				return fmt.Errorf("%s %s/%s outlives its deleted Database %s", kind, m.Namespace, m.Name, ref.Name)
			}
		}
		return nil
	}
	for _, s := range v.StatefulSets {
		if err := orphan("StatefulSet", &s.ObjectMeta); err != nil {
			return err
		}
	}
	for _, s := range v.Services {
		if err := orphan("Service", &s.ObjectMeta); err != nil {
			return err
		}
	}
	for _, cm := range v.ConfigMaps {
		if err := orphan("ConfigMap", &cm.ObjectMeta); err != nil {
			return err
		}
	}
	return nil
}

func catalogEntry(v *View, ns, db string) string {
	for _, cm := range v.ConfigMaps {
		if cm.Namespace == ns && cm.Name == CatalogName {
			return cm.Data[db]
		}
	}
	return ""
}

func inNamespace(pods []*api.Pod, ns string) []*api.Pod {
	var out []*api.Pod
	for _, p := range pods {
		if p.Namespace == ns {
			out = append(out, p)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
