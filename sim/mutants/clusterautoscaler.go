package mutants

import (
	"context"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/clusterautoscaler"
	"github.com/tinykube/tinykube/core/controller/manager"
)

// The cluster autoscaler's broken variants: the real autoscaler with one
// of its decisions (ScaleUp, ScaleDown, Evict) replaced.

func init() {
	All = append(All,
		&Mutant{
			Name:        "autoscaler-skips-placement-check",
			Mistake:     "the cluster autoscaler removes every node under the utilization threshold without checking that its pods fit on the nodes that stay",
			CaughtBy:    "ca-safe-removal",
			Controllers: map[string]manager.Starter{"cluster-autoscaler": startClusterAutoscaler(clusterautoscaler.Config{ScaleDown: removeAllLow})},
		},
		&Mutant{
			Name:        "autoscaler-ignores-max",
			Mistake:     "the cluster autoscaler plans scale-ups as if every node group had room for a thousand nodes, asking for more than a group's max",
			CaughtBy:    "ca-group-bounds",
			Controllers: map[string]manager.Starter{"cluster-autoscaler": startClusterAutoscaler(clusterautoscaler.Config{ScaleUp: ignoreMax})},
		},
		&Mutant{
			Name:     "autoscaler-ignores-budgets",
			Mistake:  "the cluster autoscaler plans removals without PodDisruptionBudgets and deletes the pods of a node it drains instead of evicting them",
			CaughtBy: "ca-budgets",
			Controllers: map[string]manager.Starter{"cluster-autoscaler": startClusterAutoscaler(clusterautoscaler.Config{
				ScaleDown: ignoreBudgets, Evict: deletePod})},
		},
	)
}

// startAutoscaler starts the real autoscaler with broken's seams.
func startClusterAutoscaler(broken clusterautoscaler.Config) manager.Starter {
	return func(cfg manager.Config) manager.Running {
		if cfg.CloudProvider == nil {
			return stopped{}
		}
		a := clusterautoscaler.New(clusterautoscaler.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder,
			Provider: cfg.CloudProvider, Options: cfg.Autoscaling,
			ScaleUp: broken.ScaleUp, ScaleDown: broken.ScaleDown, Evict: broken.Evict})
		a.Start()
		return a
	}
}

type stopped struct{}

func (stopped) Stop() {}

// removeAllLow removes every candidate while its group stays at or above
// its min, evicting all of its pods but DaemonSet ones: no blocker, no
// budget, no placement.
func removeAllLow(in clusterautoscaler.ScaleDownInput) ([]clusterautoscaler.Removal, map[string]string) {
	var out []clusterautoscaler.Removal
	removable := map[string]int{}
	for g, n := range in.Removable {
		removable[g] = n
	}
	for _, name := range in.Candidates {
		g := in.GroupOf[name]
		if removable[g] <= 0 {
			continue
		}
		removable[g]--
		var evict []*api.Pod
		for _, p := range in.Pods[name] {
			if ref := p.ControllerRef(); (ref == nil || ref.Kind != "DaemonSet") && !api.IsPodTerminal(p) && p.DeletionTimestamp == nil {
				evict = append(evict, p)
			}
		}
		out = append(out, clusterautoscaler.Removal{Node: name, Group: g, Evict: evict})
	}
	return out, map[string]string{}
}

// ignoreMax plans as if every group's max were 1000.
func ignoreMax(in clusterautoscaler.ScaleUpInput) clusterautoscaler.ScaleUpPlan {
	groups := make([]clusterautoscaler.NodeGroup, len(in.Groups))
	for i, g := range in.Groups {
		g.MaxSize = 1000
		groups[i] = g
	}
	in.Groups = groups
	return clusterautoscaler.PlanScaleUp(in)
}

// ignoreBudgets plans removals as if there were no budgets.
func ignoreBudgets(in clusterautoscaler.ScaleDownInput) ([]clusterautoscaler.Removal, map[string]string) {
	in.PDBs = nil
	return clusterautoscaler.PlanScaleDown(in)
}

// deletePod deletes the pod outright, where an eviction would ask its
// budget.
func deletePod(c *client.Client, p *api.Pod) error {
	_, err := client.For[*api.Pod](c).Delete(context.Background(), p.Namespace, p.Name, client.DeleteOptions{})
	return err
}
