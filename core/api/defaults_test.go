package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDefaultPod(t *testing.T) {
	pod := &Pod{Spec: PodSpec{
		Volumes:        []Volume{{Name: "cfg", VolumeSource: VolumeSource{ConfigMap: &ConfigMapVolumeSource{Name: "c"}}}},
		InitContainers: []Container{{Name: "init", Image: "busybox"}},
		Containers: []Container{{
			Name:  "web",
			Image: "registry.local:5000/nginx:1.25",
			Ports: []ContainerPort{{ContainerPort: 80}, {ContainerPort: 53, Protocol: ProtocolUDP}},
			Resources: ResourceRequirements{
				Limits:   ResourceList{"cpu": MustParseQuantity("1"), "memory": MustParseQuantity("128Mi")},
				Requests: ResourceList{"cpu": MustParseQuantity("100m")},
			},
			LivenessProbe: &Probe{ProbeHandler: ProbeHandler{HTTPGet: &HTTPGetAction{Port: FromInt(80)}}, PeriodSeconds: 5},
		}},
	}}
	Default(pod)
	want := PodSpec{
		Volumes:        []Volume{{Name: "cfg", VolumeSource: VolumeSource{ConfigMap: &ConfigMapVolumeSource{Name: "c", DefaultMode: ptrTo[int32](0644)}}}},
		InitContainers: []Container{{Name: "init", Image: "busybox", ImagePullPolicy: PullAlways, TerminationMessagePath: "/dev/termination-log"}},
		Containers: []Container{{
			Name:  "web",
			Image: "registry.local:5000/nginx:1.25",
			Ports: []ContainerPort{{ContainerPort: 80, Protocol: ProtocolTCP}, {ContainerPort: 53, Protocol: ProtocolUDP}},
			Resources: ResourceRequirements{
				Limits:   ResourceList{"cpu": MustParseQuantity("1"), "memory": MustParseQuantity("128Mi")},
				Requests: ResourceList{"cpu": MustParseQuantity("100m"), "memory": MustParseQuantity("128Mi")},
			},
			LivenessProbe: &Probe{ProbeHandler: ProbeHandler{HTTPGet: &HTTPGetAction{Path: "/", Port: FromInt(80), Scheme: "HTTP"}},
				PeriodSeconds: 5, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3},
			ImagePullPolicy:        PullIfNotPresent,
			TerminationMessagePath: "/dev/termination-log",
		}},
		RestartPolicy:                 RestartAlways,
		TerminationGracePeriodSeconds: ptrTo[int64](30),
		DNSPolicy:                     "ClusterFirst",
		SchedulerName:                 "default-scheduler",
	}
	if diff := cmp.Diff(want, pod.Spec, cmp.AllowUnexported(Quantity{})); diff != "" {
		t.Errorf("Default(pod).Spec (-want +got):\n%s", diff)
	}
	// Defaulting twice changes nothing.
	again := DeepCopy(pod)
	Default(again)
	if diff := cmp.Diff(pod, again, cmp.AllowUnexported(Quantity{})); diff != "" {
		t.Errorf("Default is not idempotent (-once +twice):\n%s", diff)
	}
}

func TestDefaultPullPolicy(t *testing.T) {
	tests := []struct {
		image string
		want  PullPolicy
	}{
		{"nginx", PullAlways},
		{"nginx:latest", PullAlways},
		{"nginx:1.25", PullIfNotPresent},
		{"localhost:5000/nginx", PullAlways},
		{"localhost:5000/nginx:v2", PullIfNotPresent},
		{"nginx@sha256:abc", PullIfNotPresent},
		{"nginx:latest@sha256:abc", PullIfNotPresent},
	}
	for _, tt := range tests {
		if got := defaultPullPolicy(tt.image); got != tt.want {
			t.Errorf("defaultPullPolicy(%q) = %s, want %s", tt.image, got, tt.want)
		}
	}
}

