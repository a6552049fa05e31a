package daemonset

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/core/scheduler"
)

// RevisionHashLabel carries the hash of the template a pod was made from.
const RevisionHashLabel = "controller-revision-hash"

// The taints a DaemonSet pod tolerates whatever its template says, as in
// Kubernetes: it stays on a node that is lost (not-ready, unreachable:
// NoExecute, with no time limit), and may be placed on a node that is
// cordoned or under resource pressure.
var daemonTolerations = []api.Toleration{
	{Key: "node.kubernetes.io/not-ready", Operator: "Exists", Effect: api.TaintNoExecute},
	{Key: "node.kubernetes.io/unreachable", Operator: "Exists", Effect: api.TaintNoExecute},
	{Key: "node.kubernetes.io/disk-pressure", Operator: "Exists", Effect: api.TaintNoSchedule},
	{Key: "node.kubernetes.io/memory-pressure", Operator: "Exists", Effect: api.TaintNoSchedule},
	{Key: "node.kubernetes.io/pid-pressure", Operator: "Exists", Effect: api.TaintNoSchedule},
	{Key: "node.kubernetes.io/unschedulable", Operator: "Exists", Effect: api.TaintNoSchedule},
}

// templatePod is the pod ds stamps out before it is aimed at a node: the
// template with the DaemonSet tolerations added (those the template
// already has are not repeated), the revision hash label and a controller
// reference.
func templatePod(ds *api.DaemonSet, hash string) *api.Pod {
	tmpl := api.DeepCopy(ds).Spec.Template
	labels := map[string]string{}
	for k, v := range tmpl.Labels {
		labels[k] = v
	}
	labels[RevisionHashLabel] = hash
	spec := tmpl.Spec
	for _, t := range daemonTolerations {
		if !hasToleration(spec.Tolerations, t) {
			spec.Tolerations = append(spec.Tolerations, t)
		}
	}
	t := true
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{
			GenerateName: ds.Name + "-",
			Namespace:    ds.Namespace,
			Labels:       labels,
			Annotations:  tmpl.Annotations,
			OwnerReferences: []api.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: ds.Name, UID: ds.UID,
				Controller: &t, BlockOwnerDeletion: &t}},
		},
		Spec: spec,
	}
}

func hasToleration(tols []api.Toleration, t api.Toleration) bool {
	for _, x := range tols {
		if x.Key == t.Key && x.Effect == t.Effect && x.Operator == t.Operator && x.Value == t.Value && x.TolerationSeconds == nil {
			return true
		}
	}
	return false
}

// aimAt makes p the daemon pod of node: its only required node affinity
// term names the node (see the package comment for why not nodeName).
func aimAt(p *api.Pod, node string) *api.Pod {
	term := api.NodeSelectorTerm{MatchExpressions: []api.NodeSelectorRequirement{
		{Key: kubelet.LabelHostname, Operator: "In", Values: []string{node}}}}
	if p.Spec.Affinity == nil {
		p.Spec.Affinity = &api.Affinity{}
	}
	if p.Spec.Affinity.NodeAffinity == nil {
		p.Spec.Affinity.NodeAffinity = &api.NodeAffinity{}
	}
	p.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = &api.NodeSelector{NodeSelectorTerms: []api.NodeSelectorTerm{term}}
	return p
}

// targetNode is the node a daemon pod is for: the one it is bound to, or
// else the one its node affinity names ("" if neither).
func targetNode(p *api.Pod) string {
	if p.Spec.NodeName != "" {
		return p.Spec.NodeName
	}
	a := p.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, e := range t.MatchExpressions {
			if e.Key == kubelet.LabelHostname && e.Operator == "In" && len(e.Values) == 1 {
				return e.Values[0]
			}
		}
	}
	return ""
}

// placement answers, for the template pod tmpl (not yet aimed at a node)
// and node n: should a daemon pod be placed there (shouldRun), and may one
// already there stay (shouldContinue). Both are the scheduler's own
// filters: shouldRun is Filter on the node as it is; shouldContinue is
// Filter on the node as it would be if only what evicts counted, that is
// without its NoSchedule taints, not cordoned, and Ready. A node being
// deleted runs nothing.
func placement(tmpl *api.Pod, n *api.Node) (shouldRun, shouldContinue bool) {
	if n.DeletionTimestamp != nil {
		return false, false
	}
	shouldRun = len(scheduler.Filter(tmpl, scheduler.NewNodeInfo(n))) == 0
	if shouldRun {
		return true, true
	}
	relaxed := api.DeepCopy(n)
	relaxed.Spec.Unschedulable = false
	relaxed.Spec.Taints = nil
	for _, t := range n.Spec.Taints {
		if t.Effect == api.TaintNoExecute {
			relaxed.Spec.Taints = append(relaxed.Spec.Taints, t)
		}
	}
	relaxed.Status.Conditions = []api.NodeCondition{{Type: api.NodeReady, Status: api.ConditionTrue}}
	return false, len(scheduler.Filter(tmpl, scheduler.NewNodeInfo(relaxed))) == 0
}
