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
func Schedule(pod *api.Pod, nodes []*NodeInfo, scoring string, r *rand.Rand) (node string, fitErr *FitError) {
	p := preparePod(pod)
	maxOwner := maxOwnerCount(p, nodes)
	var (
		best     *NodeInfo
		bestTies int
		bestSc   int64
		buf      [4]string
		reasons  map[string]int
	)
	for _, n := range nodes {
		if why := filter(p, n, buf[:0]); len(why) > 0 {
			if reasons == nil {
				reasons = map[string]int{}
			}
			for _, w := range why {
				reasons[w]++
			}
			continue
		}
		s := score(scoring, p, n, maxOwner)
		switch {
		case best == nil || s > bestSc:
			best, bestSc, bestTies = n, s, 1
		case s == bestSc:
			// Reservoir sampling: each of the k tied nodes seen so far
			// ends up chosen with probability 1/k.
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