func TestDefaultWorkloads(t *testing.T) {
	d := &Deployment{}
	Default(d)
	want := DeploymentSpec{
		Replicas: ptrTo[int32](1),
		Strategy: DeploymentStrategy{Type: StrategyRollingUpdate, RollingUpdate: &RollingUpdateDeployment{
			MaxUnavailable: ptrTo(FromString("25%")), MaxSurge: ptrTo(FromString("25%"))}},
		RevisionHistoryLimit:    ptrTo[int32](10),
		ProgressDeadlineSeconds: ptrTo[int32](600),
		Template: PodTemplateSpec{Spec: PodSpec{RestartPolicy: RestartAlways, TerminationGracePeriodSeconds: ptrTo[int64](30),
			DNSPolicy: "ClusterFirst", SchedulerName: "default-scheduler"}},
	}
	if diff := cmp.Diff(want, d.Spec); diff != "" {
		t.Errorf("Default(deployment).Spec (-want +got):\n%s", diff)
	}
	rec := &Deployment{Spec: DeploymentSpec{Strategy: DeploymentStrategy{Type: StrategyRecreate}, Replicas: ptrTo[int32](0)}}
	Default(rec)
	if rec.Spec.Strategy.RollingUpdate != nil || *rec.Spec.Replicas != 0 {
		t.Errorf("Default(recreate deployment) = %+v, want no rollingUpdate and replicas kept at 0", rec.Spec)
	}
	rs := &ReplicaSet{}
	Default(rs)
	if rs.Spec.Replicas == nil || *rs.Spec.Replicas != 1 || rs.Spec.Template.Spec.RestartPolicy != RestartAlways {
		t.Errorf("Default(replicaset).Spec = %+v, want replicas 1 and template defaults", rs.Spec)
	}
}

// A StatefulSet's claim retention policy defaults field by field to
// Retain, as in Kubernetes.
func TestDefaultClaimRetention(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   *StatefulSetPersistentVolumeClaimRetentionPolicy
		want StatefulSetPersistentVolumeClaimRetentionPolicy
	}{
		{"unset", nil, StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: RetainClaimRetention, WhenScaled: RetainClaimRetention}},
		{"whenScaled only", &StatefulSetPersistentVolumeClaimRetentionPolicy{WhenScaled: DeleteClaimRetention},
			StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: RetainClaimRetention, WhenScaled: DeleteClaimRetention}},
		{"whenDeleted only", &StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: DeleteClaimRetention},
			StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: DeleteClaimRetention, WhenScaled: RetainClaimRetention}},
	} {
		s := &StatefulSet{Spec: StatefulSetSpec{PersistentVolumeClaimRetentionPolicy: tc.in}}
		Default(s)
		if diff := cmp.Diff(&tc.want, s.Spec.PersistentVolumeClaimRetentionPolicy); diff != "" {
			t.Errorf("%s: Default(statefulset) retention policy (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestDefaultOtherKinds(t *testing.T) {
	svc := &Service{Spec: ServiceSpec{Ports: []ServicePort{{Port: 80}, {Port: 443, TargetPort: FromString("https")}, {Port: 53, Protocol: ProtocolUDP, TargetPort: FromInt(5353)}}}}
	Default(svc)
	wantSvc := ServiceSpec{Type: ServiceClusterIP, SessionAffinity: "None", Ports: []ServicePort{
		{Port: 80, Protocol: ProtocolTCP, TargetPort: FromInt(80)},
		{Port: 443, Protocol: ProtocolTCP, TargetPort: FromString("https")},
		{Port: 53, Protocol: ProtocolUDP, TargetPort: FromInt(5353)},
	}}
	if diff := cmp.Diff(wantSvc, svc.Spec); diff != "" {
		t.Errorf("Default(service).Spec (-want +got):\n%s", diff)
	}
	ns := &Namespace{}
	Default(ns)
	if len(ns.Spec.Finalizers) != 0 || ns.Status.Phase != NamespaceActive {
		t.Errorf("Default(namespace) = %+v, want no finalizers (the API server adds them at creation) and phase Active", ns)
	}
	sec := &Secret{}
	Default(sec)
	if sec.Type != "Opaque" {
		t.Errorf("Default(secret).Type = %q, want Opaque", sec.Type)
	}
	ep := &Endpoints{Subsets: []EndpointSubset{{Ports: []EndpointPort{{Port: 80}}}}}
	Default(ep)
	if ep.Subsets[0].Ports[0].Protocol != ProtocolTCP {
		t.Errorf("Default(endpoints) port protocol = %q, want TCP", ep.Subsets[0].Ports[0].Protocol)
	}
	node := &Node{}
	Default(node)
	if diff := cmp.Diff(&Node{}, node); diff != "" {
		t.Errorf("Default(node) changed it (-want +got):\n%s", diff)
	}
}
