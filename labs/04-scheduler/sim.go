package schedulerlab

import (
	"context"
	"embed"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/scheduler"
	"github.com/tinykube/tinykube/labs/lab"
	simcluster "github.com/tinykube/tinykube/sim/cluster"
)

//go:embed scenarios/*.yaml
var scenarios embed.FS

// schedule is scheduler.Schedule with the student's two functions in
// place of the scheduler's filters and scores, for the scheduler component
// to call on every pod of a simulated run: scheduler.ScheduleWith keeps
// the scheduler's own choice among the answers (the highest score wins,
// ties broken with the run's seeded Rand). The lab's Fits is asked only
// about Ready nodes (its contract); the others are refused here, with the
// reason the scheduler gives. missing is set when the student's code says
// it is not written yet.
func (impl Impl) schedule(missing *error) func(*api.Pod, []*scheduler.NodeInfo, string, *rand.Rand) (string, *scheduler.FitError) {
	fits := func(pod *api.Pod, n *scheduler.NodeInfo) []string {
		if !ready(n.Node) {
			return []string{"node(s) had untolerated taint {node.kubernetes.io/not-ready: }"}
		}
		ok, reason := impl.Fits(pod, n)
		if strings.HasPrefix(reason, "not implemented") {
			*missing = notImplemented("Fits", fmt.Sprintf("%v, %q", ok, reason))
		}
		if !ok {
			return []string{reason}
		}
		return nil
	}
	score := func(pod *api.Pod, n *scheduler.NodeInfo) int64 {
		s := impl.Score(pod, n)
		if s == -1 {
			*missing = notImplemented("ScoreMostAllocated", "-1")
		}
		return s
	}
	return scheduler.ScheduleWith(fits, score)
}

func ready(n *api.Node) bool {
	c := n.Status.FindCondition(api.NodeReady)
	return c != nil && c.Status == api.ConditionTrue
}

// sim runs a scenario with the student's Fits and ScoreMostAllocated in
// the scheduler; after, when set, judges the finished run.
func (c checker) sim(file string, after func(*simcluster.Cluster) error) func(*lab.Env) error {
	return func(env *lab.Env) error {
		var missing error
		return lab.Simulate(env, lab.Sim{
			Scenarios: scenarios, File: file,
			Plugins: simcluster.Plugins{Schedule: c.impl.schedule(&missing)},
			Missing: &missing,
			After:   after,
			Keep: func(line string) bool {
				return strings.Contains(line, "/binding") || strings.Contains(line, "FailedScheduling")
			},
		})
	}
}

// packed fails when the pods of ReplicaSet rs are spread over more nodes
// than their requests need: bin-packing puts them on as few as it can.
func packed(rs string, want int) func(*simcluster.Cluster) error {
	return func(cl *simcluster.Cluster) error {
		pods, err := client.For[*api.Pod](cl.Admin).List(context.Background(), "default", client.ListOptions{})
		if err != nil {
			return err
		}
		on := map[string][]string{}
		for _, p := range pods.Items {
			if p.Labels["app"] == rs && p.Spec.NodeName != "" && p.DeletionTimestamp == nil {
				on[p.Spec.NodeName] = append(on[p.Spec.NodeName], p.Name)
			}
		}
		if len(on) <= want {
			return nil
		}
		var where []string
		for _, n := range slices.Sorted(maps.Keys(on)) {
			where = append(where, n+": "+strings.Join(on[n], " "))
		}
		return fmt.Errorf("the %q pods went to %d nodes, but they fit on %d and bin-packing puts them there: %s",
			rs, len(on), want, strings.Join(where, "; "))
	}
}
