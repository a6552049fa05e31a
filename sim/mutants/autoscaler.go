package mutants

import (
	"github.com/tinykube/tinykube/core/controller/manager"
	"github.com/tinykube/tinykube/core/controller/podautoscaler"
)

// The HorizontalPodAutoscaler's mutants: the real controller with one
// step of its pipeline replaced through podautoscaler.Hooks. They run in
// the hpa-* scenarios of examples/scenarios.

func init() {
	All = append(All,
		&Mutant{
			Name:        "hpa-no-tolerance",
			Mistake:     "the autoscaler acts on any difference between use and target, however small, as if the tolerance were 0: noise around the target makes it scale back and forth",
			CaughtBy:    "hpa-tolerance",
			Controllers: map[string]manager.Starter{"horizontal-pod-autoscaler": startAutoscaler(podautoscaler.Hooks{Recommend: noTolerance})},
		},
		&Mutant{
			Name:        "hpa-no-stabilization",
			Mistake:     "the autoscaler acts on each sync's recommendation at once, with no stabilization window: it scales down the moment a spike pauses",
			CaughtBy:    "hpa-stabilization",
			Controllers: map[string]manager.Starter{"horizontal-pod-autoscaler": startAutoscaler(podautoscaler.Hooks{Stabilize: func(_, recommended, _ int32) int32 { return recommended }})},
		},
		&Mutant{
			Name:     "hpa-ignores-bounds",
			Mistake:  "the autoscaler writes the stabilized recommendation as it is, without the policies' rates or minReplicas and maxReplicas",
			CaughtBy: "hpa-bounds",
			Controllers: map[string]manager.Starter{"horizontal-pod-autoscaler": startAutoscaler(podautoscaler.Hooks{
				Limit: func(_, stabilized, _, _, _ int32) int32 { return max(stabilized, 0) }})},
		},
		&Mutant{
			Name:        "hpa-missing-metrics-as-idle",
			Mistake:     "the autoscaler counts a pod the metrics API has no numbers for as idle whichever way it would scale, where Kubernetes counts it at its full request on a scale-down: a node whose stats fail makes its busy pods look idle, and the target is scaled down",
			CaughtBy:    "hpa-missing-metrics",
			Controllers: map[string]manager.Starter{"horizontal-pod-autoscaler": startAutoscaler(podautoscaler.Hooks{Recommend: missingAsIdle})},
		},
	)
}

// startAutoscaler starts the real controller with hooks in place.
func startAutoscaler(h podautoscaler.Hooks) manager.Starter {
	return func(cfg manager.Config) manager.Running {
		c := podautoscaler.New(podautoscaler.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder, Hooks: h})
		c.Start()
		return c
	}
}

// noTolerance is the formula with a tolerance of zero.
func noTolerance(current int32, pods []podautoscaler.PodUsage, t podautoscaler.Target, _ podautoscaler.Tolerance) (podautoscaler.Recommendation, error) {
	return podautoscaler.Recommend(current, pods, t, podautoscaler.Tolerance{})
}

// missingAsIdle is the formula with every unmeasured pod taken as
// measured at zero use.
func missingAsIdle(current int32, pods []podautoscaler.PodUsage, t podautoscaler.Target, tol podautoscaler.Tolerance) (podautoscaler.Recommendation, error) {
	idle := make([]podautoscaler.PodUsage, len(pods))
	for i, p := range pods {
		if p.State == podautoscaler.PodReady && !p.Measured {
			p.Measured, p.Usage = true, 0
		}
		idle[i] = p
	}
	return podautoscaler.Recommend(current, idle, t, tol)
}
