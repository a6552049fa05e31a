package rolloutlab

import (
	"fmt"
	"strings"
)

// RS is one ReplicaSet as Step sees it.
type RS struct {
	// Spec is spec.replicas: the pods it is asked to have.
	Spec int32
	// Available is status.availableReplicas. It lags: right after a
	// scale-down it still counts the pods being deleted, so it can be
	// above Spec.
	Available int32
}

// Input is what one rolling-update step looks at.
type Input struct {
	// Replicas is the Deployment's spec.replicas.
	Replicas int32
	// MaxSurge and MaxUnavailable are already resolved by Bounds.
	MaxSurge, MaxUnavailable int32
	// New is the ReplicaSet of the current pod template.
	New RS
	// Old are the other ReplicaSets, oldest first.
	Old []RS
}

// Output is the step's decision: every ReplicaSet's new spec.replicas.
type Output struct {
	// New is the new ReplicaSet's target replicas.
	New int32
	// Old are the old ReplicaSets' target replicas, in Input.Old's order.
	Old []int32
}

// String lists the input in one paragraph, as failures print it.
func (in Input) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "replicas %d, maxSurge %d, maxUnavailable %d,\n  new: spec %d available %d,\n  old (oldest first):",
		in.Replicas, in.MaxSurge, in.MaxUnavailable, in.New.Spec, in.New.Available)
	if len(in.Old) == 0 {
		b.WriteString(" none")
	}
	for i, rs := range in.Old {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " spec %d available %d", rs.Spec, rs.Available)
	}
	return b.String()
}

// String is the output as failures print it.
func (out Output) String() string {
	return fmt.Sprintf("new %d, old %v", out.New, out.Old)
}

func (in Input) clone() Input {
	in.Old = append([]RS(nil), in.Old...)
	return in
}

func specs(olds []RS) []int32 {
	out := make([]int32, len(olds))
	for i, rs := range olds {
		out[i] = rs.Spec
	}
	return out
}
