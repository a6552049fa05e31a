package operatorlab

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/labs/17-operator/ops"
	"github.com/tinykube/tinykube/labs/lab"
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// drawDatabase draws a Database and the pods one reconcile sees of it: a
// few pods, ready or not, labelled primary, replica or not yet; a
// recorded primary that is one of them, a pod recreated under its name
// (another uid), a pod that is gone, or none; a generation ahead of the
// status, and a status whose counts are stale.
func drawDatabase(r *rand.Rand) (*database.Database, database.PodView) {
	db := &database.Database{
		TypeMeta:   api.TypeMeta{APIVersion: database.APIVersion, Kind: database.Kind},
		ObjectMeta: api.ObjectMeta{Namespace: "default", Name: pick(r, []string{"orders", "users"}), UID: "db-uid", Generation: 1 + r.Int64N(5)},
		Spec:       database.Spec{Replicas: int32(r.IntN(5)), Image: "busybox"},
	}
	db.Status.ObservedGeneration = r.Int64N(db.Generation + 1)
	db.Status.ReadyReplicas = int32(r.IntN(5))
	n := r.IntN(5)
	var pods []*api.Pod
	for i := range n {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: fmt.Sprintf("%s-%d", db.Name, i),
			UID: fmt.Sprintf("uid-%d-%d", i, r.IntN(2)), Labels: map[string]string{database.DatabaseLabel: db.Name}}}
		switch r.IntN(4) {
		case 0: // no role yet
		case 1:
			p.Labels[database.RoleLabel] = database.RolePrimary
		default:
			p.Labels[database.RoleLabel] = database.RoleReplica
		}
		status := api.ConditionFalse
		if r.IntN(3) > 0 {
			status = api.ConditionTrue
		}
		p.Status.Conditions = []api.PodCondition{{Type: api.PodReady, Status: status}}
		pods = append(pods, p)
	}
	switch k := r.IntN(6); {
	case k == 0 || n == 0: // never promoted
	case k == 1:
		db.Status.Primary, db.Status.PrimaryUID = fmt.Sprintf("%s-%d", db.Name, n+1), "uid-gone" // gone
	default:
		p := pick(r, pods)
		db.Status.Primary, db.Status.PrimaryUID = p.Name, p.UID
		if k == 2 {
			db.Status.PrimaryUID = "uid-before" // the pod was recreated under the name
		} else if k >= 4 {
			// the usual case: the recorded primary labelled, mostly ready
			p.Labels[database.RoleLabel] = database.RolePrimary
		}
	}
	if r.IntN(3) == 0 {
		db.Status.Phase = database.PhaseRunning
		db.Status.Conditions = []api.Condition{{Type: database.ConditionReady, Status: api.ConditionTrue, ObservedGeneration: db.Status.ObservedGeneration}}
	}
	return db, database.NewPodView(db.Name, pods)
}

// statusFacts is what the contract fixes of a Status: everything but the
// conditions' reasons, messages and times.
type statusFacts struct {
	Phase              string
	Primary            string
	PrimaryUID         string
	ReadyReplicas      int32
	ObservedGeneration int64
	Conditions         []conditionFacts
}

type conditionFacts struct {
	Type               string
	Status             api.ConditionStatus
	ObservedGeneration int64
}

func factsOf(st database.Status) statusFacts {
	f := statusFacts{Phase: st.Phase, Primary: st.Primary, PrimaryUID: st.PrimaryUID, ReadyReplicas: st.ReadyReplicas, ObservedGeneration: st.ObservedGeneration}
	for _, c := range st.Conditions {
		f.Conditions = append(f.Conditions, conditionFacts{c.Type, c.Status, c.ObservedGeneration})
	}
	return f
}

// statusRules holds Status to the operator's own ObservedStatus on
// databases drawn from the seed.
func (c checker) statusRules(env *lab.Env) error {
	for range 100 {
		db, view := drawDatabase(env.Rand)
		before, beforeView := api.DeepCopy(db), copyView(view)
		got := c.impl.Status(db, view)
		if got.Phase == ops.NotImplemented {
			return errNotWritten("Status")
		}
		if d := cmp.Diff(before, db); d != "" {
			return fmt.Errorf("Status(%s) changed the Database it was given (-before +after):\n%s\nStatus returns the new status; the operator writes it (and compares it with the old one, which it no longer has if you changed it)", describeDB(before, beforeView), d)
		}
		if d := cmp.Diff(beforeView, view); d != "" {
			return fmt.Errorf("Status(%s) changed the pods it was given (-before +after):\n%s\nthey are the informer's cache: read them only", describeDB(before, beforeView), d)
		}
		want := database.ObservedStatus(db, view)
		if d := cmp.Diff(factsOf(want), factsOf(got)); d != "" {
			return fmt.Errorf("Status(%s) is wrong (-want +got):\n%s%s", describeDB(db, view), d, whyStatus(db, view, want, got))
		}
		for _, cond := range got.Conditions {
			if cond.Reason == "" {
				return fmt.Errorf("Status(%s): condition %s has no reason: give it one CamelCase word (%q, %q…)", describeDB(db, view), cond.Type, "PrimaryReady", "NoPrimary")
			}
		}
	}
	return nil
}

