package printers

import (
	"github.com/tinykube/tinykube/core/api"
)

// deployment writes kubectl's describe of a deployment, without the
// OldReplicaSets/NewReplicaSet lines, which would need the ReplicaSets.
func (d *describer) deployment(dep *api.Deployment) {
	d.nameAndNamespace(&dep.ObjectMeta)
	d.line(0, "CreationTimestamp:\t%s\n", timestamp(dep.CreationTimestamp))
	d.labels("Labels", dep.Labels)
	d.annotations("Annotations", dep.Annotations)
	d.line(0, "Selector:\t%s\n", selectorString(dep.Spec.Selector))
	st := dep.Status
	d.line(0, "Replicas:\t%d desired | %d updated | %d total | %d available | %d unavailable\n",
		replicas(dep.Spec.Replicas), st.UpdatedReplicas, st.Replicas, st.AvailableReplicas, st.UnavailableReplicas)
	d.line(0, "StrategyType:\t%s\n", dep.Spec.Strategy.Type)
	d.line(0, "MinReadySeconds:\t%d\n", dep.Spec.MinReadySeconds)
	if ru := dep.Spec.Strategy.RollingUpdate; ru != nil {
		d.line(0, "RollingUpdateStrategy:\t%s max unavailable, %s max surge\n", intOrStringPtr(ru.MaxUnavailable), intOrStringPtr(ru.MaxSurge))
	}
	d.podTemplate(&dep.Spec.Template)
	d.workloadConditions(st.Conditions)
}

// replicaSet writes kubectl's describe of a replica set, without the
// "Pods Status" line, which would need the pods.
func (d *describer) replicaSet(rs *api.ReplicaSet) {
	d.nameAndNamespace(&rs.ObjectMeta)
	d.line(0, "Selector:\t%s\n", formatLabelSelector(rs.Spec.Selector))
	d.labels("Labels", rs.Labels)
	d.annotations("Annotations", rs.Annotations)
	if c := controlledBy(&rs.ObjectMeta); c != "" {
		d.line(0, "Controlled By:\t%s\n", c)
	}
	d.line(0, "Replicas:\t%d current / %d desired\n", rs.Status.Replicas, replicas(rs.Spec.Replicas))
	d.podTemplate(&rs.Spec.Template)
	d.workloadConditions(rs.Status.Conditions)
}

// workloadConditions writes the Type/Status/Reason table of a workload.
func (d *describer) workloadConditions(cs []api.WorkloadCondition) {
	if len(cs) == 0 {
		return
	}
	d.line(0, "Conditions:\n  Type\tStatus\tReason\n")
	d.line(1, "----\t------\t------\n")
	for _, c := range cs {
		d.line(1, "%s \t%s\t%s\n", c.Type, c.Status, c.Reason)
	}
}

// intOrStringPtr prints an optional int-or-string as kubectl does, "<nil>"
// when unset.
func intOrStringPtr(v *api.IntOrString) string {
	if v == nil {
		return "<nil>"
	}
	return v.String()
}
