package cluster

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/scheduler"
)

// maxScoresShown is how many nodes a scores line names, the best first:
// enough to show the winner and its rivals, short on a hundred nodes.
const maxScoresShown = 5

// explainedSchedule returns the Schedule that the scheduler replica called name
// runs. Without a lab's plugin it is scheduler.Schedule, noting before
// each choice the scores it compares ("scores default/web-x: node-2 191,
// node-1 184"): a run's story then says why each pod went where it went,
// and a change of scoring shows in the golden timelines even where it
// changes no choice. A plugin runs as it is: the reference scores would
// not explain its choices.
func (c *Cluster) explainedSchedule(name string) func(*api.Pod, []*scheduler.NodeInfo, string, *rand.Rand) (string, *scheduler.FitError) {
	if c.plugins.Schedule != nil {
		return c.plugins.Schedule
	}
	return func(pod *api.Pod, nodes []*scheduler.NodeInfo, scoring string, r *rand.Rand) (string, *scheduler.FitError) {
		if scores := scheduler.Scores(pod, nodes, scoring); len(scores) > 0 {
			c.W.Trace.Note(name, "scores %s/%s: %s", pod.Namespace, pod.Name, scoreList(scores))
		}
		return scheduler.Schedule(pod, nodes, scoring, r)
	}
}

// scoreList renders scores best first (ties in node order), at most
// maxScoresShown of them: "node-2 191, node-1 184, node-3 184".
func scoreList(scores []scheduler.NodeScore) string {
	s := slices.Clone(scores)
	slices.SortStableFunc(s, func(a, b scheduler.NodeScore) int { return cmp.Compare(b.Score, a.Score) })
	var parts []string
	for i, ns := range s {
		if i == maxScoresShown {
			parts = append(parts, fmt.Sprintf("… %d more", len(s)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", ns.Node, ns.Score))
	}
	return strings.Join(parts, ", ")
}
