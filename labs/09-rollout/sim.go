package rolloutlab

import (
	"embed"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/sim/cluster"
)

//go:embed scenarios/*.yaml
var scenarios embed.FS

// plugin adapts the student's Bounds and Step to the Deployment
// controller's hook: the Deployment and its ReplicaSets become an Input
// (the bounds resolved by Bounds), and Step's Output their targets.
// missing is set when either says it is not written yet; the controller
// then leaves every ReplicaSet as it is.
func (c checker) plugin(missing *error) func(*api.Deployment, *api.ReplicaSet, []*api.ReplicaSet) (int32, []int32) {
	return func(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (int32, []int32) {
		in := Input{Replicas: replicasOf(d.Spec.Replicas), New: rsOf(newRS)}
		for _, rs := range olds {
			in.Old = append(in.Old, rsOf(rs))
		}
		unchanged := func() (int32, []int32) { return in.New.Spec, specs(in.Old) }
		var surge, unavailable api.IntOrString
		if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
			if ru.MaxSurge != nil {
				surge = *ru.MaxSurge
			}
			if ru.MaxUnavailable != nil {
				unavailable = *ru.MaxUnavailable
			}
		}
		in.MaxSurge, in.MaxUnavailable = c.impl.Bounds(in.Replicas, surge, unavailable)
		if in.MaxSurge == -1 && in.MaxUnavailable == -1 {
			*missing = errBoundsMissing
			return unchanged()
		}
		out, err := c.step(in)
		if err != nil {
			*missing = err
			return unchanged()
		}
		return out.New, out.Old
	}
}

func replicasOf(n *int32) int32 {
	if n == nil {
		return 1
	}
	return *n
}

func rsOf(rs *api.ReplicaSet) RS {
	return RS{Spec: replicasOf(rs.Spec.Replicas), Available: rs.Status.AvailableReplicas}
}

// sim runs a scenario with the student's Step and Bounds in the
// Deployment controller.
func (c checker) sim(file string) func(*lab.Env) error {
	return func(env *lab.Env) error {
		var missing error
		return lab.Simulate(env, lab.Sim{
			Scenarios: scenarios, File: file,
			Plugins: cluster.Plugins{RollingStep: c.plugin(&missing)},
			Missing: &missing,
			Keep: func(line string) bool {
				return strings.Contains(line, "ScalingReplicaSet") || strings.Contains(line, "replicasets")
			},
		})
	}
}
