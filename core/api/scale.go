package api

import "fmt"

// Scale (autoscaling/v1) is the replica count of a workload seen through
// its scale subresource: what kubectl scale and autoscalers read and write
// without knowing the workload's kind.
type Scale struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       ScaleSpec   `json:"spec,omitempty"`
	Status     ScaleStatus `json:"status,omitempty"`
}

// ScaleSpec is the desired replica count.
type ScaleSpec struct {
	Replicas int32 `json:"replicas"`
}

// ScaleStatus is the observed replica count and the workload's selector
// written as a label query ("app=web,tier in (a,b)").
type ScaleStatus struct {
	Replicas int32  `json:"replicas"`
	Selector string `json:"selector,omitempty"`
}

// ScaleOf returns the Scale view of a Deployment, ReplicaSet or
// StatefulSet, carrying the workload's name, namespace, uid,
// resourceVersion and creation time. ok is false for any other kind.
func ScaleOf(obj Object) (s *Scale, ok bool) {
	var spec *int32
	var status int32
	var ls *LabelSelector
	switch o := obj.(type) {
	case *Deployment:
		spec, status, ls = o.Spec.Replicas, o.Status.Replicas, o.Spec.Selector
	case *ReplicaSet:
		spec, status, ls = o.Spec.Replicas, o.Status.Replicas, o.Spec.Selector
	case *StatefulSet:
		spec, status, ls = o.Spec.Replicas, o.Status.Replicas, o.Spec.Selector
	default:
		return nil, false
	}
	m := obj.GetObjectMeta()
	s = &Scale{
		TypeMeta: TypeMeta{APIVersion: "autoscaling/v1", Kind: "Scale"},
		ObjectMeta: ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID,
			ResourceVersion: m.ResourceVersion, CreationTimestamp: m.CreationTimestamp},
		Status: ScaleStatus{Replicas: status},
	}
	if spec != nil {
		s.Spec.Replicas = *spec
	}
	if sel, err := SelectorFromLabelSelector(ls); err == nil && ls != nil {
		s.Status.Selector = sel.String()
	}
	return s, true
}

// SetScale writes replicas into a Deployment, ReplicaSet or StatefulSet.
func SetScale(obj Object, replicas int32) error {
	switch o := obj.(type) {
	case *Deployment:
		o.Spec.Replicas = &replicas
	case *ReplicaSet:
		o.Spec.Replicas = &replicas
	case *StatefulSet:
		o.Spec.Replicas = &replicas
	default:
		return fmt.Errorf("%T has no scale subresource", obj)
	}
	return nil
}
