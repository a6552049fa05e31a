package api

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func validDeployment() *Deployment {
	pod := validPod()
	return &Deployment{
		ObjectMeta: ObjectMeta{Name: "web", Namespace: "default"},
		Spec: DeploymentSpec{
			Replicas: ptrTo[int32](3),
			Selector: &LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: PodTemplateSpec{ObjectMeta: ObjectMeta{Labels: map[string]string{"app": "web"}}, Spec: pod.Spec},
		},
	}
}

func TestValidateDeployment(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(d *Deployment)
		want   []string
	}{
		{"valid", func(d *Deployment) {}, nil},
		{"valid after Default", func(d *Deployment) { Default(d) }, nil},
		{"replicas", func(d *Deployment) { d.Spec.Replicas = ptrTo[int32](-1) },
			[]string{"spec.replicas: Invalid value: -1: must be greater than or equal to 0"}},
		{"selector required", func(d *Deployment) { d.Spec.Selector = nil }, []string{"spec.selector: Required value"}},
		{"selector empty", func(d *Deployment) { d.Spec.Selector = &LabelSelector{} },
			[]string{`spec.selector: Invalid value: api.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]api.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment`}},
		{"selector does not match", func(d *Deployment) { d.Spec.Template.Labels = map[string]string{"app": "db"} },
			[]string{"spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"db\"}: `selector` does not match template `labels`"}},
		{"selector malformed", func(d *Deployment) {
			d.Spec.Selector.MatchExpressions = []LabelSelectorRequirement{{Key: "tier", Operator: "In"}}
		}, []string{`spec.selector: Invalid value: api.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]api.LabelSelectorRequirement{api.LabelSelectorRequirement{Key:"tier", Operator:"In", Values:[]string(nil)}}}: invalid label selector: matchExpressions[0]: operator In needs at least one value`}},
		{"template spec path", func(d *Deployment) { d.Spec.Template.Spec.Containers[0].Image = "" },
			[]string{"spec.template.spec.containers[0].image: Required value"}},
		{"template restart policy", func(d *Deployment) { d.Spec.Template.Spec.RestartPolicy = RestartNever },
			[]string{`spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"`}},
		{"strategy type", func(d *Deployment) { d.Spec.Strategy.Type = "BlueGreen" },
			[]string{`spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"`}},
		{"recreate with rollingUpdate", func(d *Deployment) {
			d.Spec.Strategy = DeploymentStrategy{Type: StrategyRecreate, RollingUpdate: &RollingUpdateDeployment{}}
		}, []string{"spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"}},
		{"surge and unavailable both zero", func(d *Deployment) {
			d.Spec.Strategy.RollingUpdate = &RollingUpdateDeployment{MaxSurge: ptrTo(FromInt(0)), MaxUnavailable: ptrTo(FromString("0%"))}
		}, []string{"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0%: may not be 0 when `maxSurge` is 0"}},
		{"bad bounds", func(d *Deployment) {
			d.Spec.Strategy.RollingUpdate = &RollingUpdateDeployment{MaxSurge: ptrTo(FromString("x")), MaxUnavailable: ptrTo(FromString("120%"))}
		}, []string{
			"spec.strategy.rollingUpdate.maxSurge: Invalid value: x: must be an integer or percentage (e.g '5%')",
			"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 120%: must not be greater than 100%",
		}},
		{"negative bound", func(d *Deployment) {
			d.Spec.Strategy.RollingUpdate = &RollingUpdateDeployment{MaxSurge: ptrTo(FromInt(-1))}
		}, []string{"spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0"}},
		{"history and deadlines", func(d *Deployment) {
			d.Spec.RevisionHistoryLimit = ptrTo[int32](-1)
			d.Spec.MinReadySeconds = 10
			d.Spec.ProgressDeadlineSeconds = ptrTo[int32](10)
		}, []string{
			"spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
			"spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds",
		}},
	}
	for _, tt := range tests {
		d := validDeployment()
		tt.mutate(d)
		if diff := cmp.Diff(tt.want, errStrings(Validate(d))); diff != "" {
			t.Errorf("%s: Validate(deployment) (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestValidateReplicaSet(t *testing.T) {
	d := validDeployment()
	rs := &ReplicaSet{ObjectMeta: d.ObjectMeta, Spec: ReplicaSetSpec{Replicas: d.Spec.Replicas, Selector: d.Spec.Selector, Template: d.Spec.Template}}
	if errs := Validate(rs); len(errs) != 0 {
		t.Errorf("Validate(valid rs) = %v, want none", errs)
	}
	rs.Spec.Replicas = ptrTo[int32](-2)
	rs.Spec.Template.Spec.ActiveDeadlineSeconds = ptrTo[int64](5)
	want := []string{
		"spec.replicas: Invalid value: -2: must be greater than or equal to 0",
		"spec.template.spec.activeDeadlineSeconds: Invalid value: 5: activeDeadlineSeconds in ReplicaSet is not Supported",
	}
	if diff := cmp.Diff(want, errStrings(Validate(rs))); diff != "" {
		t.Errorf("Validate(rs) (-want +got):\n%s", diff)
	}
}

func TestValidateService(t *testing.T) {
	valid := func() *Service {
		return &Service{ObjectMeta: ObjectMeta{Name: "web", Namespace: "default"},
			Spec: ServiceSpec{Selector: map[string]string{"app": "web"}, Ports: []ServicePort{{Port: 80, TargetPort: FromString("http")}}}}
	}
	tests := []struct {
		name   string
		mutate func(s *Service)
		want   []string
	}{
		{"valid", func(s *Service) {}, nil},
		{"valid after Default", func(s *Service) { Default(s) }, nil},
		{"ports required", func(s *Service) { s.Spec.Ports = nil }, []string{"spec.ports: Required value"}},
		{"headless needs no ports", func(s *Service) { s.Spec.Ports = nil; s.Spec.ClusterIP = "None" }, nil},
		{"external name", func(s *Service) { s.Spec = ServiceSpec{Type: ServiceExternalName, ExternalName: "db.example.com."} }, nil},
		{"external name required", func(s *Service) { s.Spec = ServiceSpec{Type: ServiceExternalName, ClusterIP: "10.0.0.1"} }, []string{
			"spec.clusterIP: Forbidden: may not be set for ExternalName services",
			"spec.externalName: Required value",
		}},
		{"port range", func(s *Service) { s.Spec.Ports[0].Port = 0 },
			[]string{"spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"}},
		{"names required with several ports and unique", func(s *Service) {
			s.Spec.Ports = []ServicePort{{Port: 80}, {Name: "a", Port: 81}, {Name: "a", Port: 82}}
		}, []string{"spec.ports[0].name: Required value", `spec.ports[2].name: Duplicate value: "a"`}},
		{"protocol", func(s *Service) { s.Spec.Ports[0].Protocol = "HTTP" },
			[]string{`spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"`}},
		{"target port", func(s *Service) { s.Spec.Ports[0].TargetPort = FromInt(70000) },
			[]string{"spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive"}},
		{"target port name", func(s *Service) { s.Spec.Ports[0].TargetPort = FromString("no--pe") },
			[]string{`spec.ports[0].targetPort: Invalid value: "no--pe": must not contain consecutive hyphens`}},
		{"node port on ClusterIP", func(s *Service) { s.Spec.Ports[0].NodePort = 30080 },
			[]string{"spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"}},
		{"node port range", func(s *Service) { s.Spec.Type = ServiceNodePort; s.Spec.Ports[0].NodePort = 70000 },
			[]string{"spec.ports[0].nodePort: Invalid value: 70000: must be between 0 and 65535, inclusive"}},
		{"type", func(s *Service) { s.Spec.Type = "Ingress" },
			[]string{`spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`}},
		{"cluster IP", func(s *Service) { s.Spec.ClusterIP = "10.0.0.300" },
			[]string{`spec.clusterIP: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`}},
		{"session affinity", func(s *Service) { s.Spec.SessionAffinity = "Sticky" },
			[]string{`spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"`}},
	}
	for _, tt := range tests {
		s := valid()
		tt.mutate(s)
		if diff := cmp.Diff(tt.want, errStrings(Validate(s))); diff != "" {
			t.Errorf("%s: Validate(service) (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestValidateOtherKinds(t *testing.T) {
	meta := ObjectMeta{Name: "x", Namespace: "default"}
	tests := []struct {
		name string
		obj  Object
		want []string
	}{
		{"endpoints", &Endpoints{ObjectMeta: meta, Subsets: []EndpointSubset{{
			Addresses:         []EndpointAddress{{IP: "10.1.0.5"}, {IP: "nope"}},
			NotReadyAddresses: []EndpointAddress{{IP: "10.1.0.6", Hostname: "Bad"}},
			Ports:             []EndpointPort{{Name: "http", Port: 80}, {Name: "http", Port: 0}},
		}}}, []string{
			`subsets[0].addresses[1].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
			`subsets[0].notReadyAddresses[0].hostname: Invalid value: "Bad": ` + IsDNS1123Label("Bad")[0],
			`subsets[0].ports[1].name: Duplicate value: "http"`,
			"subsets[0].ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive",
		}},
		{"configmap", &ConfigMap{ObjectMeta: meta, Data: map[string]string{"a": "1", "bad/key": "2"}, BinaryData: map[string][]byte{"a": nil}}, []string{
			`data[a]: Invalid value: "a": duplicate of key present in binaryData`,
			`data[bad/key]: Invalid value: "bad/key": ` + IsConfigMapKey("bad/key")[0],
		}},
		{"configmap too big", &ConfigMap{ObjectMeta: meta, Data: map[string]string{"a": strings.Repeat("x", 1<<20), "b": "y"}},
			[]string{"data: Too long: must have at most 1048576 bytes"}},
		{"secret", &Secret{ObjectMeta: meta, Data: map[string][]byte{"..": nil}}, []string{`data[..]: Invalid value: "..": must not be '..'`}},
		{"tls secret", &Secret{ObjectMeta: meta, Type: SecretTypeTLS, Data: map[string][]byte{"tls.crt": []byte("c")}},
			[]string{"data[tls.key]: Required value"}},
		{"secret stringData", &Secret{ObjectMeta: meta, StringData: map[string]string{"a b": "x"}},
			[]string{`stringData[a b]: Invalid value: "a b": ` + IsConfigMapKey("a b")[0]}},
		{"service account", &ServiceAccount{ObjectMeta: ObjectMeta{Name: "Bad", Namespace: "default"}},
			[]string{`metadata.name: Invalid value: "Bad": ` + IsDNS1123Subdomain("Bad")[0]}},
		{"event", &Event{ObjectMeta: meta, InvolvedObject: ObjectReference{Namespace: "other"}, Type: "Error"}, []string{
			"involvedObject.kind: Required value",
			"involvedObject.name: Required value",
			`involvedObject.namespace: Invalid value: "other": does not match event.namespace`,
			`type: Unsupported value: "Error": supported values: "Normal", "Warning"`,
		}},
		{"event about a node", &Event{ObjectMeta: meta, InvolvedObject: ObjectReference{Kind: "Node", Name: "n1"}}, nil},
		{"lease", &Lease{ObjectMeta: meta, Spec: LeaseSpec{LeaseDurationSeconds: ptrTo[int32](0)}},
			[]string{"spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"}},
		{"lease ok", &Lease{ObjectMeta: meta, Spec: LeaseSpec{LeaseDurationSeconds: ptrTo[int32](15)}}, nil},
		{"node taints", &Node{ObjectMeta: ObjectMeta{Name: "n1"}, Spec: NodeSpec{Taints: []Taint{
			{Key: "k", Effect: "NoSchedule"}, {Key: "k", Effect: "NoSchedule"}, {Key: "k2", Effect: "Never"}, {Key: "k3"},
		}}}, []string{
			`spec.taints[1]: Duplicate value: "k:NoSchedule"`,
			`spec.taints[2].effect: Unsupported value: "Never": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"`,
			"spec.taints[3].effect: Required value",
		}},
		{"namespace", &Namespace{ObjectMeta: ObjectMeta{Name: "team-a"}, Spec: NamespaceSpec{Finalizers: []string{"kubernetes"}}}, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, errStrings(Validate(tt.obj))); diff != "" {
			t.Errorf("%s: Validate(%T) (-want +got):\n%s", tt.name, tt.obj, diff)
		}
	}
}

// TestValidateEveryKind checks that Validate knows every registered kind:
// an empty object of each fails with at least a missing name.
func TestValidateEveryKind(t *testing.T) {
	for _, r := range Resources() {
		errs := Validate(r.New())
		found := false
		for _, e := range errs {
			if e.Field == "metadata.name" && e.Type == ErrorTypeRequired {
				found = true
			}
		}
		if !found {
			t.Errorf("Validate(empty %s) = %v, want a metadata.name Required error", r.Kind, errs)
		}
	}
}

func TestValidateUpdate(t *testing.T) {
	tests := []struct {
		name     string
		old, new func() Object
		want     []string
	}{
		{"pod image may change", func() Object { return validPod() }, func() Object {
			p := validPod()
			p.Spec.Containers[0].Image = "nginx:1.26"
			p.Labels["v"] = "2"
			return p
		}, nil},
		{"pod spec may not change", func() Object { return validPod() }, func() Object {
			p := validPod()
			p.Spec.NodeSelector = map[string]string{"zone": "a"}
			p.Spec.Containers[0].Ports[0].ContainerPort = 81
			return p
		}, []string{"spec: Forbidden: pod updates may not change fields other than " + podUpdatableFields + " (changed: spec.containers, spec.nodeSelector)"}},
		{"pod tolerations additions only", func() Object {
			p := validPod()
			p.Spec.Tolerations = []Toleration{{Key: "a", Operator: "Exists"}}
			return p
		}, func() Object {
			p := validPod()
			p.Spec.Tolerations = []Toleration{{Key: "b", Operator: "Exists"}}
			return p
		}, []string{"spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"}},
		{"pod tolerations added", func() Object { return validPod() }, func() Object {
			p := validPod()
			p.Spec.Tolerations = []Toleration{{Key: "b", Operator: "Exists"}}
			return p
		}, nil},
		{"pod active deadline may only shrink", func() Object {
			p := validPod()
			p.Spec.ActiveDeadlineSeconds = ptrTo[int64](10)
			return p
		}, func() Object {
			p := validPod()
			p.Spec.ActiveDeadlineSeconds = ptrTo[int64](20)
			return p
		}, []string{"spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value"}},
		{"name and namespace", func() Object { return validPod() }, func() Object {
			p := validPod()
			p.Name, p.Namespace = "other", "prod"
			return p
		}, []string{`metadata.name: Invalid value: "other": field is immutable`, `metadata.namespace: Invalid value: "prod": field is immutable`}},
		{"deployment selector", func() Object { return validDeployment() }, func() Object {
			d := validDeployment()
			d.Spec.Selector.MatchLabels["tier"] = "front"
			d.Spec.Template.Labels["tier"] = "front"
			return d
		}, []string{`spec.selector: Invalid value: api.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"front"}, MatchExpressions:[]api.LabelSelectorRequirement(nil)}: field is immutable`}},
		{"deployment template may change", func() Object { return validDeployment() }, func() Object {
			d := validDeployment()
			d.Spec.Template.Spec.Containers[0].Ports = nil
			return d
		}, nil},
		{"service clusterIP set once", func() Object {
			return &Service{ObjectMeta: ObjectMeta{Name: "s", Namespace: "d"}, Spec: ServiceSpec{ClusterIP: "10.0.0.1", Ports: []ServicePort{{Port: 80}}}}
		}, func() Object {
			return &Service{ObjectMeta: ObjectMeta{Name: "s", Namespace: "d"}, Spec: ServiceSpec{ClusterIP: "10.0.0.2", Ports: []ServicePort{{Port: 80}}}}
		}, []string{`spec.clusterIP: Invalid value: "10.0.0.2": field is immutable`}},
		{"service clusterIP from empty", func() Object {
			return &Service{ObjectMeta: ObjectMeta{Name: "s", Namespace: "d"}, Spec: ServiceSpec{Ports: []ServicePort{{Port: 80}}}}
		}, func() Object {
			return &Service{ObjectMeta: ObjectMeta{Name: "s", Namespace: "d"}, Spec: ServiceSpec{ClusterIP: "10.0.0.2", Ports: []ServicePort{{Port: 80}}}}
		}, nil},
		{"immutable configmap", func() Object {
			return &ConfigMap{ObjectMeta: ObjectMeta{Name: "c", Namespace: "d"}, Immutable: ptrTo(true), Data: map[string]string{"a": "1"}}
		}, func() Object {
			return &ConfigMap{ObjectMeta: ObjectMeta{Name: "c", Namespace: "d"}, Data: map[string]string{"a": "2"}}
		}, []string{"immutable: Forbidden: field is immutable when `immutable` is set", "data: Forbidden: field is immutable when `immutable` is set"}},
		{"mutable configmap", func() Object {
			return &ConfigMap{ObjectMeta: ObjectMeta{Name: "c", Namespace: "d"}, Data: map[string]string{"a": "1"}}
		}, func() Object {
			return &ConfigMap{ObjectMeta: ObjectMeta{Name: "c", Namespace: "d"}, Immutable: ptrTo(true), Data: map[string]string{"a": "2"}}
		}, nil},
		{"secret type and immutable data", func() Object {
			return &Secret{ObjectMeta: ObjectMeta{Name: "s", Namespace: "d"}, Type: "Opaque", Immutable: ptrTo(true), Data: map[string][]byte{"a": []byte("1")}}
		}, func() Object {
			return &Secret{ObjectMeta: ObjectMeta{Name: "s", Namespace: "d"}, Type: "example.com/x", Immutable: ptrTo(true), Data: map[string][]byte{"a": []byte("2")}}
		}, []string{`type: Invalid value: "example.com/x": field is immutable`, "data: Forbidden: field is immutable when `immutable` is set"}},
		{"kind change", func() Object { return validPod() }, func() Object { return &ConfigMap{ObjectMeta: ObjectMeta{Name: "web", Namespace: "default"}} },
			[]string{`kind: Invalid value: "": may not change (was *api.Pod, now *api.ConfigMap)`}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, errStrings(ValidateUpdate(tt.new(), tt.old()))); diff != "" {
			t.Errorf("%s: ValidateUpdate (-want +got):\n%s", tt.name, diff)
		}
	}
}
