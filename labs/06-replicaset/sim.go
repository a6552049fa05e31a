package replicasetlab

import (
	"context"
	"embed"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/sim/cluster"
)

//go:embed scenarios/*.yaml
var scenarios embed.FS

// plugin adapts the student's Diff to the ReplicaSet controller's hook:
// the controller passes the active pods it owns and wants the pods to
// delete; Diff names them. A name that is not among owned is dropped (the
// controller can only delete pods it has). missing is set when Diff says
// it is not written yet.
func (c checker) plugin(missing *error) func(*api.ReplicaSet, []*api.Pod) (int, []*api.Pod) {
	return func(rs *api.ReplicaSet, owned []*api.Pod) (int, []*api.Pod) {
		n, del, err := c.call(rs, owned)
		if err != nil {
			*missing = err
			return 0, nil
		}
		byName := map[string]*api.Pod{}
		for _, p := range owned {
			byName[p.Name] = p
		}
		var victims []*api.Pod
		for _, name := range del {
			if p := byName[name]; p != nil {
				victims = append(victims, p)
				delete(byName, name)
			}
		}
		return max(n, 0), victims
	}
}

// sim runs a scenario with the student's Diff in the ReplicaSet
// controller, and checks after every step that no ReplicaSet has more live
// pods than it was ever asked for.
func (c checker) sim(file string) func(*lab.Env) error {
	return func(env *lab.Env) error {
		var missing error
		return lab.Simulate(env, lab.Sim{
			Scenarios: scenarios, File: file,
			Plugins: cluster.Plugins{ReplicaSetDiff: c.plugin(&missing)},
			Missing: &missing,
			During:  neverTooMany,
			Keep: func(line string) bool {
				return strings.Contains(line, "replicasets") || strings.Contains(line, "SuccessfulCreate") || strings.Contains(line, "SuccessfulDelete")
			},
		})
	}
}

// neverTooMany fails when a ReplicaSet has more live pods (not being
// deleted, not finished) than the most replicas it was ever asked for:
// its controller created more than it was missing. It looks again only
// when the store has changed.
func neverTooMany(cl *cluster.Cluster) func() error {
	ctx := context.Background()
	var seen int64 = -1
	most := map[string]int32{} // ReplicaSet uid -> most replicas asked
	return func() error {
		rev, err := cl.Store.Revision(ctx)
		if err != nil || rev == seen {
			return err
		}
		seen = rev
		rss, err := client.For[*api.ReplicaSet](cl.Admin).List(ctx, "", client.ListOptions{})
		if err != nil {
			return err
		}
		pods, err := client.For[*api.Pod](cl.Admin).List(ctx, "", client.ListOptions{})
		if err != nil {
			return err
		}
		live := map[string][]string{}
		for _, p := range pods.Items {
			if ref := p.ControllerRef(); ref != nil && api.IsPodActive(p) {
				live[ref.UID] = append(live[ref.UID], p.Name)
			}
		}
		for _, rs := range rss.Items {
			want := int32(1)
			if rs.Spec.Replicas != nil {
				want = *rs.Spec.Replicas
			}
			most[rs.UID] = max(most[rs.UID], want)
			if n := int32(len(live[rs.UID])); n > most[rs.UID] {
				return fmt.Errorf("replicaset %s has %d live pods (%s) but was never asked for more than %d: Diff created pods that were not missing",
					rs.Name, n, strings.Join(live[rs.UID], " "), most[rs.UID])
			}
		}
		return nil
	}
}
