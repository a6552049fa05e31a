package clusterautoscaler

import (
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/scheduler"
)

// Annotations and taints cluster-autoscaler reads and writes.
const (
	// SafeToEvictAnnotation "true" lets a pod with local storage, without
	// a controller, or in kube-system go; "false" keeps its node.
	SafeToEvictAnnotation = "cluster-autoscaler.kubernetes.io/safe-to-evict"
	// ScaleDownDisabledAnnotation "true" on a node keeps it.
	ScaleDownDisabledAnnotation = "cluster-autoscaler.kubernetes.io/scale-down-disabled"
	// ToBeDeletedTaint marks a node the autoscaler is removing (value:
	// the Unix time it decided, effect NoSchedule).
	ToBeDeletedTaint = "ToBeDeletedByClusterAutoscaler"
	// mirrorAnnotation marks a static pod's mirror in the API.
	mirrorAnnotation = "kubernetes.io/config.mirror"
)

// ScaleDownInput is what a scale-down decision looks at.
type ScaleDownInput struct {
	// Candidates are the nodes unneeded long enough, in the order to try
	// them; each is in Nodes.
	Candidates []string
	// Nodes are the nodes pods may move to (Ready, schedulable, not being
	// removed) and the candidates, by name; Pods the pods bound to each.
	Nodes map[string]*api.Node
	Pods  map[string][]*api.Pod
	// Order lists Nodes' names in the order destinations are tried.
	Order []string
	// PDBs are every PodDisruptionBudget.
	PDBs []*api.PodDisruptionBudget
	// Removable is, per group, how many more nodes it may lose before it
	// reaches MinSize; GroupOf names a candidate's group.
	Removable map[string]int
	GroupOf   map[string]string
	// MaxEmpty and MaxDrain bound how many empty nodes and how many nodes
	// with pods to move one pass removes.
	MaxEmpty, MaxDrain int
}

// Removal is a node the autoscaler will remove and the pods it must
// evict first (none: an empty node).
type Removal struct {
	Node, Group string
	Evict       []*api.Pod
}

// PlanScaleDown picks, among in.Candidates in order, the nodes to remove:
// a node goes when its group stays at or above MinSize, none of its pods
// blocks it (see blocker), and every pod to evict fits — by the
// scheduler's own Filter — on a node that stays, counting the pods moved
// there by the removals chosen before it in this pass. It returns the
// removals and, for the candidates kept, why.
//
// Contract: pure and deterministic; in is not changed. A disruption
// budget's DisruptionsAllowed is spent across the pass: two nodes whose
// pods share a budget that allows one disruption are not both removed.
func PlanScaleDown(in ScaleDownInput) ([]Removal, map[string]string) {
	kept := map[string]string{}
	removing := map[string]bool{}
	moved := map[string][]*api.Pod{} // destination -> pods placed there this pass
	spent := map[*api.PodDisruptionBudget]int32{}
	removable := map[string]int{}
	for g, n := range in.Removable {
		removable[g] = n
	}
	var out []Removal
	empty, drained := 0, 0
	for _, name := range in.Candidates {
		group := in.GroupOf[name]
		if removable[group] <= 0 {
			kept[name] = "node group min size reached"
			continue
		}
		var evict []*api.Pod
		why := ""
		for _, p := range in.Pods[name] {
			if skipped(p) {
				continue
			}
			if why = blocker(p, in.PDBs); why != "" {
				break
			}
			evict = append(evict, p)
		}
		if why != "" {
			kept[name] = why
			continue
		}
		if len(evict) == 0 && empty >= in.MaxEmpty || len(evict) > 0 && drained >= in.MaxDrain {
			kept[name] = "other nodes are being removed in this pass"
			continue
		}
		// Budgets: this node's pods spend them on top of earlier removals.
		need := map[*api.PodDisruptionBudget]int32{}
		for _, p := range evict {
			for _, b := range in.PDBs {
				if b.Namespace == p.Namespace && b.Covers(p) {
					need[b]++
				}
			}
		}
		for _, b := range in.PDBs {
			if n := need[b]; n > 0 && spent[b]+n > b.Status.DisruptionsAllowed {
				why = fmt.Sprintf("not enough pod disruption budget to move %s/%s", b.Namespace, b.Name)
				break
			}
		}
		if why != "" {
			kept[name] = why
			continue
		}
		placed, why := place(evict, name, in, removing, moved)
		if why != "" {
			kept[name] = why
			continue
		}
		for dest, pods := range placed {
			moved[dest] = append(moved[dest], pods...)
		}
		for b, n := range need {
			spent[b] += n
		}
		removing[name] = true
		removable[group]--
		if len(evict) == 0 {
			empty++
		} else {
			drained++
		}
		out = append(out, Removal{Node: name, Group: group, Evict: evict})
	}
	return out, kept
}