// whyStatus says which rule of the contract the first wrong field breaks.
func whyStatus(db *database.Database, view database.PodView, want, got database.Status) string {
	switch {
	case got.ReadyReplicas != want.ReadyReplicas:
		if got.ReadyReplicas == db.Spec.Replicas && db.Spec.Replicas != want.ReadyReplicas {
			return fmt.Sprintf("\n    readyReplicas is spec.replicas, what is asked for; status reports what was observed: %d of the pods are ready", want.ReadyReplicas)
		}
		return fmt.Sprintf("\n    readyReplicas counts the pods of the view that are ready: %d", want.ReadyReplicas)
	case got.ObservedGeneration != want.ObservedGeneration:
		return fmt.Sprintf("\n    observedGeneration is the generation of the Database this status was computed from, %d: it tells a reader whether the status has caught up with the latest spec", db.Generation)
	case got.Primary != want.Primary || got.PrimaryUID != want.PrimaryUID:
		return "\n    status.primary and primaryUID are what the last promotion recorded: only Promote changes them, Status copies them"
	case got.Phase != want.Phase:
		return fmt.Sprintf("\n    the phase is %s: Pending without a ready primary (the recorded pod, with its uid, ready and labelled primary), else Running when every asked-for replica is ready, else Degraded", want.Phase)
	}
	return "\n    the conditions are Ready (a ready primary) then Available (every asked-for replica ready), each with observedGeneration the Database's generation"
}

func copyView(v database.PodView) database.PodView {
	out := database.PodView{}
	for _, p := range v.Pods {
		out.Pods = append(out.Pods, api.DeepCopy(p))
	}
	return out
}

// describeDB is a Database and its view in one readable line.
func describeDB(db *database.Database, v database.PodView) string {
	var pods []string
	for _, p := range v.Pods {
		ready := "not ready"
		if api.IsPodReady(p) {
			ready = "ready"
		}
		role := p.Labels[database.RoleLabel]
		if role == "" {
			role = "no role"
		}
		pods = append(pods, fmt.Sprintf("%s uid %s %s %s", p.Name, p.UID, ready, role))
	}
	return fmt.Sprintf("Database %s generation %d spec.replicas %d status{primary %q uid %q, observedGeneration %d, readyReplicas %d}, pods [%s]",
		db.Name, db.Generation, db.Spec.Replicas, db.Status.Primary, db.Status.PrimaryUID, db.Status.ObservedGeneration, db.Status.ReadyReplicas, strings.Join(pods, "; "))
}

// catalogRules holds CatalogEntry to its contract: the address, whatever
// the entry holds now, so that writing it twice (a retry after a crash or
// a lost answer) changes nothing the second time.
func (c checker) catalogRules(env *lab.Env) error {
	r := env.Rand
	for range 50 {
		db, pod := pick(r, []string{"orders", "users"}), r.IntN(3)
		addr := database.Address("default", db, fmt.Sprintf("%s-%d", db, pod))
		old := database.Address("default", db, fmt.Sprintf("%s-%d", db, (pod+1)%3))
		current := pick(r, []string{"", addr, old, old + "," + addr, addr + "," + addr})
		got := c.impl.CatalogEntry(current, addr)
		if got == ops.NotImplemented {
			return errNotWritten("CatalogEntry")
		}
		if got != addr {
			return fmt.Errorf("CatalogEntry(%q, %q) = %q, want %q: the entry names the primary now, one address, whatever it held before", current, addr, got, addr)
		}
		if again := c.impl.CatalogEntry(got, addr); again != got {
			return fmt.Errorf("CatalogEntry(%q, %q) = %q, but written again (a retry after a lost answer) it becomes %q: the write must be idempotent", current, addr, got, again)
		}
	}
	return nil
}
