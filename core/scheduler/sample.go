package scheduler

import "github.com/tinykube/tinykube/core/api"

// In a large cluster kube-scheduler does not look at every node for every
// pod: it filters nodes until it has found "enough" that fit, scores only
// those, and starts the next pod's search where this one stopped, so
// that every node gets its turn (percentageOfNodesToScore). A pod placed
// on the best of five hundred nodes is placed almost as well as on the
// best of five thousand, at a tenth of the cost.
//
// tinykube does the same with the same numbers, searching in chunks of
// numNodesToScore nodes in name order: the first chunk with a node that
// fits is scored and chosen from. Clusters of up to 100 nodes — every
// example scenario and lab — are searched whole, exactly as before.
const (
	// minNodesToScore: below it every node is scored, and no sample is
	// smaller (kube-scheduler's minFeasibleNodesToFind).
	minNodesToScore = 100
	// The adaptive percentage: 50 % less 1 % per 125 nodes, at least 5 %
	// (kube-scheduler's defaults).
	basePercentageToScore = 50
	minPercentageToScore  = 5
)

// numNodesToScore returns how many of all nodes one pod's search looks
// at: all of them up to minNodesToScore, then the adaptive percentage, but
// never fewer than minNodesToScore.
func numNodesToScore(all int) int {
	if all <= minNodesToScore {
		return all
	}
	pct := max(basePercentageToScore-all/125, minPercentageToScore)
	return max(all*pct/100, minNodesToScore)
}

// scheduleSampled runs Config.Schedule over chunks of nodes of
// numNodesToScore, starting after where the last search stopped and
// wrapping around, until a chunk has a node that fits; when none does,
// the FitError counts the reasons over every node, as a whole search
// would. With no more nodes than one chunk it is one call over all nodes.
func (s *Scheduler) scheduleSampled(pod *api.Pod, nodes []*NodeInfo) (string, *FitError) {
	m := numNodesToScore(len(nodes))
	if m >= len(nodes) {
		return s.cfg.Schedule(pod, nodes, s.cfg.Scoring, s.cfg.Rand)
	}
	start := s.nextStart % len(nodes)
	var reasons map[string]int
	for tried := 0; tried < len(nodes); {
		end := min(start+m, len(nodes))
		node, fitErr := s.cfg.Schedule(pod, nodes[start:end], s.cfg.Scoring, s.cfg.Rand)
		tried += end - start
		start = end % len(nodes)
		if fitErr == nil {
			s.nextStart = start
			return node, nil
		}
		for r, n := range fitErr.Reasons {
			if reasons == nil {
				reasons = map[string]int{}
			}
			reasons[r] += n
		}
	}
	s.nextStart = start
	return "", &FitError{NumAllNodes: len(nodes), Reasons: reasons}
}
