package clusterautoscaler

import (
	"fmt"
	"slices"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/scheduler"
)

// ScaleUpInput is what a scale-up decision looks at.
type ScaleUpInput struct {
	// Pending are the pods the scheduler found no node for, in the order
	// they are to be placed.
	Pending []*api.Pod
	// Nodes are the registered nodes that can take pods, each with the
	// pods bound there counted, in name order.
	Nodes []*scheduler.NodeInfo
	// Groups are the node groups, in the provider's order.
	Groups []NodeGroup
	// Upcoming is, per group ID, how many nodes were asked for and have
	// not registered yet: pods that fit on those wait for them.
	Upcoming map[string]int
	// BackedOff names the groups not to grow now.
	BackedOff map[string]bool
}

// ScaleUpPlan is a scale-up decision.
type ScaleUpPlan struct {
	// Group is the group to grow by Delta nodes ("" and 0: none).
	Group string
	Delta int
	// Helped are the pods the new nodes will take.
	Helped []*api.Pod
	// Waiting are the pods that fit on a registered node (the scheduler
	// has not retried them yet) or on an upcoming one.
	Waiting []*api.Pod
	// NoGroup are the pods that no group can help, with why.
	NoGroup map[*api.Pod]string
	// Options are the groups that could help and what each would take,
	// best first (for the status and the book).
	Options []Option
}

// Option is one way to scale up: Nodes more nodes of Group take the pods
// Helped, leaving Waste of the new nodes' cpu and memory unrequested
// (the sum of the two fractions, 0 to 2).
type Option struct {
	Group  string
	Nodes  int
	Helped []*api.Pod
	Waste  float64
}

// PlanScaleUp decides a scale-up. Pods that fit on a registered node, or
// on a node asked for earlier, wait; for the rest it packs them, first fit
// in their order, onto as many copies of each group's template as the
// group may still add (MaxSize minus TargetSize), asking the scheduler's
// own Filter whether a pod fits a node. Of the groups that would help
// some pod, the least-waste expander picks the one that leaves the
// smallest fraction of the new nodes' cpu and memory unrequested; ties go
// to the group that helps more pods, then to fewer nodes, then to the
// group listed first.
//
// Contract: pure and deterministic; it changes none of its inputs (it
// counts placements on copies of in.Nodes). Backed-off groups and groups
// at their MaxSize are not options. The plan never takes a group beyond
// its MaxSize.
func PlanScaleUp(in ScaleUpInput) ScaleUpPlan {
	plan := ScaleUpPlan{NoGroup: map[*api.Pod]string{}}
	// The room there is: registered nodes, then the nodes on their way.
	room := cloneInfos(in.Nodes)
	for _, g := range in.Groups {
		for i := range in.Upcoming[g.ID] {
			room = append(room, templateInfo(g, i))
		}
	}
	var rest []*api.Pod
	for _, p := range in.Pending {
		if n := firstFit(p, room); n != nil {
			n.AddPod(p)
			plan.Waiting = append(plan.Waiting, p)
			continue
		}
		rest = append(rest, p)
	}
	if len(rest) == 0 {
		return plan
	}
	for _, g := range in.Groups {
		if in.BackedOff[g.ID] || g.Template == nil || g.TargetSize >= g.MaxSize {
			continue
		}
		if o := pack(g, rest, g.MaxSize-g.TargetSize); len(o.Helped) > 0 {
			plan.Options = append(plan.Options, o)
		}
	}
	slices.SortStableFunc(plan.Options, func(a, b Option) int {
		switch {
		case a.Waste != b.Waste:
			if a.Waste < b.Waste {
				return -1
			}
			return 1
		case len(a.Helped) != len(b.Helped):
			return len(b.Helped) - len(a.Helped)
		}
		return a.Nodes - b.Nodes
	})
	helped := map[*api.Pod]bool{}
	if len(plan.Options) > 0 {
		best := plan.Options[0]
		plan.Group, plan.Delta, plan.Helped = best.Group, best.Nodes, best.Helped
		for _, p := range best.Helped {
			helped[p] = true
		}
	}
	for _, p := range rest {
		if !helped[p] {
			plan.NoGroup[p] = whyNoGroup(p, in.Groups, in.BackedOff)
		}
	}
	return plan
}

