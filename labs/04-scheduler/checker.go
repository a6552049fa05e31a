package schedulerlab

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/scheduler"
	"github.com/tinykube/tinykube/labs/lab"
)

// Impl is an answer to the lab: the two functions of
// labs/04-scheduler/student.
type Impl struct {
	Fits  func(pod *api.Pod, node *scheduler.NodeInfo) (ok bool, reason string)
	Score func(pod *api.Pod, node *scheduler.NodeInfo) int64
}

const book = `book/04-scheduler.md, "Lab"`

// Lab returns lab 04 checking impl.
func Lab(impl Impl) lab.Lab {
	c := checker{impl}
	return lab.Lab{Number: "04", Name: "the scheduler's filter and score", Book: book, Tests: []lab.Test{
		{Name: "FitsResources", Points: 15, Book: `book/04-scheduler.md, "Code: the filters" (nodeResourcesFit)`,
			Property: "Fits agrees with the scheduler on CPU, memory and pod slots",
			Check:    c.agree(shape{nodes: 4, pods: 8, resources: true})},
		{Name: "FitsRules", Points: 15, Book: `book/04-scheduler.md, "Code: the filters" (taints, tolerations, nodeSelector)`,
			Property: "Fits agrees with the scheduler on cordons, taints and tolerations, and node selectors",
			Check:    c.agree(shape{nodes: 4, pods: 8, rules: true})},
		{Name: "FitsAll", Points: 15, Book: `book/04-scheduler.md, "Code: the filters"`,
			Property: "Fits agrees with the scheduler on everything at once, and gives the reason of the first check that fails",
			Check:    c.agree(shape{nodes: 5, pods: 10, rules: true, resources: true})},
		{Name: "ScoreMostAllocated", Points: 15, Book: `book/04-scheduler.md, "Code: scores, spreading and ties"`,
			Property: "ScoreMostAllocated gives every node that fits the scheduler's MostAllocated score (0-100)",
			Check:    c.score},
		{Name: "BinPacking", Points: 15, Book: `book/04-scheduler.md, "Code: scores, spreading and ties"`,
			Property: "placing pods greedily with Fits and ScoreMostAllocated never over-commits a node and packs them onto no more nodes than the scheduler does",
			Check:    c.binPack},
		{Name: "PacksACluster", Points: 25, Book: `book/04-scheduler.md, "Code: scores, spreading and ties"`,
			Property: "with your Fits and ScoreMostAllocated inside the scheduler of a simulated cluster, no node is ever over-committed (node-capacity), every pod that fits somewhere is bound, and a ReplicaSet that fits on one node is packed onto it",
			Check:    c.sim("packs.yaml", packed("web", 1))},
	}}
}

type checker struct{ impl Impl }

// notImplemented turns the starter's answers into one clear message.
func notImplemented(fn, got string) error {
	return fmt.Errorf("%s is not implemented yet (it returned %s): write it in labs/04-scheduler/student/fit.go, below \"LAB 04: your code here\"", fn, got)
}

// agree asks Fits about every pod of a generated cluster on every node and
// compares with core/scheduler.Filter: the same yes or no, and on a no a
// reason among the scheduler's.
func (c checker) agree(s shape) func(*lab.Env) error {
	return func(env *lab.Env) error {
		cl := generate(env.Rand, s)
		for _, pod := range cl.pods {
			for _, n := range cl.infos() {
				want := scheduler.Filter(pod, n)
				ok, reason := c.impl.Fits(pod, n)
				if strings.HasPrefix(reason, "not implemented") {
					return notImplemented("Fits", fmt.Sprintf("%v, %q", ok, reason))
				}
				call := fmt.Sprintf("Fits(%s,\n%s)", describePod(pod), describeNode(n))
				switch {
				case ok && len(want) > 0:
					return fmt.Errorf("%s = true, want false (%s)", call, strings.Join(want, "; "))
				case !ok && len(want) == 0:
					return fmt.Errorf("%s = false (%q), want true: the pod fits", call, reason)
				case !ok && !slices.Contains(want, reason):
					return fmt.Errorf("%s = false with reason %q, want %s (the first check that fails decides, in the order of the contract)", call, reason, quoteAll(want))
				case ok && reason != "":
					return fmt.Errorf("%s = true with reason %q, want true with \"\"", call, reason)
				}
			}
		}
		return nil
	}
}

func quoteAll(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, " or ")
}

// score compares ScoreMostAllocated with core/scheduler.Score under
// MostAllocated, on the nodes that fit. The scheduler's score also takes
// PreferNoSchedule taints off, which the lab leaves out: it is asked about
// the node without them.
func (c checker) score(env *lab.Env) error {
	cl := generate(env.Rand, shape{nodes: 5, pods: 10, rules: true, resources: true})
	for _, pod := range cl.pods {
		for _, n := range cl.infos() {
			if scheduler.Filter(pod, n) != nil {
				continue
			}
			got, want := c.impl.Score(pod, n), scheduler.Score(pod, withoutPreferNoSchedule(n), scheduler.MostAllocated, 0)
			if got == -1 {
				return notImplemented("ScoreMostAllocated", "-1")
			}
			if got != want {
				req := scheduler.PodRequests(pod)
				return fmt.Errorf("ScoreMostAllocated(pod %s requesting %s,\nnode %s with %s requested of %s) = %d, want %d",
					pod.Name, resources(req.MilliCPU, req.Memory), n.Name,
					resources(n.Requested.MilliCPU, n.Requested.Memory), resources(n.Allocatable.MilliCPU, n.Allocatable.Memory), got, want)
			}
		}
	}
	return nil
}

