package api

import "regexp"

// ValidateStatusUpdate checks the status of newObj, written through the
// /status subresource over oldObj, as Kubernetes' status strategies do:
// phases from the kind's known set, conditions with a type and a status
// of True, False or Unknown, counts that are not negative and agree with
// each other (a workload's readyReplicas ≤ replicas, availableReplicas ≤
// readyReplicas), a pod's container statuses only for its containers,
// addresses that are IP addresses, and what may not go backwards
// (collisionCount, a pod's qosClass, a terminated container that will
// not restart).
//
// Every error names its JSON path under "status". The caller adds
// ValidateUpdate's errors (metadata, and spec, which a status write cannot
// change). Kinds without rules of their own (ConfigMap, custom resources,
// whose schema judges them) return nil; a CertificateSigningRequest's
// status is ValidateUpdate's business, whichever subresource writes it.
//
// Where this is stricter than Kubernetes it says so at the rule: Kubernetes
// validates few statuses beyond their counts, and trusts its kubelet and
// controllers for the rest.
func ValidateStatusUpdate(newObj, oldObj Object) FieldErrors {
	switch n := newObj.(type) {
	case *Pod:
		o, _ := oldObj.(*Pod)
		return validatePodStatusUpdate(n, o)
	case *Node:
		return validateNodeStatus(&n.Status, "status")
	case *Namespace:
		return validateNamespaceStatus(n)
	case *Service:
		return validateServiceStatus(n)
	case *PersistentVolume:
		return validatePersistentVolumeStatus(&n.Status, "status")
	case *PersistentVolumeClaim:
		return validateClaimStatus(&n.Status, "status")
	case *ReplicaSet:
		return validateReplicaSetStatus(&n.Status, "status")
	case *Deployment:
		return append(validateDeploymentStatus(&n.Status, "status"),
			collisionCountUpdate(n.Status.CollisionCount, oldCollisionCount(oldObj), "status")...)
	case *StatefulSet:
		return append(validateStatefulSetStatus(&n.Status, "status"),
			collisionCountUpdate(n.Status.CollisionCount, oldCollisionCount(oldObj), "status")...)
	case *DaemonSet:
		return append(validateDaemonSetStatus(&n.Status, "status"),
			collisionCountUpdate(n.Status.CollisionCount, oldCollisionCount(oldObj), "status")...)
	case *Job:
		return validateJobStatus(&n.Status, "status")
	case *CronJob:
		// Kubernetes checks nothing in a CronJob's status: the active
		// references and times are the controller's bookkeeping.
		return nil
	case *PodDisruptionBudget:
		return validatePodDisruptionBudgetStatus(&n.Status, "status")
	case *HorizontalPodAutoscaler:
		return validateHorizontalPodAutoscalerStatus(&n.Status, "status")
	case *HorizontalPodAutoscalerV1:
		return validateHorizontalPodAutoscalerStatus(&HorizontalPodAutoscalerToV2(n).Status, "status")
	case *CustomResourceDefinition:
		return validateCustomResourceDefinitionStatus(&n.Status, "status")
	}
	return nil
}

// conditionFields are what every condition list shares: a type and a
// status. Each kind's conditions are read into these for one checker.
type conditionFields struct {
	Type   string
	Status ConditionStatus
}

// conditionStatuses are the values a condition's status may take.
var conditionStatuses = []string{string(ConditionTrue), string(ConditionFalse), string(ConditionUnknown)}

// validateConditions checks a list of conditions at p: each type present
// and a qualified name ("Ready", "example.com/Healthy"), each status True,
// False or Unknown. Kubernetes checks the type's shape for pods only (and
// skips its own three pod types) and the status for metav1.Conditions
// only; the rule is the same everywhere here, since a condition whose
// status is "Maybe" answers no question a reader can ask.
func validateConditions(conds []conditionFields, p path) FieldErrors {
	var errs FieldErrors
	for i, c := range conds {
		ip := p.index(i)
		if c.Type == "" {
			errs = append(errs, FieldRequired(ip.child("type").String(), ""))
		} else {
			for _, msg := range IsQualifiedName(c.Type) {
				errs = append(errs, FieldInvalid(ip.child("type").String(), c.Type, msg))
			}
		}
		switch {
		case c.Status == "":
			errs = append(errs, FieldRequired(ip.child("status").String(), ""))
		case !oneOf(string(c.Status), conditionStatuses...):
			errs = append(errs, FieldNotSupported(ip.child("status").String(), string(c.Status), conditionStatuses))
		}
	}
	return errs
}

// validatePhase reports a phase outside the kind's known set; an empty
// phase is "not yet observed" and allowed. Kubernetes leaves phases to
// the decoder of its typed clients; a stored "Bogus" phase breaks every
// controller that switches on it, so it is refused here.
func validatePhase(phase string, known []string, p path) FieldErrors {
	if phase != "" && !oneOf(phase, known...) {
		return FieldErrors{FieldNotSupported(p.String(), phase, known)}
	}
	return nil
}

// countRule says that the count value at field must not exceed limit,
// in Kubernetes' words (msg) for the pair.
type countRule struct {
	field string
	value int32
	limit int32
	msg   string
}

