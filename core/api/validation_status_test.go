package api

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// statusPod is a running pod with one init container, as its kubelet
// reports it.
func statusPod() *Pod {
	p := validPod()
	p.Spec.InitContainers = []Container{{Name: "setup", Image: "busybox"}}
	p.Spec.RestartPolicy = RestartNever
	p.Status = PodStatus{
		Phase:      PodRunning,
		Conditions: []PodCondition{{Type: "Ready", Status: ConditionTrue}, {Type: "example.com/Warm", Status: ConditionFalse}},
		HostIP:     "10.0.0.1", PodIP: "10.244.0.5", PodIPs: []PodIP{{IP: "10.244.0.5"}, {IP: "fd00::5"}},
		QOSClass:              "BestEffort",
		InitContainerStatuses: []ContainerStatus{{Name: "setup", State: ContainerState{Terminated: &ContainerStateTerminated{}}}},
		ContainerStatuses:     []ContainerStatus{{Name: "web", Ready: true, RestartCount: 2, State: ContainerState{Running: &ContainerStateRunning{}}}},
	}
	return p
}

func TestValidateStatusUpdate(t *testing.T) {
	tests := []struct {
		name   string
		obj    func() Object         // a valid object, its status included
		mutate func(obj, old Object) // makes the new status (and maybe the old) invalid
		want   []string
	}{
		// Pod.
		{"pod valid", func() Object { return statusPod() }, func(Object, Object) {}, nil},
		{"pod phase", func() Object { return statusPod() }, func(o, _ Object) { o.(*Pod).Status.Phase = "Bogus" },
			[]string{`status.phase: Unsupported value: "Bogus": supported values: "Pending", "Running", "Succeeded", "Failed", "Unknown"`}},
		{"pod condition status", func() Object { return statusPod() }, func(o, _ Object) { o.(*Pod).Status.Conditions[1].Status = "Maybe" },
			[]string{`status.conditions[1].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"`}},
		{"pod condition type", func() Object { return statusPod() }, func(o, _ Object) {
			o.(*Pod).Status.Conditions[0].Type = ""
			o.(*Pod).Status.Conditions[1].Type = "not a name"
		}, []string{
			`status.conditions[0].type: Required value`,
			`status.conditions[1].type: Invalid value: "not a name": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
		}},
		{"pod restartCount", func() Object { return statusPod() }, func(o, _ Object) { o.(*Pod).Status.ContainerStatuses[0].RestartCount = -7 },
			[]string{`status.containerStatuses[0].restartCount: Invalid value: -7: must be greater than or equal to 0`}},
		{"pod status of a container not in the spec", func() Object { return statusPod() }, func(o, _ Object) {
			p := o.(*Pod)
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, ContainerStatus{Name: "ghost"}, ContainerStatus{Name: "web"})
			p.Status.InitContainerStatuses[0].Name = "web"
		}, []string{
			"status.containerStatuses[1].name: Invalid value: \"ghost\": must match the name of an entry in `spec.containers`",
			`status.containerStatuses[2].name: Duplicate value: "web"`,
			"status.initContainerStatuses[0].name: Invalid value: \"web\": must match the name of an entry in `spec.initContainers`",
		}},
		{"pod IPs", func() Object { return statusPod() }, func(o, _ Object) {
			s := &o.(*Pod).Status
			s.HostIP, s.PodIP = "10.0.0.256", "10.244.0.6"
			s.PodIPs = []PodIP{{IP: "10.244.0.5"}, {IP: "10.244.0.7"}, {IP: "x"}}
		}, []string{
			`status.hostIP: Invalid value: "10.0.0.256": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
			`status.podIPs[2].ip: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
			`status.podIPs: Invalid value: []string{"10.244.0.5", "10.244.0.7", "x"}: may specify no more than one IP for each IP family`,
			"status.podIPs[0].ip: Invalid value: \"10.244.0.5\": must match `status.podIP`",
		}},
		{"pod qosClass", func() Object { return statusPod() }, func(o, _ Object) { o.(*Pod).Status.QOSClass = "Guaranteed" },
			[]string{`status.qosClass: Invalid value: "Guaranteed": field is immutable`}},
		{"pod terminated stays terminated under Never", func() Object { return statusPod() }, func(o, old Object) {
			old.(*Pod).Status.ContainerStatuses[0].State = ContainerState{Terminated: &ContainerStateTerminated{ExitCode: 1}}
			o.(*Pod).Status.InitContainerStatuses[0].State = ContainerState{Running: &ContainerStateRunning{}}
		}, []string{
			"status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state",
			"status.initContainerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state",
		}},
		{"pod under Always may restart", func() Object { p := statusPod(); p.Spec.RestartPolicy = RestartAlways; return p }, func(o, old Object) {
			old.(*Pod).Status.ContainerStatuses[0].State = ContainerState{Terminated: &ContainerStateTerminated{}}
		}, nil},

		// Workloads.
		{"replicaset counts", func() Object {
			return &ReplicaSet{Status: ReplicaSetStatus{Replicas: 3, ReadyReplicas: 3, AvailableReplicas: 2}}
		},
			func(o, _ Object) {
				s := &o.(*ReplicaSet).Status
				s.Replicas, s.FullyLabeledReplicas, s.ReadyReplicas, s.AvailableReplicas, s.ObservedGeneration = 2, -1, 3, 3, -4
				s.AvailableReplicas = 4
			}, []string{
				`status.fullyLabeledReplicas: Invalid value: -1: must be greater than or equal to 0`,
				`status.observedGeneration: Invalid value: -4: must be greater than or equal to 0`,
				`status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas`,
				`status.availableReplicas: Invalid value: 4: cannot be greater than status.replicas`,
				`status.availableReplicas: Invalid value: 4: cannot be greater than readyReplicas`,
			}},
		{"deployment counts and conditions", func() Object {
			return &Deployment{Status: DeploymentStatus{Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3,
				Conditions: []WorkloadCondition{{Type: "Available", Status: ConditionTrue}}}}
		}, func(o, _ Object) {
			s := &o.(*Deployment).Status
			s.UpdatedReplicas, s.UnavailableReplicas = 4, -1
			s.Conditions[0].Status = "yes"
		}, []string{
			`status.unavailableReplicas: Invalid value: -1: must be greater than or equal to 0`,
			`status.updatedReplicas: Invalid value: 4: cannot be greater than status.replicas`,
			`status.conditions[0].status: Unsupported value: "yes": supported values: "True", "False", "Unknown"`,
		}},
		{"deployment collisionCount", func() Object { return &Deployment{Status: DeploymentStatus{CollisionCount: ptrTo[int32](2)}} },
			func(o, _ Object) { o.(*Deployment).Status.CollisionCount = ptrTo[int32](1) },
			[]string{`status.collisionCount: Invalid value: 1: cannot be decremented`}},
		{"statefulset counts", func() Object {
			return &StatefulSet{Status: StatefulSetStatus{Replicas: 2, ReadyReplicas: 2, AvailableReplicas: 2}}
		},
			func(o, _ Object) {
				s := &o.(*StatefulSet).Status
				s.CurrentReplicas, s.AvailableReplicas, s.ReadyReplicas = 3, 2, 1
				s.CollisionCount = ptrTo[int32](-1)
			}, []string{
				`status.collisionCount: Invalid value: -1: must be greater than or equal to 0`,
				`status.currentReplicas: Invalid value: 3: cannot be greater than status.replicas`,
				`status.availableReplicas: Invalid value: 2: cannot be greater than status.readyReplicas`,
			}},
		{"daemonset counts", func() Object { return &DaemonSet{Status: DaemonSetStatus{DesiredNumberScheduled: 1}} },
			func(o, _ Object) { o.(*DaemonSet).Status.NumberReady = -2 },
			[]string{`status.numberReady: Invalid value: -2: must be greater than or equal to 0`}},
		{"job counts and conditions", func() Object {
			return &Job{Status: JobStatus{Succeeded: 1, Conditions: []JobCondition{{Type: "Complete", Status: ConditionTrue}}}}
		}, func(o, _ Object) {
			s := &o.(*Job).Status
			s.Failed, s.Ready = -1, ptrTo[int32](-3)
			s.Conditions[0].Type = ""
		}, []string{
			`status.failed: Invalid value: -1: must be greater than or equal to 0`,
			`status.ready: Invalid value: -3: must be greater than or equal to 0`,
			`status.conditions[0].type: Required value`,
		}},
		{"cronjob has no rules", func() Object { return &CronJob{} }, func(Object, Object) {}, nil},
		{"pdb", func() Object {
			return &PodDisruptionBudget{Status: PodDisruptionBudgetStatus{ExpectedPods: 2, Conditions: []Condition{{
				Type: "DisruptionAllowed", Status: ConditionTrue, Reason: "SufficientPods", LastTransitionTime: Time{time.Unix(100, 0)}}}}}
		}, func(o, _ Object) {
			s := &o.(*PodDisruptionBudget).Status
			s.DisruptionsAllowed = -1
			s.Conditions = append(s.Conditions, Condition{Type: "DisruptionAllowed", Status: "Maybe", Reason: "not ok"})
		}, []string{
			`status.conditions[1]: Duplicate value: "DisruptionAllowed"`,
			`status.conditions[1].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"`,
			`status.conditions[1].lastTransitionTime: Required value`,
			`status.conditions[1].reason: Invalid value: "not ok": ` + conditionReasonMsg,
			`status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0`,
		}},

		// Cluster and storage kinds.
		{"node", func() Object {
			return &Node{Status: NodeStatus{Phase: "Running",
				Capacity:   ResourceList{ResourceCPU: MustParseQuantity("4"), ResourcePods: MustParseQuantity("110")},
				Conditions: []NodeCondition{{Type: "Ready", Status: ConditionTrue}},
				Addresses:  []NodeAddress{{Type: "InternalIP", Address: "10.0.0.1"}, {Type: "Hostname", Address: "n1"}}}}
		}, func(o, _ Object) {
			s := &o.(*Node).Status
			s.Phase = "Up"
			s.Capacity[ResourceCPU] = MustParseQuantity("-1")
			s.Allocatable = ResourceList{ResourcePods: MustParseQuantity("1500m")}
			s.Conditions[0].Status = "Maybe"
			s.Addresses = append(s.Addresses, NodeAddress{Type: "Hostname", Address: "n1"}, NodeAddress{Type: "ExternalIP", Address: "n1"}, NodeAddress{Type: "Public", Address: "x"})
		}, []string{
			`status.phase: Unsupported value: "Up": supported values: "Pending", "Running", "Terminated"`,
			`status.capacity.cpu: Invalid value: "-1": must be greater than or equal to 0`,
			`status.allocatable.pods: Invalid value: "1500m": must be an integer`,
			`status.conditions[0].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"`,
			`status.addresses[2]: Duplicate value: api.NodeAddress{Type:"Hostname", Address:"n1"}`,
			`status.addresses[3].address: Invalid value: "n1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
			`status.addresses[4].type: Unsupported value: "Public": supported values: "Hostname", "InternalIP", "ExternalIP", "InternalDNS", "ExternalDNS"`,
		}},
		{"namespace alive", func() Object { return &Namespace{Status: NamespaceStatus{Phase: NamespaceActive}} },
			func(o, _ Object) { o.(*Namespace).Status.Phase = NamespaceTerminating },
			[]string{`status.phase: Invalid value: "Terminating": may only be 'Active' if ` + "`deletionTimestamp`" + ` is empty`}},
		{"namespace being deleted", func() Object {
			return &Namespace{ObjectMeta: ObjectMeta{DeletionTimestamp: &Time{time.Unix(5, 0)}}, Status: NamespaceStatus{Phase: NamespaceTerminating}}
		}, func(o, _ Object) { o.(*Namespace).Status.Phase = NamespaceActive },
			[]string{`status.phase: Invalid value: "Active": may only be 'Terminating' if ` + "`deletionTimestamp`" + ` is not empty`}},
		{"service ingress", func() Object {
			return &Service{Spec: ServiceSpec{Type: ServiceLoadBalancer}, Status: ServiceStatus{LoadBalancer: LoadBalancerStatus{Ingress: []LoadBalancerIngress{{IP: "192.0.2.1"}, {Hostname: "lb.example.com"}}}}}
		}, func(o, _ Object) {
			in := o.(*Service).Status.LoadBalancer.Ingress
			in[0].IP, in[1].Hostname = "192.0.2", "192.0.2.9"
		}, []string{
			`status.loadBalancer.ingress[0].ip: Invalid value: "192.0.2": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
			`status.loadBalancer.ingress[1].hostname: Invalid value: "192.0.2.9": must be a DNS name, not an IP address`,
		}},
		{"service ingress needs a load balancer", func() Object { return &Service{Spec: ServiceSpec{Type: ServiceClusterIP}} },
			func(o, _ Object) { o.(*Service).Status.LoadBalancer.Ingress = []LoadBalancerIngress{{IP: "192.0.2.1"}} },
			[]string{"status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'"}},
		{"volume phase", func() Object { return &PersistentVolume{Status: PersistentVolumeStatus{Phase: VolumeBound}} },
			func(o, _ Object) { o.(*PersistentVolume).Status.Phase = "Attached" },
			[]string{`status.phase: Unsupported value: "Attached": supported values: "Pending", "Available", "Bound", "Released", "Failed"`}},
		{"claim", func() Object {
			return &PersistentVolumeClaim{Status: PersistentVolumeClaimStatus{Phase: ClaimBound, AccessModes: []string{ReadWriteOnce},
				Capacity: ResourceList{ResourceStorage: MustParseQuantity("1Gi")}}}
		}, func(o, _ Object) {
			s := &o.(*PersistentVolumeClaim).Status
			s.Phase, s.AccessModes = "Mounted", []string{"ReadWriteSometimes"}
			s.Capacity[ResourceStorage] = MustParseQuantity("-1Gi")
		}, []string{
			`status.phase: Unsupported value: "Mounted": supported values: "Pending", "Bound", "Lost"`,
			`status.accessModes[0]: Unsupported value: "ReadWriteSometimes": supported values: "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"`,
			`status.capacity[storage]: Invalid value: "-1Gi": must be a valid resource quantity`,
		}},
		{"crd", func() Object {
			return &CustomResourceDefinition{Status: CustomResourceDefinitionStatus{StoredVersions: []string{"v1"},
				Conditions: []CustomResourceDefinitionCondition{{Type: "Established", Status: ConditionTrue}}}}
		}, func(o, _ Object) {
			s := &o.(*CustomResourceDefinition).Status
			s.Conditions[0].Status, s.StoredVersions = "", []string{"v1", ""}
		}, []string{
			`status.conditions[0].status: Required value`,
			`status.storedVersions[1]: Required value`,
		}},
	}
	for _, tt := range tests {
		old, obj := tt.obj(), tt.obj()
		tt.mutate(obj, old)
		var got []string
		for _, e := range ValidateStatusUpdate(obj, old) {
			got = append(got, e.Error())
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: ValidateStatusUpdate mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestNodeCreateChecksStatus: a node is created with the status its
// kubelet reports, and that status is checked then too.
func TestNodeCreateChecksStatus(t *testing.T) {
	n := &Node{ObjectMeta: ObjectMeta{Name: "n1"}, Status: NodeStatus{Capacity: ResourceList{ResourcePods: MustParseQuantity("-3")}}}
	var got []string
	for _, e := range Validate(n) {
		got = append(got, e.Error())
	}
	want := []string{`status.capacity.pods: Invalid value: "-3": must be greater than or equal to 0`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Validate(node) mismatch (-want +got):\n%s", diff)
	}
}
