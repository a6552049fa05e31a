package api

import "time"

// PodDisruptionBudget (policy/v1) bounds voluntary disruptions of the pods
// its selector picks: an eviction is allowed only while the budget says
// so (status.disruptionsAllowed > 0). The disruption controller keeps the
// status; the eviction subresource spends it.
type PodDisruptionBudget struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       PodDisruptionBudgetSpec   `json:"spec,omitempty"`
	Status     PodDisruptionBudgetStatus `json:"status,omitempty"`
}

// PodDisruptionBudgetSpec is the budget: at most one of minAvailable and
// maxUnavailable, each an integer or a percentage of the expected pods.
// A nil selector selects no pods; an empty one selects every pod of the
// namespace (policy/v1's meaning).
type PodDisruptionBudgetSpec struct {
	MinAvailable               *IntOrString   `json:"minAvailable,omitempty"`
	Selector                   *LabelSelector `json:"selector,omitempty"`
	MaxUnavailable             *IntOrString   `json:"maxUnavailable,omitempty"`
	UnhealthyPodEvictionPolicy *string        `json:"unhealthyPodEvictionPolicy,omitempty"`
}

// Unhealthy pod eviction policies: whether a pod that is not Ready may be
// evicted when the budget is not met.
const (
	IfHealthyBudget = "IfHealthyBudget"
	AlwaysAllow     = "AlwaysAllow"
)

// PodDisruptionBudgetStatus is what the disruption controller last
// observed, and the evictions the API server granted since.
type PodDisruptionBudgetStatus struct {
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// DisruptedPods maps a pod the API server agreed to evict to when it
	// agreed: until the pod is gone (or a timeout passes) the controller
	// does not count it as healthy, so a slow delete is not counted twice.
	DisruptedPods      map[string]Time `json:"disruptedPods,omitempty"`
	DisruptionsAllowed int32           `json:"disruptionsAllowed"`
	CurrentHealthy     int32           `json:"currentHealthy"`
	DesiredHealthy     int32           `json:"desiredHealthy"`
	ExpectedPods       int32           `json:"expectedPods"`
	Conditions         []Condition     `json:"conditions,omitempty"`
}

// Condition is the metav1.Condition shape that newer kinds use.
type Condition struct {
	Type               string          `json:"type"`
	Status             ConditionStatus `json:"status"`
	ObservedGeneration int64           `json:"observedGeneration,omitempty"`
	LastTransitionTime Time            `json:"lastTransitionTime"`
	Reason             string          `json:"reason"`
	Message            string          `json:"message"`
}

// The PDB's condition and its reasons.
const (
	DisruptionAllowedCondition = "DisruptionAllowed"
	SufficientPodsReason       = "SufficientPods"
	InsufficientPodsReason     = "InsufficientPods"
	SyncFailedReason           = "SyncFailed"
)

// Eviction (policy/v1) is the body POSTed to pods/{name}/eviction: delete
// this pod unless that breaks a disruption budget.
type Eviction struct {
	TypeMeta      `json:",inline"`
	ObjectMeta    `json:"metadata,omitempty"`
	DeleteOptions *EvictionDeleteOptions `json:"deleteOptions,omitempty"`
}

// EvictionDeleteOptions are the options of the delete an eviction makes
// (the fields of meta/v1 DeleteOptions that matter to a pod).
type EvictionDeleteOptions struct {
	TypeMeta           `json:",inline"`
	GracePeriodSeconds *int64                 `json:"gracePeriodSeconds,omitempty"`
	Preconditions      *EvictionPreconditions `json:"preconditions,omitempty"`
	PropagationPolicy  *string                `json:"propagationPolicy,omitempty"`
	DryRun             []string               `json:"dryRun,omitempty"`
}

// EvictionPreconditions make the eviction conditional on the pod's
// identity or version.
type EvictionPreconditions struct {
	UID             *string `json:"uid,omitempty"`
	ResourceVersion *string `json:"resourceVersion,omitempty"`
}

// SetDisruptionAllowed sets the PDB's DisruptionAllowed condition from
// status.disruptionsAllowed, moving lastTransitionTime only when the
// condition's status changes. The eviction subresource and the disruption controller share it.
func SetDisruptionAllowed(st *PodDisruptionBudgetStatus, generation int64, now time.Time) {
	c := Condition{Type: DisruptionAllowedCondition, Status: ConditionFalse, Reason: InsufficientPodsReason, ObservedGeneration: generation}
	if st.DisruptionsAllowed > 0 {
		c.Status, c.Reason = ConditionTrue, SufficientPodsReason
	}
	setCondition(st, c, now)
}

// setCondition replaces the condition of c's type, keeping its transition
// time when its status is unchanged, or adds it.
func setCondition(st *PodDisruptionBudgetStatus, c Condition, now time.Time) {
	c.LastTransitionTime = *NewTime(now)
	for i := range st.Conditions {
		if st.Conditions[i].Type == c.Type {
			if st.Conditions[i].Status == c.Status {
				c.LastTransitionTime = st.Conditions[i].LastTransitionTime
			}
			st.Conditions[i] = c
			return
		}
	}
	st.Conditions = append(st.Conditions, c)
}

// Covers reports whether the budget's selector picks pod: a nil selector
// picks nothing, an empty one every pod of the budget's namespace
// (policy/v1's meaning), an invalid one nothing.
func (b *PodDisruptionBudget) Covers(pod *Pod) bool {
	if b.Spec.Selector == nil || b.Namespace != pod.Namespace {
		return false
	}
	sel, err := SelectorFromLabelSelector(b.Spec.Selector)
	return err == nil && sel.Matches(pod.Labels)
}
