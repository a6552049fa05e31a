package mutants

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/scheduler"
	"github.com/tinykube/tinykube/labs/04-scheduler/reference"
)

// Mutant is one broken answer.
type Mutant struct {
	Name  string
	Fits  func(*api.Pod, *scheduler.NodeInfo) (bool, string)
	Score func(*api.Pod, *scheduler.NodeInfo) int64
}

// All are the mutants the checker must kill.
var All = []Mutant{
	{"capacity-strictly-less", fitsWith(reference.Unschedulable, reference.Taints, reference.NodeSelector, resourcesStrict), reference.ScoreMostAllocated},
	{"ignores-pod-count", fitsWith(reference.Unschedulable, reference.Taints, reference.NodeSelector, resourcesNoPodCount), reference.ScoreMostAllocated},
	{"ignores-NoExecute", fitsWith(reference.Unschedulable, taintsNoScheduleOnly, reference.NodeSelector, reference.Resources), reference.ScoreMostAllocated},
	{"ignores-unschedulable", fitsWith(reference.Taints, reference.NodeSelector, reference.Resources), reference.ScoreMostAllocated},
	{"selector-keys-only", fitsWith(reference.Unschedulable, reference.Taints, selectorKeysOnly, reference.Resources), reference.ScoreMostAllocated},
	{"resources-before-taints", fitsWith(reference.Resources, reference.Unschedulable, reference.Taints, reference.NodeSelector), reference.ScoreMostAllocated},
	{"score-least-allocated", reference.Fits, scoreLeastAllocated},
	{"score-without-pod", reference.Fits, scoreWithoutPod},
	{"score-cpu-only", reference.Fits, scoreCPUOnly},
}

func fitsWith(checks ...reference.Check) func(*api.Pod, *scheduler.NodeInfo) (bool, string) {
	return func(p *api.Pod, n *scheduler.NodeInfo) (bool, string) { return reference.FitsWith(p, n, checks...) }
}
