package api

// The wording Kubernetes uses when one count exceeds another.
const (
	notAboveReplicas      = "cannot be greater than status.replicas"
	notAboveReady         = "cannot be greater than readyReplicas"
	notAboveReadyReplicas = "cannot be greater than status.readyReplicas"
)

// workloadConditions reads a workload's conditions for validateConditions.
func workloadConditions(cs []WorkloadCondition) []conditionFields {
	out := make([]conditionFields, len(cs))
	for i, c := range cs {
		out[i] = conditionFields{c.Type, c.Status}
	}
	return out
}

// validateReplicaSetStatus checks a ReplicaSet's counts as Kubernetes
// does (none negative; fully labeled, ready and available at most
// replicas; available at most ready) and its conditions.
func validateReplicaSetStatus(s *ReplicaSetStatus, p path) FieldErrors {
	errs := validateCounts([]namedCount{
		{"replicas", int64(s.Replicas)},
		{"fullyLabeledReplicas", int64(s.FullyLabeledReplicas)},
		{"readyReplicas", int64(s.ReadyReplicas)},
		{"availableReplicas", int64(s.AvailableReplicas)},
		{"observedGeneration", s.ObservedGeneration},
	}, []countRule{
		{"fullyLabeledReplicas", s.FullyLabeledReplicas, s.Replicas, notAboveReplicas},
		{"readyReplicas", s.ReadyReplicas, s.Replicas, notAboveReplicas},
		{"availableReplicas", s.AvailableReplicas, s.Replicas, notAboveReplicas},
		{"availableReplicas", s.AvailableReplicas, s.ReadyReplicas, notAboveReady},
	}, p)
	return append(errs, validateConditions(workloadConditions(s.Conditions), p.child("conditions"))...)
}

// validateDeploymentStatus checks a Deployment's counts as Kubernetes
// does (none negative; updated, ready and available at most replicas;
// available at most ready) and its conditions.
func validateDeploymentStatus(s *DeploymentStatus, p path) FieldErrors {
	counts := []namedCount{
		{"observedGeneration", s.ObservedGeneration},
		{"replicas", int64(s.Replicas)},
		{"updatedReplicas", int64(s.UpdatedReplicas)},
		{"readyReplicas", int64(s.ReadyReplicas)},
		{"availableReplicas", int64(s.AvailableReplicas)},
		{"unavailableReplicas", int64(s.UnavailableReplicas)},
	}
	if s.CollisionCount != nil {
		counts = append(counts, namedCount{"collisionCount", int64(*s.CollisionCount)})
	}
	errs := validateCounts(counts, []countRule{
		{"updatedReplicas", s.UpdatedReplicas, s.Replicas, notAboveReplicas},
		{"readyReplicas", s.ReadyReplicas, s.Replicas, notAboveReplicas},
		{"availableReplicas", s.AvailableReplicas, s.Replicas, notAboveReplicas},
		{"availableReplicas", s.AvailableReplicas, s.ReadyReplicas, notAboveReady},
	}, p)
	return append(errs, validateConditions(workloadConditions(s.Conditions), p.child("conditions"))...)
}

// validateStatefulSetStatus checks a StatefulSet's counts as Kubernetes
// does (none negative; ready, current, updated and available at most
// replicas; available at most ready) and its conditions.
func validateStatefulSetStatus(s *StatefulSetStatus, p path) FieldErrors {
	counts := []namedCount{
		{"replicas", int64(s.Replicas)},
		{"readyReplicas", int64(s.ReadyReplicas)},
		{"currentReplicas", int64(s.CurrentReplicas)},
		{"updatedReplicas", int64(s.UpdatedReplicas)},
		{"availableReplicas", int64(s.AvailableReplicas)},
		{"observedGeneration", s.ObservedGeneration},
	}
	if s.CollisionCount != nil {
		counts = append(counts, namedCount{"collisionCount", int64(*s.CollisionCount)})
	}
	errs := validateCounts(counts, []countRule{
		{"readyReplicas", s.ReadyReplicas, s.Replicas, notAboveReplicas},
		{"currentReplicas", s.CurrentReplicas, s.Replicas, notAboveReplicas},
		{"updatedReplicas", s.UpdatedReplicas, s.Replicas, notAboveReplicas},
		{"availableReplicas", s.AvailableReplicas, s.Replicas, notAboveReplicas},
		{"availableReplicas", s.AvailableReplicas, s.ReadyReplicas, notAboveReadyReplicas},
	}, p)
	return append(errs, validateConditions(workloadConditions(s.Conditions), p.child("conditions"))...)
}

// validateDaemonSetStatus checks that no DaemonSet count is negative, as
// Kubernetes does (it compares none of them: a node can be scheduled and
// then leave), and its conditions.
func validateDaemonSetStatus(s *DaemonSetStatus, p path) FieldErrors {
	counts := []namedCount{
		{"currentNumberScheduled", int64(s.CurrentNumberScheduled)},
		{"numberMisscheduled", int64(s.NumberMisscheduled)},
		{"desiredNumberScheduled", int64(s.DesiredNumberScheduled)},
		{"numberReady", int64(s.NumberReady)},
		{"observedGeneration", s.ObservedGeneration},
		{"updatedNumberScheduled", int64(s.UpdatedNumberScheduled)},
		{"numberAvailable", int64(s.NumberAvailable)},
		{"numberUnavailable", int64(s.NumberUnavailable)},
	}
	if s.CollisionCount != nil {
		counts = append(counts, namedCount{"collisionCount", int64(*s.CollisionCount)})
	}
	errs := validateCounts(counts, nil, p)
	return append(errs, validateConditions(workloadConditions(s.Conditions), p.child("conditions"))...)
}

// validateJobStatus checks that no Job count is negative, as Kubernetes
// does, and its conditions; Kubernetes' rules on how a Job may finish
// (which conditions with which times) are the controller's, here and
// there.
func validateJobStatus(s *JobStatus, p path) FieldErrors {
	counts := []namedCount{
		{"active", int64(s.Active)},
		{"succeeded", int64(s.Succeeded)},
		{"failed", int64(s.Failed)},
	}
	if s.Ready != nil {
		counts = append(counts, namedCount{"ready", int64(*s.Ready)})
	}
	errs := validateCounts(counts, nil, p)
	conds := make([]conditionFields, len(s.Conditions))
	for i, c := range s.Conditions {
		conds[i] = conditionFields{c.Type, c.Status}
	}
	return append(errs, validateConditions(conds, p.child("conditions"))...)
}

// validatePodDisruptionBudgetStatus checks a PDB's counts (none negative)
// and its metav1 conditions, as Kubernetes' policy validation does.
func validatePodDisruptionBudgetStatus(s *PodDisruptionBudgetStatus, p path) FieldErrors {
	errs := validateMetaConditions(s.Conditions, p.child("conditions"))
	return append(errs, validateCounts([]namedCount{
		{"observedGeneration", s.ObservedGeneration},
		{"disruptionsAllowed", int64(s.DisruptionsAllowed)},
		{"currentHealthy", int64(s.CurrentHealthy)},
		{"desiredHealthy", int64(s.DesiredHealthy)},
		{"expectedPods", int64(s.ExpectedPods)},
	}, nil, p)...)
}