func withoutPreferNoSchedule(n *scheduler.NodeInfo) *scheduler.NodeInfo {
	m, node := *n, *n.Node
	node.Spec.Taints = slices.DeleteFunc(slices.Clone(node.Spec.Taints), func(t api.Taint) bool { return t.Effect == api.TaintPreferNoSchedule })
	m.Node = &node
	return &m
}

// placement is where a greedy pass put each pod ("" for nowhere).
type placement struct {
	nodeOf map[string]string
	used   map[string]bool // nodes that received a pod
	placed int
}

// greedy places cl's pods in order, each on the fitting node with the
// highest score, the first by name on a tie, counting it there before the
// next. It is Schedule without its random tie-break, so that the student's
// placement and the scheduler's can be compared pod by pod.
func greedy(cl cluster, fits func(*api.Pod, *scheduler.NodeInfo) (bool, string), score func(*api.Pod, *scheduler.NodeInfo) int64) (placement, error) {
	nodes := cl.infos()
	pl := placement{nodeOf: map[string]string{}, used: map[string]bool{}}
	for _, pod := range cl.pods {
		var best *scheduler.NodeInfo
		var bestScore int64
		for _, n := range nodes {
			ok, reason := fits(pod, n)
			if strings.HasPrefix(reason, "not implemented") {
				return pl, notImplemented("Fits", fmt.Sprintf("%v, %q", ok, reason))
			}
			if !ok {
				continue
			}
			s := score(pod, n)
			if s == -1 {
				return pl, notImplemented("ScoreMostAllocated", "-1")
			}
			if best == nil || s > bestScore {
				best, bestScore = n, s
			}
		}
		if best != nil {
			best.AddPod(pod)
			pl.nodeOf[pod.Name], pl.used[best.Name] = best.Name, true
			pl.placed++
		}
	}
	return pl, nil
}

func (c checker) binPack(env *lab.Env) error {
	cl := generate(env.Rand, shape{nodes: 5, pods: 14, resources: true, empty: true})
	got, err := greedy(cl, c.impl.Fits, c.impl.Score)
	if err != nil {
		return err
	}
	want, _ := greedy(cl, func(p *api.Pod, n *scheduler.NodeInfo) (bool, string) {
		return scheduler.Filter(p, n) == nil, ""
	}, func(p *api.Pod, n *scheduler.NodeInfo) int64 {
		return scheduler.Score(p, withoutPreferNoSchedule(n), scheduler.MostAllocated, 0)
	})
	// Over-commitment is judged from the pods, not from NodeInfo's sums.
	for _, g := range cl.nodes {
		n := g.info()
		used := n.Requested
		var onIt []string
		for _, pod := range cl.pods {
			if got.nodeOf[pod.Name] == n.Name {
				used.Add(scheduler.PodRequests(pod))
				onIt = append(onIt, pod.Name)
			}
		}
		a := n.Allocatable
		if used.MilliCPU > a.MilliCPU || used.Memory > a.Memory || used.Pods > a.Pods {
			return fmt.Errorf("node %s is over-committed after you placed %s on it: %d pods, %s requested, but it has %d pod slots and %s\nyour placement: %s",
				n.Name, strings.Join(onIt, ", "), used.Pods, resources(used.MilliCPU, used.Memory), a.Pods, resources(a.MilliCPU, a.Memory), got.describe(cl))
		}
	}
	if got.placed < want.placed {
		return fmt.Errorf("you placed %d of %d pods, the scheduler places %d\nyour placement:      %s\nthe scheduler's:     %s",
			got.placed, len(cl.pods), want.placed, got.describe(cl), want.describe(cl))
	}
	if len(got.used) > len(want.used) {
		return fmt.Errorf("your pods went to %d nodes, the scheduler packs them onto %d\nyour placement:      %s\nthe scheduler's:     %s",
			len(got.used), len(want.used), got.describe(cl), want.describe(cl))
	}
	return nil
}

func (p placement) describe(cl cluster) string {
	var parts, nowhere []string
	for _, g := range cl.nodes {
		var on []string
		for _, pod := range cl.pods {
			if p.nodeOf[pod.Name] == g.node.Name {
				on = append(on, pod.Name)
			}
		}
		if len(on) > 0 {
			parts = append(parts, g.node.Name+": "+strings.Join(on, " "))
		}
	}
	for _, pod := range cl.pods {
		if p.nodeOf[pod.Name] == "" {
			nowhere = append(nowhere, pod.Name)
		}
	}
	if len(nowhere) > 0 {
		parts = append(parts, "unplaced: "+strings.Join(nowhere, " "))
	}
	return strings.Join(parts, "; ")
}
