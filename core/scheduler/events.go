package scheduler

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Event reasons the scheduler records on pods.
const (
	EventScheduled        = "Scheduled"
	EventFailedScheduling = "FailedScheduling"
)

// FitError says why a pod fits on no node: of NumAllNodes nodes, how many
// each filter reason refused. A node refused for two reasons (too little
// CPU and too little memory) counts under both.
type FitError struct {
	NumAllNodes int
	Reasons     map[string]int
}

// Error returns the FailedScheduling message, as Kubernetes words it:
//
//	0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint {key: value}.
//
// Reasons are ordered by count, largest first, then by text, so the
// message is the same however the counts were gathered.
func (e *FitError) Error() string {
	if e.NumAllNodes == 0 {
		return "no nodes available to schedule pods"
	}
	type count struct {
		reason string
		n      int
	}
	counts := make([]count, 0, len(e.Reasons))
	for r, n := range e.Reasons {
		counts = append(counts, count{r, n})
	}
	slices.SortFunc(counts, func(a, b count) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return cmp.Compare(a.reason, b.reason)
	})
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = fmt.Sprintf("%d %s", c.n, c.reason)
	}
	return fmt.Sprintf("0/%d nodes are available: %s.", e.NumAllNodes, strings.Join(parts, ", "))
}