// place finds a destination for each of pods, first fit over in.Order
// without node from and the nodes being removed, on NodeInfos that count
// the pods bound there and those moved there earlier in the pass. It
// returns the placements, or why a pod fits nowhere.
func place(pods []*api.Pod, from string, in ScaleDownInput, removing map[string]bool, moved map[string][]*api.Pod) (map[string][]*api.Pod, string) {
	if len(pods) == 0 {
		return nil, ""
	}
	var dests []*scheduler.NodeInfo
	for _, name := range in.Order {
		if name == from || removing[name] {
			continue
		}
		ni := scheduler.NewNodeInfo(in.Nodes[name])
		for _, p := range in.Pods[name] {
			if !api.IsPodTerminal(p) {
				ni.AddPod(p)
			}
		}
		for _, p := range moved[name] {
			ni.AddPod(p)
		}
		dests = append(dests, ni)
	}
	placed := map[string][]*api.Pod{}
	for _, p := range pods {
		n := firstFit(p, dests)
		if n == nil {
			return nil, fmt.Sprintf("no place to move pod %s/%s", p.Namespace, p.Name)
		}
		n.AddPod(p)
		placed[n.Name] = append(placed[n.Name], p)
	}
	return placed, ""
}

// skipped reports whether p stays out of a removal's reckoning: DaemonSet
// pods (their controller runs them on every node, the new ones too),
// mirror pods (static pods come with the machine), finished pods and pods
// already going.
func skipped(p *api.Pod) bool {
	if ref := p.ControllerRef(); ref != nil && ref.Kind == "DaemonSet" {
		return true
	}
	_, mirror := p.Annotations[mirrorAnnotation]
	return mirror || api.IsPodTerminal(p) || p.DeletionTimestamp != nil
}

// blocker says why p keeps its node, or "" when it may be moved. These
// are cluster-autoscaler's default rules: a pod annotated safe-to-evict
// "false" stays; one annotated "true" goes; otherwise a pod without a
// controller (nothing would recreate it), with local storage (emptyDir or
// hostPath: its data would be lost) or in kube-system without a
// disruption budget (--skip-nodes-with-system-pods) stays. Budgets
// themselves are judged by the caller, across the pass.
func blocker(p *api.Pod, pdbs []*api.PodDisruptionBudget) string {
	switch p.Annotations[SafeToEvictAnnotation] {
	case "false":
		return fmt.Sprintf("pod %s/%s is annotated %s: false", p.Namespace, p.Name, SafeToEvictAnnotation)
	case "true":
		return ""
	}
	if p.ControllerRef() == nil {
		return fmt.Sprintf("pod %s/%s is not replicated (it has no controller)", p.Namespace, p.Name)
	}
	for _, v := range p.Spec.Volumes {
		if v.EmptyDir != nil || v.HostPath != nil {
			return fmt.Sprintf("pod %s/%s has local storage (volume %s)", p.Namespace, p.Name, v.Name)
		}
	}
	if p.Namespace == "kube-system" {
		for _, b := range pdbs {
			if b.Namespace == p.Namespace && b.Covers(p) {
				return ""
			}
		}
		return fmt.Sprintf("pod %s/%s is a kube-system pod without a disruption budget", p.Namespace, p.Name)
	}
	return ""
}

// Utilization is how much of n its pods request: the larger of the
// requested fractions of allocatable cpu and memory, as cluster-autoscaler
// judges it (DaemonSet and mirror pods count).
func Utilization(n *scheduler.NodeInfo) float64 {
	u := 0.0
	if a := n.Allocatable.MilliCPU; a > 0 {
		u = float64(n.Requested.MilliCPU) / float64(a)
	}
	if a := n.Allocatable.Memory; a > 0 {
		u = max(u, float64(n.Requested.Memory)/float64(a))
	}
	return u
}