// pack places pods, first fit, onto at most limit new nodes of g, opening
// a node when a pod fits on none opened so far but fits an empty one.
func pack(g NodeGroup, pods []*api.Pod, limit int) Option {
	o := Option{Group: g.ID}
	var opened []*scheduler.NodeInfo
	for _, p := range pods {
		n := firstFit(p, opened)
		if n == nil && len(opened) < limit {
			if fresh := templateInfo(g, len(opened)); len(scheduler.Filter(p, fresh)) == 0 {
				opened = append(opened, fresh)
				n = fresh
			}
		}
		if n != nil {
			n.AddPod(p)
			o.Helped = append(o.Helped, p)
		}
	}
	o.Nodes = len(opened)
	var alloc, req scheduler.Resources
	for _, n := range opened {
		alloc.Add(n.Allocatable)
		req.Add(n.Requested)
	}
	o.Waste = unused(req.MilliCPU, alloc.MilliCPU) + unused(req.Memory, alloc.Memory)
	return o
}

// unused is the fraction of total not requested (0 when total is 0).
func unused(requested, total int64) float64 {
	if total <= 0 {
		return 0
	}
	return 1 - float64(requested)/float64(total)
}

// whyNoGroup says why no group helps p, for the NotTriggerScaleUp event:
// each group's reason, as cluster-autoscaler words it.
func whyNoGroup(p *api.Pod, groups []NodeGroup, backedOff map[string]bool) string {
	if len(groups) == 0 {
		return "no node groups"
	}
	counts := map[string]int{}
	var order []string
	note := func(r string) {
		if counts[r] == 0 {
			order = append(order, r)
		}
		counts[r]++
	}
	for _, g := range groups {
		switch {
		case backedOff[g.ID]:
			note("in backoff after failed scale-up")
		case g.TargetSize >= g.MaxSize:
			note("max node group size reached")
		case g.Template == nil:
			note("no node template")
		default:
			if why := scheduler.Filter(p, templateInfo(g, 0)); len(why) > 0 {
				note(why[0])
			} else {
				note("room for it taken by other pods of this scale-up")
			}
		}
	}
	msg := ""
	for i, r := range order {
		if i > 0 {
			msg += ", "
		}
		msg += fmt.Sprintf("%d %s", counts[r], r)
	}
	return msg
}

// templateInfo returns the i-th simulated new node of g: a copy of its
// template, named for it, Ready and schedulable, with no pods.
func templateInfo(g NodeGroup, i int) *scheduler.NodeInfo {
	n := api.DeepCopy(g.Template)
	n.Name = fmt.Sprintf("template-node-for-%s-%d", g.ID, i)
	n.Spec.Unschedulable = false
	n.Status.Conditions = []api.NodeCondition{{Type: api.NodeReady, Status: api.ConditionTrue}}
	return scheduler.NewNodeInfo(n)
}

// firstFit returns the first of nodes the scheduler's filters let p run
// on, or nil.
func firstFit(p *api.Pod, nodes []*scheduler.NodeInfo) *scheduler.NodeInfo {
	for _, n := range nodes {
		if len(scheduler.Filter(p, n)) == 0 {
			return n
		}
	}
	return nil
}

// cloneInfos returns fresh NodeInfos of the same nodes with the same pods
// counted, so that a simulation can add pods without touching the
// caller's.
func cloneInfos(in []*scheduler.NodeInfo) []*scheduler.NodeInfo {
	out := make([]*scheduler.NodeInfo, len(in))
	for i, n := range in {
		c := scheduler.NewNodeInfo(n.Node)
		for _, p := range n.Pods {
			c.AddPod(p)
		}
		out[i] = c
	}
	return out
}