// validateCounts checks each named count is not negative, then each rule.
func validateCounts(counts []namedCount, rules []countRule, p path) FieldErrors {
	var errs FieldErrors
	for _, c := range counts {
		errs = append(errs, nonNegative(c.value, p.child(c.name))...)
	}
	for _, r := range rules {
		if r.value > r.limit {
			errs = append(errs, FieldInvalid(p.child(r.field).String(), r.value, r.msg))
		}
	}
	return errs
}

// namedCount is one count in a status, by its JSON name.
type namedCount struct {
	name  string
	value int64
}

// collisionCountUpdate refuses a collisionCount that goes down (or away):
// the controller counts hash collisions to name its revisions, and a
// lower count would hand out a name already taken.
func collisionCountUpdate(n, o *int32, p path) FieldErrors {
	if o == nil || (n != nil && *n >= *o) {
		return nil
	}
	v := int32(0)
	if n != nil {
		v = *n
	}
	return FieldErrors{FieldInvalid(p.child("collisionCount").String(), v, "cannot be decremented")}
}

// oldCollisionCount is the stored collisionCount of a Deployment,
// StatefulSet or DaemonSet (nil for any other object, or none: nothing to
// compare with).
func oldCollisionCount(old Object) *int32 {
	switch o := old.(type) {
	case *Deployment:
		if o != nil {
			return o.Status.CollisionCount
		}
	case *StatefulSet:
		if o != nil {
			return o.Status.CollisionCount
		}
	case *DaemonSet:
		if o != nil {
			return o.Status.CollisionCount
		}
	}
	return nil
}

// conditionReasonRE is metav1.Condition's reason format.
var conditionReasonRE = regexp.MustCompile(`^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`)

const conditionReasonMsg = "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')"

// Limits on a metav1.Condition's free text, as in Kubernetes.
const (
	maxConditionReasonLen  = 1024
	maxConditionMessageLen = 32 * 1024
)

// validateMetaConditions checks conditions of the metav1.Condition shape
// (a PodDisruptionBudget's) exactly as Kubernetes does: no type twice, a
// qualified-name type, a known status, a non-negative observedGeneration,
// a lastTransitionTime, and a reason in CamelCase-ish form.
func validateMetaConditions(conds []Condition, p path) FieldErrors {
	var errs FieldErrors
	seen := map[string]bool{}
	for i, c := range conds {
		ip := p.index(i)
		if seen[c.Type] {
			errs = append(errs, FieldDuplicate(ip.String(), c.Type))
		}
		seen[c.Type] = true
		if c.Type == "" {
			errs = append(errs, FieldRequired(ip.child("type").String(), "is required"))
		} else {
			for _, msg := range IsQualifiedName(c.Type) {
				errs = append(errs, FieldInvalid(ip.child("type").String(), c.Type, msg))
			}
		}
		switch {
		case c.Status == "":
			errs = append(errs, FieldRequired(ip.child("status").String(), ""))
		case !oneOf(string(c.Status), conditionStatuses...):
			errs = append(errs, FieldNotSupported(ip.child("status").String(), string(c.Status), conditionStatuses))
		}
		if c.ObservedGeneration < 0 {
			errs = append(errs, FieldInvalid(ip.child("observedGeneration").String(), c.ObservedGeneration, "must be greater than or equal to zero"))
		}
		if c.LastTransitionTime.IsZero() {
			errs = append(errs, FieldRequired(ip.child("lastTransitionTime").String(), ""))
		}
		switch {
		case c.Reason == "":
			errs = append(errs, FieldRequired(ip.child("reason").String(), ""))
		case !conditionReasonRE.MatchString(c.Reason):
			errs = append(errs, FieldInvalid(ip.child("reason").String(), c.Reason, conditionReasonMsg))
		case len(c.Reason) > maxConditionReasonLen:
			errs = append(errs, FieldTooLong(ip.child("reason").String(), maxConditionReasonLen))
		}
		if len(c.Message) > maxConditionMessageLen {
			errs = append(errs, FieldTooLong(ip.child("message").String(), maxConditionMessageLen))
		}
	}
	return errs
}

// validateIP reports s at p unless it is an IPv4 or IPv6 address.
func validateIP(s string, p path) FieldErrors {
	if !IsValidIP(s) {
		return FieldErrors{FieldInvalid(p.String(), s, ipErrMsg)}
	}
	return nil
}

// validateStatusResources checks the amounts of a ResourceList in a
// status (a node's capacity, a claim's capacity): none negative, and
// whole numbers for the resources counted in units (pods). Kubernetes
// names node resources as fields ("status.capacity.cpu") and claim
// resources as keys; so does this, through child.
func validateStatusResources(l ResourceList, child func(ResourceName) path, msg string) FieldErrors {
	var errs FieldErrors
	for _, name := range sortedResourceNames(l) {
		q := l[name]
		np := child(name)
		if q.Cmp(Quantity{}) < 0 {
			errs = append(errs, FieldInvalid(np.String(), q.String(), msg))
		}
		if isIntegerResource(name) && q.MilliValue()%1000 != 0 {
			errs = append(errs, FieldInvalid(np.String(), q.String(), "must be an integer"))
		}
	}
	return errs
}

// isIntegerResource reports whether a resource is counted in whole units.
func isIntegerResource(name ResourceName) bool {
	return name == ResourcePods
}
