package scheduler

import (
	"math/rand/v2"

	"github.com/tinykube/tinykube/core/api"
)

// Schedule picks the node for pod among nodes: it drops the nodes the
// filters refuse, scores the rest, and returns the best, breaking ties
// with r. When no node fits it returns a FitError that counts, per reason,
// the nodes refused for it.
//
// Contract: nodes are in name order (the component sorts them) so that the
// same seed picks the same node; scoring is LeastAllocated or
// MostAllocated ("" means LeastAllocated). Schedule changes nothing: to
// count the placement, the caller adds the pod to the chosen NodeInfo.
// It is pure apart from drawing from r, and is what the component, the
// benchmark and the book's exercises all call.
//
// It chooses exactly as ScheduleWith(Filter, Score) would (the same
// nodes, the same draws from r, the same FitError); it only prepares the
// pod once per call rather than once per node.
func Schedule(pod *api.Pod, nodes []*NodeInfo, scoring string, r *rand.Rand) (node string, fitErr *FitError) {
	p := preparePod(pod)
	maxOwner := maxOwnerCount(p, nodes)
	var buf [4]string
	return choose(nodes, r,
		func(n *NodeInfo) []string { return filter(p, n, buf[:0]) },
		func(n *NodeInfo) int64 { return score(scoring, p, n, maxOwner) })
}

// ScheduleWith returns a function of Schedule's type (Config.Schedule's)
// that chooses a node as Schedule does but with other filters and scores:
// filter says why pod cannot run on a node (nil when it can), score rates
// a node that filter accepted, higher is better. The nodes filter refuses
// are counted in the FitError under the reasons it gives; of the others
// the highest score wins, ties broken with r so that each tied node is as
// likely. The scoring strategy the result is called with is ignored:
// score decides.
//
// It is how code outside this package (lab 04, an experiment) swaps the
// questions the scheduler asks about each node while keeping how it
// chooses among the answers.
func ScheduleWith(filter func(pod *api.Pod, n *NodeInfo) []string, score func(pod *api.Pod, n *NodeInfo) int64) func(pod *api.Pod, nodes []*NodeInfo, scoring string, r *rand.Rand) (string, *FitError) {
	return func(pod *api.Pod, nodes []*NodeInfo, _ string, r *rand.Rand) (string, *FitError) {
		return choose(nodes, r,
			func(n *NodeInfo) []string { return filter(pod, n) },
			func(n *NodeInfo) int64 { return score(pod, n) })
	}
}

// choose is the choice Schedule and ScheduleWith share: one pass over
// nodes, in their order, that counts the reasons of every node filter
// refuses and keeps the best score among the others. Of k nodes tied for
// the best so far, each ends up chosen with probability 1/k (reservoir
// sampling), drawing from r once per tie.
func choose(nodes []*NodeInfo, r *rand.Rand, filter func(*NodeInfo) []string, score func(*NodeInfo) int64) (string, *FitError) {
	var (
		best     *NodeInfo
		bestTies int
		bestSc   int64
		reasons  map[string]int
	)
	for _, n := range nodes {
		if why := filter(n); len(why) > 0 {
			if reasons == nil {
				reasons = map[string]int{}
			}
			for _, w := range why {
				reasons[w]++
			}
			continue
		}
		s := score(n)
		switch {
		case best == nil || s > bestSc:
			best, bestSc, bestTies = n, s, 1
		case s == bestSc:
			bestTies++
			if r.IntN(bestTies) == 0 {
				best = n
			}
		}
	}
	if best == nil {
		return "", &FitError{NumAllNodes: len(nodes), Reasons: reasons}
	}
	return best.Name, nil
}

// NodeScore is the score of one node for one pod.
type NodeScore struct {
	Node  string
	Score int64
}

// Scores returns the scores Schedule compares for pod: one per node that
// passes every filter, in the order of nodes (none when no node fits). It
// explains a choice — the simulator's timeline shows them beside each
// binding — and, like Schedule, changes nothing and draws nothing.
func Scores(pod *api.Pod, nodes []*NodeInfo, scoring string) []NodeScore {
	p := preparePod(pod)
	maxOwner := maxOwnerCount(p, nodes)
	var buf [4]string
	var out []NodeScore
	for _, n := range nodes {
		if len(filter(p, n, buf[:0])) == 0 {
			out = append(out, NodeScore{Node: n.Name, Score: score(scoring, p, n, maxOwner)})
		}
	}
	return out
}

// maxOwnerCount returns the most pods of p's controller on any of nodes
// (0 for a pod without one): spreadScore's yardstick.
func maxOwnerCount(p *podInfo, nodes []*NodeInfo) int {
	m := 0
	if p.owner != "" {
		for _, n := range nodes {
			m = max(m, n.ownerCounts[p.owner])
		}
	}
	return m
}
