package mutants

import (
	"math/rand/v2"
	"slices"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/controller/cronjob"
	"github.com/tinykube/tinykube/core/controller/deployment"
	"github.com/tinykube/tinykube/core/proxy"
	"github.com/tinykube/tinykube/core/scheduler"
)

// The mutants that are one wrong decision: each calls the real decision
// function with the one thing it gets wrong.

// ignoreAssumedPods schedules as if the pods the scheduler only assumes
// bound (NodeInfo.Assumed: bound by it, not yet shown bound by its
// informer) were not on their nodes.
func ignoreAssumedPods(pod *api.Pod, nodes []*scheduler.NodeInfo, scoring string, r *rand.Rand) (string, *scheduler.FitError) {
	recounted := make([]*scheduler.NodeInfo, len(nodes))
	for i, ni := range nodes {
		recounted[i] = scheduler.NewNodeInfo(ni.Node)
		for _, p := range ni.Pods {
			if !slices.Contains(ni.Assumed, p) {
				recounted[i].AddPod(p)
			}
		}
	}
	return scheduler.Schedule(pod, recounted, scoring, r)
}

// assumeAvailable takes the real rolling step with every ReplicaSet's
// available replicas read from its spec: pods asked for count as
// available before they are even ready.
func assumeAvailable(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (int32, []int32) {
	asked := func(rs *api.ReplicaSet) *api.ReplicaSet {
		out := api.DeepCopy(rs)
		out.Status.AvailableReplicas = 1 // spec.replicas unset means 1
		if rs.Spec.Replicas != nil {
			out.Status.AvailableReplicas = *rs.Spec.Replicas
		}
		return out
	}
	oldsAsked := make([]*api.ReplicaSet, len(olds))
	for i, rs := range olds {
		oldsAsked[i] = asked(rs)
	}
	return deployment.RollingStep(d, asked(newRS), oldsAsked)
}

// ignoreForbid admits a run under Forbid as if the policy were Allow.
func ignoreForbid(cj *api.CronJob, active []*api.Job) cronjob.Admission {
	if cj.Spec.ConcurrencyPolicy == api.ForbidConcurrent {
		return cronjob.Start
	}
	return cronjob.Admit(cj, active)
}

// keepRemoved installs next with every backend of the installed table
// kept in it.
func keepRemoved(installed, next *proxy.Table) *proxy.Table {
	if installed == nil {
		return next
	}
	for _, p := range next.Ports {
		if o := installed.Lookup(p.Namespace, p.Name, p.PortName); o != nil {
			for _, e := range o.Backends {
				if !slices.ContainsFunc(p.Backends, func(x proxy.Endpoint) bool { return x.IP == e.IP && x.Port == e.Port }) {
					p.Backends = append(p.Backends, e)
				}
			}
		}
	}
	return next
}
