package scheduler

import (
	"fmt"

	"github.com/tinykube/tinykube/core/api"
)

// The reasons filters give, word for word as Kubernetes prints them in a
// FailedScheduling event. An untolerated taint's reason names the taint:
// see untoleratedTaint.
const (
	ReasonUnschedulable      = "node(s) were unschedulable"
	ReasonNodeAffinity       = "node(s) didn't match Pod's node affinity/selector"
	ReasonNodePorts          = "node(s) didn't have free ports for the requested pod ports"
	ReasonInsufficientCPU    = "Insufficient cpu"
	ReasonInsufficientMemory = "Insufficient memory"
	ReasonTooManyPods        = "Too many pods"
)

// The taints Kubernetes' node controller puts on nodes that cannot take
// pods; the scheduler treats the conditions behind them as these taints
// even before the controller has written them.
const (
	TaintNodeNotReady      = "node.kubernetes.io/not-ready"
	TaintNodeUnreachable   = "node.kubernetes.io/unreachable"
	TaintNodeUnschedulable = "node.kubernetes.io/unschedulable"
)

// podInfo is what the filters and scores need of a pod, worked out once
// per scheduling cycle instead of once per node.
type podInfo struct {
	pod          *api.Pod
	requests     Resources
	ports        []hostPort
	owner        string
	nodeSelector map[string]string
	affinity     *api.NodeSelector // required node affinity, or nil
	tolerations  []api.Toleration
}

func preparePod(pod *api.Pod) *podInfo {
	p := &podInfo{
		pod:          pod,
		requests:     PodRequests(pod),
		ports:        podHostPorts(pod),
		owner:        controllerUID(pod),
		nodeSelector: pod.Spec.NodeSelector,
		tolerations:  pod.Spec.Tolerations,
	}
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil {
		p.affinity = a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	}
	return p
}

// Filter returns why pod cannot run on node n, or nil when it can. The
// filter plugins run in Kubernetes' order and the first that fails
// decides: a node is reported once, under the reasons of that plugin (only
// NodeResourcesFit gives more than one).
func Filter(pod *api.Pod, n *NodeInfo) []string {
	return filter(preparePod(pod), n, nil)
}

// filter appends to reasons why p cannot run on n; it is the hot loop of
// scheduling, so it allocates nothing when p fits.
func filter(p *podInfo, n *NodeInfo, reasons []string) []string {
	for _, f := range [...]func(*podInfo, *NodeInfo) string{
		nodeUnschedulable, nodeReady, taintToleration, nodeSelector, nodeAffinity, nodePorts,
	} {
		if r := f(p, n); r != "" {
			return append(reasons, r)
		}
	}
	return nodeResourcesFit(p, n, reasons)
}

// nodeUnschedulable refuses a cordoned node (spec.unschedulable) unless
// the pod tolerates the unschedulable taint, as DaemonSet pods do.
func nodeUnschedulable(p *podInfo, n *NodeInfo) string {
	if !n.Node.Spec.Unschedulable {
		return ""
	}
	if tolerates(p.tolerations, api.Taint{Key: TaintNodeUnschedulable, Effect: api.TaintNoSchedule}) {
		return ""
	}
	return ReasonUnschedulable
}

// nodeReady refuses a node whose Ready condition is not True, reporting
// it as the not-ready taint it has or will soon have. When the node
// controller has already tainted the node (not-ready or unreachable),
// taintToleration judges that taint instead, so the event names it.
func nodeReady(p *podInfo, n *NodeInfo) string {
	if n.ready {
		return ""
	}
	for _, t := range n.Node.Spec.Taints {
		if t.Key == TaintNodeNotReady || t.Key == TaintNodeUnreachable {
			return ""
		}
	}
	t := api.Taint{Key: TaintNodeNotReady, Effect: api.TaintNoSchedule}
	if tolerates(p.tolerations, t) {
		return ""
	}
	return untoleratedTaint(t)
}

// taintToleration refuses a node with a NoSchedule or NoExecute taint the
// pod does not tolerate, naming the first such taint. PreferNoSchedule
// taints only lower a node's score.
func taintToleration(p *podInfo, n *NodeInfo) string {
	for _, t := range n.Node.Spec.Taints {
		if t.Effect != api.TaintNoSchedule && t.Effect != api.TaintNoExecute {
			continue
		}
		if !tolerates(p.tolerations, t) {
			return untoleratedTaint(t)
		}
	}
	return ""
}

func untoleratedTaint(t api.Taint) string {
	return fmt.Sprintf("node(s) had untolerated taint {%s: %s}", t.Key, t.Value)
}

// tolerates reports whether any of tols tolerates t, with Kubernetes'
// matching: an empty effect matches every effect, an empty key with
// operator Exists matches every key, Exists ignores the value and Equal
// (the default) compares it.
func tolerates(tols []api.Toleration, t api.Taint) bool {
	for _, tol := range tols {
		if tol.Effect != "" && tol.Effect != t.Effect {
			continue
		}
		if tol.Key != "" && tol.Key != t.Key {
			continue
		}
		switch tol.Operator {
		case "Exists":
			return true
		case "", "Equal":
			if tol.Key != "" && tol.Value == t.Value {
				return true
			}
		}
	}
	return false
}

// nodeSelector refuses a node that lacks one of the labels in the pod's
// spec.nodeSelector.
func nodeSelector(p *podInfo, n *NodeInfo) string {
	if len(p.nodeSelector) == 0 {
		return "" // the common case, without starting a map iteration
	}
	labels := n.Node.Labels
	for k, v := range p.nodeSelector {
		if got, ok := labels[k]; !ok || got != v {
			return ReasonNodeAffinity
		}
	}
	return ""
}

// nodeAffinity refuses a node that matches none of the pod's required
// node affinity terms.
func nodeAffinity(p *podInfo, n *NodeInfo) string {
	if p.affinity == nil || api.MatchesNodeSelectorTerms(p.affinity.NodeSelectorTerms, n.Node.Labels) {
		return ""
	}
	return ReasonNodeAffinity
}

// nodePorts refuses a node where a host port the pod asks for is taken:
// same protocol and port, and the same address or either one the wildcard.
func nodePorts(p *podInfo, n *NodeInfo) string {
	if len(p.ports) == 0 || len(n.usedPorts) == 0 {
		return ""
	}
	for _, want := range p.ports {
		for used := range n.usedPorts {
			if used.protocol == want.protocol && used.port == want.port &&
				(used.ip == want.ip || used.ip == "" || want.ip == "") {
				return ReasonNodePorts
			}
		}
	}
	return ""
}

// nodeResourcesFit appends a reason for each resource the node has too
// little of left: one more pod than allocatable "pods", or requests of CPU
// or memory beyond what allocatable leaves after the pods already counted.
// A pod that requests none of a resource fits whatever is left of it.
func nodeResourcesFit(p *podInfo, n *NodeInfo, reasons []string) []string {
	if n.Requested.Pods+1 > n.Allocatable.Pods {
		reasons = append(reasons, ReasonTooManyPods)
	}
	if r := p.requests.MilliCPU; r > 0 && r > n.Allocatable.MilliCPU-n.Requested.MilliCPU {
		reasons = append(reasons, ReasonInsufficientCPU)
	}
	if r := p.requests.Memory; r > 0 && r > n.Allocatable.Memory-n.Requested.Memory {
		reasons = append(reasons, ReasonInsufficientMemory)
	}
	return reasons
}
