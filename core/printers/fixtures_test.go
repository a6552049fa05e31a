package printers

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// now is the fixed "present" of every test.
var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// ago is a timestamp d before now.
func ago(d time.Duration) *api.Time { return api.NewTime(now.Add(-d)) }

func ptr[T any](v T) *T { return &v }

func meta(ns, name string, age time.Duration) api.ObjectMeta {
	return api.ObjectMeta{Namespace: ns, Name: name, UID: "uid-" + name, CreationTimestamp: ago(age)}
}

func running(since time.Duration) api.ContainerState {
	return api.ContainerState{Running: &api.ContainerStateRunning{StartedAt: ago(since)}}
}

func waiting(reason string) api.ContainerState {
	return api.ContainerState{Waiting: &api.ContainerStateWaiting{Reason: reason}}
}

func conds(ready api.ConditionStatus) []api.PodCondition {
	t := ago(4 * time.Minute)
	return []api.PodCondition{
		{Type: api.PodInitialized, Status: api.ConditionTrue, LastTransitionTime: t},
		{Type: api.PodReady, Status: ready, LastTransitionTime: t},
		{Type: api.ContainersReady, Status: ready, LastTransitionTime: t},
		{Type: api.PodScheduled, Status: api.ConditionTrue, LastTransitionTime: t},
	}
}

func containers(names ...string) []api.Container {
	var cs []api.Container
	for _, n := range names {
		cs = append(cs, api.Container{Name: n, Image: n + ":1.0"})
	}
	return cs
}

// webPod is a healthy pod of a ReplicaSet, with most describe fields set.
func webPod() *api.Pod {
	p := &api.Pod{ObjectMeta: meta("default", "web-7d4b9-abcde", 5*time.Minute)}
	p.Labels = map[string]string{"app": "web", "pod-template-hash": "7d4b9"}
	p.Annotations = map[string]string{"note": "hello"}
	p.OwnerReferences = []api.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-7d4b9", UID: "uid-rs", Controller: ptr(true)}}
	p.Spec = api.PodSpec{
		ServiceAccountName: "default",
		NodeName:           "node-1",
		Priority:           ptr(int32(0)),
		InitContainers: []api.Container{{
			Name: "migrate", Image: "busybox:1.36", Command: []string{"sh", "-c", "echo migrated"},
		}},
		Containers: []api.Container{{
			Name:  "web",
			Image: "nginx:1.25",
			Ports: []api.ContainerPort{{Name: "http", ContainerPort: 80, Protocol: api.ProtocolTCP}},
			Resources: api.ResourceRequirements{
				Limits:   api.ResourceList{api.ResourceCPU: api.MustParseQuantity("500m"), api.ResourceMemory: api.MustParseQuantity("128Mi")},
				Requests: api.ResourceList{api.ResourceCPU: api.MustParseQuantity("250m"), api.ResourceMemory: api.MustParseQuantity("64Mi")},
			},
			LivenessProbe: &api.Probe{
				ProbeHandler:   api.ProbeHandler{HTTPGet: &api.HTTPGetAction{Path: "/healthz", Port: api.FromInt(80), Scheme: "HTTP"}},
				TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3,
			},
			ReadinessProbe: &api.Probe{
				ProbeHandler:        api.ProbeHandler{TCPSocket: &api.TCPSocketAction{Port: api.FromString("http")}},
				InitialDelaySeconds: 5, TimeoutSeconds: 1, PeriodSeconds: 5, SuccessThreshold: 1, FailureThreshold: 3,
			},
			EnvFrom: []api.EnvFromSource{{ConfigMapRef: &api.LocalRef{Name: "web-config"}}},
			Env: []api.EnvVar{
				{Name: "MODE", Value: "production"},
				{Name: "POD_NAME", ValueFrom: &api.EnvVarSource{FieldRef: &api.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}},
				{Name: "PASSWORD", ValueFrom: &api.EnvVarSource{SecretKeyRef: &api.KeySelector{Name: "db", Key: "password"}}},
			},
			VolumeMounts: []api.VolumeMount{
				{Name: "cache", MountPath: "/var/cache/nginx"},
				{Name: "config", MountPath: "/etc/nginx/conf.d", ReadOnly: true},
			},
		}},
		Volumes: []api.Volume{
			{Name: "cache", VolumeSource: api.VolumeSource{EmptyDir: &api.EmptyDirVolumeSource{}}},
			{Name: "config", VolumeSource: api.VolumeSource{ConfigMap: &api.ConfigMapVolumeSource{Name: "web-config"}}},
		},
		NodeSelector: map[string]string{"kubernetes.io/os": "linux"},
		Tolerations: []api.Toleration{
			{Key: "node.kubernetes.io/unreachable", Operator: "Exists", Effect: api.TaintNoExecute, TolerationSeconds: ptr(int64(300))},
			{Key: "node.kubernetes.io/not-ready", Operator: "Exists", Effect: api.TaintNoExecute, TolerationSeconds: ptr(int64(300))},
		},
	}
	p.Status = api.PodStatus{
		Phase:      api.PodRunning,
		Conditions: conds(api.ConditionTrue),
		HostIP:     "10.0.0.11",
		PodIP:      "10.244.1.5",
		PodIPs:     []api.PodIP{{IP: "10.244.1.5"}},
		StartTime:  ago(5 * time.Minute),
		QOSClass:   "Burstable",
		InitContainerStatuses: []api.ContainerStatus{{
			Name: "migrate", Image: "busybox:1.36", ImageID: "sha256:aaaa", ContainerID: "containerd://i1",
			State: api.ContainerState{Terminated: &api.ContainerStateTerminated{
				ExitCode: 0, Reason: "Completed", StartedAt: ago(290 * time.Second), FinishedAt: ago(289 * time.Second),
			}},
		}},
		ContainerStatuses: []api.ContainerStatus{{
			Name: "web", Image: "nginx:1.25", ImageID: "sha256:bbbb", ContainerID: "containerd://c1",
			State: running(285 * time.Second), Ready: true, Started: ptr(true),
		}},
	}
	return p
}

// crashPod restarts its container over and over.
func crashPod() *api.Pod {
	p := &api.Pod{ObjectMeta: meta("default", "crash-1", 10*time.Minute)}
	p.Spec = api.PodSpec{NodeName: "node-2", Containers: []api.Container{{Name: "app", Image: "app:bad", Command: []string{"/app", "--fail"}}}}
	p.Status = api.PodStatus{
		Phase: api.PodRunning, Conditions: conds(api.ConditionFalse), HostIP: "10.0.0.12",
		PodIP: "10.244.2.7", PodIPs: []api.PodIP{{IP: "10.244.2.7"}}, StartTime: ago(10 * time.Minute),
		QOSClass: "BestEffort",
		ContainerStatuses: []api.ContainerStatus{{
			Name: "app", Image: "app:bad", ImageID: "sha256:cccc", ContainerID: "containerd://c2",
			State:        waiting("CrashLoopBackOff"),
			RestartCount: 3,
			LastTerminationState: api.ContainerState{Terminated: &api.ContainerStateTerminated{
				ExitCode: 1, Reason: "Error", StartedAt: ago(50 * time.Second), FinishedAt: ago(45 * time.Second),
			}},
		}},
	}
	return p
}

// pods is one pod in each interesting state.
func pods() []api.Object {
	term := webPod()
	term.Name, term.Namespace = "web-7d4b9-xyz12", "default"
	term.DeletionTimestamp = api.NewTime(now.Add(25 * time.Second))
	term.DeletionGracePeriodSeconds = ptr(int64(30))

	initPod := &api.Pod{ObjectMeta: meta("default", "init-1", 30*time.Second)}
	initPod.Spec = api.PodSpec{NodeName: "node-1", InitContainers: containers("setup"), Containers: containers("main")}
	initPod.Status = api.PodStatus{
		Phase: api.PodPending, PodIP: "10.244.1.9",
		InitContainerStatuses: []api.ContainerStatus{{Name: "setup", State: running(20 * time.Second)}},
		ContainerStatuses:     []api.ContainerStatus{{Name: "main", State: waiting("PodInitializing")}},
	}

	done := &api.Pod{ObjectMeta: meta("batch", "job-1-x7k2p", 3*time.Hour)}
	done.Spec = api.PodSpec{NodeName: "node-2", Containers: containers("job")}
	done.Status = api.PodStatus{Phase: api.PodSucceeded, ContainerStatuses: []api.ContainerStatus{{
		Name: "job", State: api.ContainerState{Terminated: &api.ContainerStateTerminated{Reason: "Completed", FinishedAt: ago(2 * time.Hour)}},
	}}}

	oom := &api.Pod{ObjectMeta: meta("batch", "hog", 26*time.Hour)}
	oom.Spec = api.PodSpec{NodeName: "node-1", Containers: containers("hog", "sidecar")}
	oom.Status = api.PodStatus{Phase: api.PodRunning, PodIPs: []api.PodIP{{IP: "10.244.1.20"}}, Conditions: conds(api.ConditionFalse),
		ContainerStatuses: []api.ContainerStatus{
			{Name: "hog", RestartCount: 12, State: api.ContainerState{Terminated: &api.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}},
				LastTerminationState: api.ContainerState{Terminated: &api.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled", FinishedAt: ago(3 * time.Minute)}}},
			{Name: "sidecar", Ready: true, State: running(26 * time.Hour)},
		}}

	pull := &api.Pod{ObjectMeta: meta("default", "typo", 90*time.Second)}
	pull.Spec = api.PodSpec{NodeName: "node-1", Containers: containers("app")}
	pull.Status = api.PodStatus{Phase: api.PodPending, ContainerStatuses: []api.ContainerStatus{{Name: "app", State: waiting("ErrImagePull")}}}

	creating := &api.Pod{ObjectMeta: meta("default", "fresh", 3*time.Second)}
	creating.Spec = api.PodSpec{NodeName: "node-2", Containers: containers("app")}
	creating.Status = api.PodStatus{Phase: api.PodPending, ContainerStatuses: []api.ContainerStatus{{Name: "app", State: waiting("ContainerCreating")}}}

	pending := &api.Pod{ObjectMeta: meta("default", "unschedulable", 400*24*time.Hour)}
	pending.Spec = api.PodSpec{Containers: containers("app")}
	pending.Status = api.PodStatus{Phase: api.PodPending}

	return []api.Object{webPod(), crashPod(), term, initPod, pull, creating, pending, done, oom}
}

func node(name string, age time.Duration, ready api.ConditionStatus) *api.Node {
	n := &api.Node{ObjectMeta: meta("", name, age)}
	n.Labels = map[string]string{"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
	n.Status = api.NodeStatus{
		Capacity:    api.ResourceList{api.ResourceCPU: api.MustParseQuantity("4"), api.ResourceMemory: api.MustParseQuantity("8Gi"), api.ResourcePods: api.MustParseQuantity("110")},
		Allocatable: api.ResourceList{api.ResourceCPU: api.MustParseQuantity("3800m"), api.ResourceMemory: api.MustParseQuantity("7680Mi"), api.ResourcePods: api.MustParseQuantity("110")},
		Addresses:   []api.NodeAddress{{Type: "InternalIP", Address: "10.0.0.1" + name[len(name)-1:]}, {Type: "Hostname", Address: name}},
		NodeInfo: api.NodeSystemInfo{
			MachineID: "m-" + name, KernelVersion: "6.1.0-18-amd64", OSImage: "Debian GNU/Linux 12 (bookworm)",
			ContainerRuntimeVersion: "containerd://1.7.13", KubeletVersion: "v1.31.0-tinykube",
			OperatingSystem: "linux", Architecture: "amd64",
		},
		Conditions: []api.NodeCondition{{
			Type: api.NodeReady, Status: ready, LastHeartbeatTime: ago(20 * time.Second), LastTransitionTime: ago(age),
			Reason: "KubeletReady", Message: "kubelet is posting ready status",
		}},
	}
	return n
}

func nodes() []api.Object {
	cp := node("node-1", 3*24*time.Hour+5*time.Hour, api.ConditionTrue)
	cp.Labels["node-role.kubernetes.io/control-plane"] = ""
	cp.Spec.Taints = []api.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: api.TaintNoSchedule}}
	cp.Spec.PodCIDR, cp.Spec.PodCIDRs = "10.244.1.0/24", []string{"10.244.1.0/24"}
	cp.Status.Addresses = append(cp.Status.Addresses, api.NodeAddress{Type: "ExternalIP", Address: "203.0.113.7"})

	down := notReadyNode()

	fresh := &api.Node{ObjectMeta: meta("", "node-3", 45*time.Second)}
	return []api.Object{cp, down, fresh}
}

// notReadyNode stopped heartbeating and was cordoned.
func notReadyNode() *api.Node {
	n := node("node-2", 3*24*time.Hour, api.ConditionUnknown)
	n.Labels["kubernetes.io/role"] = "worker"
	n.Spec.Unschedulable = true
	n.Spec.Taints = []api.Taint{
		{Key: "node.kubernetes.io/unschedulable", Effect: api.TaintNoSchedule, TimeAdded: ago(time.Hour)},
		{Key: "node.kubernetes.io/unreachable", Effect: api.TaintNoExecute, TimeAdded: ago(time.Hour)},
		{Key: "node.kubernetes.io/unreachable", Effect: api.TaintNoSchedule, TimeAdded: ago(time.Hour)},
	}
	c := &n.Status.Conditions[0]
	c.LastHeartbeatTime, c.LastTransitionTime = ago(61*time.Minute), ago(time.Hour)
	c.Reason, c.Message = "NodeStatusUnknown", "Kubelet stopped posting node status."
	return n
}

func namespaces() []api.Object {
	var out []api.Object
	for _, n := range []struct {
		name, phase string
		age         time.Duration
	}{{"default", api.NamespaceActive, 400 * 24 * time.Hour}, {"kube-system", api.NamespaceActive, 400 * 24 * time.Hour}, {"old", api.NamespaceTerminating, 9 * time.Minute}} {
		ns := &api.Namespace{ObjectMeta: meta("", n.name, n.age)}
		ns.Labels = map[string]string{"kubernetes.io/metadata.name": n.name}
		ns.Status.Phase = n.phase
		out = append(out, ns)
	}
	return out
}

func template(labels map[string]string, cs ...api.Container) api.PodTemplateSpec {
	return api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: labels}, Spec: api.PodSpec{Containers: cs}}
}

func replicaSets() []api.Object {
	rs := &api.ReplicaSet{ObjectMeta: meta("default", "web-7d4b9", 5*time.Minute)}
	rs.Labels = map[string]string{"app": "web", "pod-template-hash": "7d4b9"}
	rs.OwnerReferences = []api.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: "uid-web", Controller: ptr(true)}}
	rs.Spec = api.ReplicaSetSpec{
		Replicas: ptr(int32(3)),
		Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "web", "pod-template-hash": "7d4b9"}},
		Template: template(map[string]string{"app": "web", "pod-template-hash": "7d4b9"}, webPod().Spec.Containers...),
	}
	rs.Status = api.ReplicaSetStatus{Replicas: 3, FullyLabeledReplicas: 3, ReadyReplicas: 2, AvailableReplicas: 2}

	old := &api.ReplicaSet{ObjectMeta: meta("default", "web-5f6c8", 2*24*time.Hour)}
	old.Spec = api.ReplicaSetSpec{Replicas: ptr(int32(0)), Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "web", "pod-template-hash": "5f6c8"}},
		Template: template(nil, containers("web")...)}
	return []api.Object{rs, old}
}

func webDeployment() *api.Deployment {
	d := &api.Deployment{ObjectMeta: meta("default", "web", 5*time.Minute)}
	d.Labels = map[string]string{"app": "web"}
	d.Annotations = map[string]string{"deployment.kubernetes.io/revision": "2"}
	pct := api.FromString("25%")
	tmpl := template(map[string]string{"app": "web"}, webPod().Spec.Containers...)
	tmpl.Spec.Volumes = webPod().Spec.Volumes
	d.Spec = api.DeploymentSpec{
		Replicas: ptr(int32(3)),
		Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		Template: tmpl,
		Strategy: api.DeploymentStrategy{Type: api.StrategyRollingUpdate, RollingUpdate: &api.RollingUpdateDeployment{MaxUnavailable: &pct, MaxSurge: &pct}},
	}
	d.Status = api.DeploymentStatus{Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 2, AvailableReplicas: 2, UnavailableReplicas: 1,
		Conditions: []api.WorkloadCondition{
			{Type: "Available", Status: api.ConditionFalse, Reason: "MinimumReplicasUnavailable"},
			{Type: "Progressing", Status: api.ConditionTrue, Reason: "NewReplicaSetAvailable"},
		}}
	return d
}

func deployments() []api.Object {
	api2 := &api.Deployment{ObjectMeta: meta("shop", "api", 8*24*time.Hour)}
	api2.Spec = api.DeploymentSpec{
		Replicas: ptr(int32(2)),
		Selector: &api.LabelSelector{
			MatchLabels:      map[string]string{"app": "api"},
			MatchExpressions: []api.LabelSelectorRequirement{{Key: "tier", Operator: "In", Values: []string{"front", "back"}}, {Key: "canary", Operator: "DoesNotExist"}},
		},
		Template: template(nil, containers("api", "envoy")...),
		Strategy: api.DeploymentStrategy{Type: api.StrategyRecreate},
	}
	api2.Status = api.DeploymentStatus{Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 1, AvailableReplicas: 1}
	return []api.Object{webDeployment(), api2}
}

func webService() *api.Service {
	s := &api.Service{ObjectMeta: meta("default", "web", 5*time.Minute)}
	s.Labels = map[string]string{"app": "web"}
	s.Spec = api.ServiceSpec{
		Type: api.ServiceNodePort, Selector: map[string]string{"app": "web"},
		ClusterIP: "10.96.12.34", ClusterIPs: []string{"10.96.12.34"}, SessionAffinity: "None", ExternalTrafficPolicy: "Cluster",
		Ports: []api.ServicePort{
			{Name: "http", Protocol: api.ProtocolTCP, Port: 80, TargetPort: api.FromString("http"), NodePort: 30080},
			{Name: "metrics", Protocol: api.ProtocolTCP, Port: 9090, TargetPort: api.FromInt(9090), NodePort: 30090},
		},
	}
	return s
}

func services() []api.Object {
	k := &api.Service{ObjectMeta: meta("default", "kubernetes", 400*24*time.Hour)}
	k.Spec = api.ServiceSpec{Type: api.ServiceClusterIP, ClusterIP: "10.96.0.1", ClusterIPs: []string{"10.96.0.1"},
		Ports: []api.ServicePort{{Name: "https", Protocol: api.ProtocolTCP, Port: 443, TargetPort: api.FromInt(6443)}}}

	pending := &api.Service{ObjectMeta: meta("default", "lb-pending", 2*time.Minute)}
	pending.Spec = api.ServiceSpec{Type: api.ServiceLoadBalancer, ClusterIP: "10.96.40.1", ClusterIPs: []string{"10.96.40.1"},
		Selector: map[string]string{"app": "web"}, Ports: []api.ServicePort{{Port: 443, NodePort: 31443, TargetPort: api.FromInt(8443)}}}

	ready := &api.Service{ObjectMeta: meta("default", "lb-ready", 2*time.Hour)}
	ready.Spec = api.ServiceSpec{Type: api.ServiceLoadBalancer, ClusterIP: "10.96.40.2", ClusterIPs: []string{"10.96.40.2"},
		Selector: map[string]string{"app": "web"}, Ports: []api.ServicePort{{Protocol: api.ProtocolTCP, Port: 80, NodePort: 31080}}}
	ready.Status.LoadBalancer.Ingress = []api.LoadBalancerIngress{{IP: "203.0.113.10"}, {IP: "203.0.113.9"}}

	ext := &api.Service{ObjectMeta: meta("default", "db", 30*24*time.Hour)}
	ext.Spec = api.ServiceSpec{Type: api.ServiceExternalName, ExternalName: "db.prod.example.com"}

	headless := &api.Service{ObjectMeta: meta("default", "peers", 3*time.Hour)}
	headless.Spec = api.ServiceSpec{Type: api.ServiceClusterIP, ClusterIP: "None", ClusterIPs: []string{"None"},
		Selector: map[string]string{"app": "db", "role": "peer"}}
	return []api.Object{k, webService(), pending, ready, ext, headless}
}

// webEndpoints has five ready addresses (kubectl shows three) and one not
// ready.
func webEndpoints() *api.Endpoints {
	e := &api.Endpoints{ObjectMeta: meta("default", "web", 5*time.Minute)}
	ss := api.EndpointSubset{
		NotReadyAddresses: []api.EndpointAddress{{IP: "10.244.2.7"}},
		Ports:             []api.EndpointPort{{Name: "http", Port: 80, Protocol: api.ProtocolTCP}, {Name: "metrics", Port: 9090, Protocol: api.ProtocolTCP}},
	}
	for _, ip := range []string{"10.244.1.5", "10.244.1.6", "10.244.2.3", "10.244.2.4", "10.244.3.8"} {
		ss.Addresses = append(ss.Addresses, api.EndpointAddress{IP: ip})
	}
	e.Subsets = []api.EndpointSubset{ss}
	return e
}

func endpoints() []api.Object {
	k := &api.Endpoints{ObjectMeta: meta("default", "kubernetes", 400*24*time.Hour), Subsets: []api.EndpointSubset{{
		Addresses: []api.EndpointAddress{{IP: "10.0.0.11"}}, Ports: []api.EndpointPort{{Name: "https", Port: 6443}},
	}}}
	peers := &api.Endpoints{ObjectMeta: meta("default", "peers", 3*time.Hour), Subsets: []api.EndpointSubset{{
		Addresses: []api.EndpointAddress{{IP: "10.244.1.30"}, {IP: "fd00::5"}},
	}}}
	empty := &api.Endpoints{ObjectMeta: meta("default", "lb-pending", 2*time.Minute)}
	return []api.Object{k, webEndpoints(), peers, empty}
}

func event(name, typ, reason, kind, obj, msg string, first, last time.Duration, count int32) api.Event {
	e := api.Event{ObjectMeta: meta("default", name, first)}
	e.Type, e.Reason, e.Message, e.Count = typ, reason, msg, count
	e.InvolvedObject = api.ObjectReference{Kind: kind, Namespace: "default", Name: obj}
	e.FirstTimestamp, e.LastTimestamp = ago(first), ago(last)
	return e
}

func podEvents() []api.Event {
	sched := event("web.1", "Normal", "Scheduled", "Pod", "web-7d4b9-abcde", "Successfully assigned default/web-7d4b9-abcde to node-1", 5*time.Minute, 5*time.Minute, 1)
	sched.Source.Component = "default-scheduler"
	pulled := event("web.2", "Normal", "Pulled", "Pod", "web-7d4b9-abcde", "Container image \"nginx:1.25\" already present on machine", 290*time.Second, 290*time.Second, 1)
	pulled.Source = api.EventSource{Component: "kubelet", Host: "node-1"}
	pulled.InvolvedObject.FieldPath = "spec.containers{web}"
	probe := event("web.3", "Warning", "Unhealthy", "Pod", "web-7d4b9-abcde", "Readiness probe failed: connection refused\n", 280*time.Second, 30*time.Second, 4)
	probe.ReportingComponent, probe.ReportingInstance = "kubelet", "node-1"
	// Given out of order: describe sorts by last timestamp.
	return []api.Event{probe, sched, pulled}
}

func events() []api.Object {
	var out []api.Object
	for _, e := range podEvents() {
		out = append(out, &e)
	}
	scaled := event("web.4", "Normal", "ScalingReplicaSet", "Deployment", "web", "Scaled up replica set web-7d4b9 to 3", 5*time.Minute, 5*time.Minute, 0)
	scaled.Source.Component = "deployment-controller"
	out = append(out, &scaled)
	return out
}

func configMaps() []api.Object {
	c := &api.ConfigMap{ObjectMeta: meta("default", "web-config", 5*time.Minute)}
	c.Data = map[string]string{"nginx.conf": "server {\n  listen 80;\n}", "mode": "production"}
	c.BinaryData = map[string][]byte{"logo.png": {0x89, 'P', 'N', 'G'}}
	root := &api.ConfigMap{ObjectMeta: meta("default", "kube-root-ca.crt", 400*24*time.Hour), Data: map[string]string{"ca.crt": "..."}}
	return []api.Object{root, c}
}

func secrets() []api.Object {
	s := &api.Secret{ObjectMeta: meta("default", "db", 2*time.Hour), Type: "Opaque",
		Data: map[string][]byte{"password": []byte("hunter2"), "username": []byte("admin")}}
	tls := &api.Secret{ObjectMeta: meta("default", "web-tls", 30*24*time.Hour), Type: "kubernetes.io/tls",
		Data: map[string][]byte{"tls.crt": []byte("cert"), "tls.key": []byte("key")}}
	return []api.Object{s, tls}
}

func serviceAccounts() []api.Object {
	return []api.Object{
		&api.ServiceAccount{ObjectMeta: meta("default", "default", 400*24*time.Hour)},
		&api.ServiceAccount{ObjectMeta: meta("default", "builder", time.Hour), Secrets: []api.ObjectReference{{Name: "builder-token"}}},
	}
}

func leases() []api.Object {
	l := &api.Lease{ObjectMeta: meta("kube-system", "kube-scheduler", 3*24*time.Hour)}
	l.Spec = api.LeaseSpec{HolderIdentity: ptr("server-1_4f2a"), LeaseDurationSeconds: ptr(int32(15)),
		AcquireTime: api.NewMicroTime(now.Add(-3 * 24 * time.Hour)), RenewTime: api.NewMicroTime(now.Add(-1500 * time.Millisecond)), LeaseTransitions: ptr(int32(2))}
	free := &api.Lease{ObjectMeta: meta("kube-node-lease", "node-3", 45*time.Second)}
	return []api.Object{l, free}
}

func roles() []api.Object {
	return []api.Object{&api.Role{ObjectMeta: meta("ns1", "pod-reader", 2*time.Hour)}}
}

func roleBindings() []api.Object {
	return []api.Object{&api.RoleBinding{ObjectMeta: meta("ns1", "read-pods", 5*time.Minute),
		RoleRef:  api.RoleRef{APIGroup: api.RBACGroup, Kind: "Role", Name: "pod-reader"},
		Subjects: []api.Subject{{Kind: api.SubjectServiceAccount, Name: "ci", Namespace: "ns1"}}}}
}

func clusterRoleBindings() []api.Object {
	return []api.Object{&api.ClusterRoleBinding{ObjectMeta: meta("", "system:public-info-viewer", 30*24*time.Hour),
		RoleRef: api.RoleRef{APIGroup: api.RBACGroup, Kind: "ClusterRole", Name: "system:public-info-viewer"},
		Subjects: []api.Subject{{Kind: api.SubjectGroup, Name: "system:authenticated"}, {Kind: api.SubjectGroup, Name: "system:unauthenticated"},
			{Kind: api.SubjectUser, Name: "jane"}, {Kind: api.SubjectServiceAccount, Name: "ci", Namespace: "ns1"}}}}
}

// replicationController stands in for a kind that has no table printer
// or describer.
type replicationController struct {
	api.TypeMeta   `json:",inline"`
	api.ObjectMeta `json:"metadata,omitempty"`
	Spec           struct {
		Replicas int32             `json:"replicas"`
		Selector map[string]string `json:"selector"`
	} `json:"spec"`
}

var replicationControllerResource = &api.Resource{Version: "v1", Kind: "ReplicationController", Plural: "replicationcontrollers", Singular: "replicationcontroller", Namespaced: true}

func replicationControllers() []api.Object {
	s := &replicationController{ObjectMeta: meta("default", "db", 6*time.Hour)}
	s.TypeMeta = api.TypeMeta{APIVersion: "v1", Kind: "ReplicationController"}
	s.Spec.Replicas, s.Spec.Selector = 3, map[string]string{"app": "db"}
	return []api.Object{s}
}

func statefulSets() []api.Object {
	s := &api.StatefulSet{ObjectMeta: meta("default", "db", 6*time.Hour)}
	s.Spec = api.StatefulSetSpec{
		Replicas: ptr(int32(3)), ServiceName: "db",
		Selector:       &api.LabelSelector{MatchLabels: map[string]string{"app": "db"}},
		Template:       api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": "db"}}, Spec: api.PodSpec{Containers: containers("postgres")}},
		UpdateStrategy: api.StatefulSetUpdateStrategy{Type: api.StrategyRollingUpdate, RollingUpdate: &api.RollingUpdateStatefulSetStrategy{Partition: ptr(int32(0))}},
		VolumeClaimTemplates: []api.PersistentVolumeClaim{{ObjectMeta: api.ObjectMeta{Name: "data"},
			Spec: api.PersistentVolumeClaimSpec{AccessModes: []string{api.ReadWriteOnce}, StorageClassName: ptr("standard"),
				Resources: api.VolumeResourceRequirements{Requests: api.ResourceList{api.ResourceStorage: api.MustParseQuantity("1Gi")}}}}},
	}
	s.Status = api.StatefulSetStatus{Replicas: 3, ReadyReplicas: 2}
	fresh := &api.StatefulSet{ObjectMeta: meta("default", "cache", 20*time.Second)}
	fresh.Spec = api.StatefulSetSpec{Replicas: ptr(int32(1)), Template: api.PodTemplateSpec{Spec: api.PodSpec{Containers: containers("redis", "exporter")}}}
	return []api.Object{s, fresh}
}

func daemonSets() []api.Object {
	ds := &api.DaemonSet{ObjectMeta: meta("kube-system", "node-agent", 3*24*time.Hour)}
	ds.Spec = api.DaemonSetSpec{
		Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "node-agent"}},
		Template: api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": "node-agent"}},
			Spec: api.PodSpec{Containers: containers("agent"), NodeSelector: map[string]string{"kubernetes.io/os": "linux"}}},
		UpdateStrategy: api.DaemonSetUpdateStrategy{Type: api.StrategyRollingUpdate},
	}
	ds.Status = api.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, NumberReady: 2, UpdatedNumberScheduled: 3, NumberAvailable: 2, NumberUnavailable: 1}
	return []api.Object{ds}
}

func jobs() []api.Object {
	sel := &api.LabelSelector{MatchLabels: map[string]string{api.ControllerUIDLabel: "uid-pi"}}
	tmpl := api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: map[string]string{api.ControllerUIDLabel: "uid-pi", api.JobNameLabel: "pi"}},
		Spec: api.PodSpec{RestartPolicy: api.RestartNever, Containers: containers("pi")}}
	done := &api.Job{ObjectMeta: meta("default", "pi", 2*time.Hour)}
	done.Spec = api.JobSpec{Completions: ptr(int32(1)), Parallelism: ptr(int32(1)), BackoffLimit: ptr(int32(6)), CompletionMode: api.NonIndexedCompletion, Selector: sel, Template: tmpl}
	done.Status = api.JobStatus{Succeeded: 1, StartTime: ago(2 * time.Hour), CompletionTime: ago(2*time.Hour - 75*time.Second),
		Conditions: []api.JobCondition{{Type: api.JobComplete, Status: api.ConditionTrue}}}
	running := &api.Job{ObjectMeta: meta("default", "crawl", 10*time.Minute)}
	running.Spec = api.JobSpec{Parallelism: ptr(int32(3)), Template: tmpl}
	running.Status = api.JobStatus{Active: 3, Ready: ptr(int32(2)), Succeeded: 0, StartTime: ago(9 * time.Minute)}
	failed := &api.Job{ObjectMeta: meta("default", "broken", time.Hour)}
	failed.Spec = api.JobSpec{Completions: ptr(int32(5)), Template: tmpl}
	failed.Status = api.JobStatus{Failed: 7, Succeeded: 2, StartTime: ago(time.Hour),
		Conditions: []api.JobCondition{{Type: api.JobFailed, Status: api.ConditionTrue, Reason: "BackoffLimitExceeded"}}}
	suspended := &api.Job{ObjectMeta: meta("default", "later", time.Minute)}
	suspended.Spec = api.JobSpec{Suspend: ptr(true), Template: tmpl}
	suspended.Status = api.JobStatus{Conditions: []api.JobCondition{{Type: api.JobSuspended, Status: api.ConditionTrue}}}
	return []api.Object{done, running, failed, suspended}
}

func cronJobs() []api.Object {
	c := &api.CronJob{ObjectMeta: meta("default", "backup", 5*24*time.Hour)}
	c.Spec = api.CronJobSpec{Schedule: "0 3 * * *", ConcurrencyPolicy: api.ForbidConcurrent, Suspend: ptr(false),
		SuccessfulJobsHistoryLimit: ptr(int32(3)), FailedJobsHistoryLimit: ptr(int32(1)),
		JobTemplate: api.JobTemplateSpec{Spec: api.JobSpec{Template: api.PodTemplateSpec{Spec: api.PodSpec{RestartPolicy: api.RestartOnFailure, Containers: containers("backup")}}}}}
	c.Status = api.CronJobStatus{LastScheduleTime: ago(21 * time.Hour), Active: []api.ObjectReference{{Kind: "Job", Name: "backup-28911"}}}
	tz := &api.CronJob{ObjectMeta: meta("default", "report", 2*time.Hour)}
	tz.Spec = api.CronJobSpec{Schedule: "*/5 * * * *", TimeZone: ptr("Europe/Paris"), Suspend: ptr(true),
		JobTemplate: api.JobTemplateSpec{Spec: api.JobSpec{Template: api.PodTemplateSpec{Spec: api.PodSpec{RestartPolicy: api.RestartNever, Containers: containers("report")}}}}}
	return []api.Object{c, tz}
}

func claims() []api.Object {
	bound := &api.PersistentVolumeClaim{ObjectMeta: meta("default", "data-db-0", 6*time.Hour)}
	bound.Spec = api.PersistentVolumeClaimSpec{AccessModes: []string{api.ReadWriteOnce}, StorageClassName: ptr("standard"), VolumeName: "pvc-1a2b",
		Resources: api.VolumeResourceRequirements{Requests: api.ResourceList{api.ResourceStorage: api.MustParseQuantity("1Gi")}}}
	bound.Status = api.PersistentVolumeClaimStatus{Phase: api.ClaimBound, AccessModes: []string{api.ReadWriteOnce, api.ReadOnlyMany},
		Capacity: api.ResourceList{api.ResourceStorage: api.MustParseQuantity("1Gi")}}
	pending := &api.PersistentVolumeClaim{ObjectMeta: meta("default", "scratch", time.Minute)}
	pending.Spec = api.PersistentVolumeClaimSpec{AccessModes: []string{api.ReadWriteMany},
		Resources: api.VolumeResourceRequirements{Requests: api.ResourceList{api.ResourceStorage: api.MustParseQuantity("5Gi")}}}
	pending.Status.Phase = api.ClaimPending
	return []api.Object{bound, pending}
}

func budgets() []api.Object {
	three := api.IntOrString{IntVal: 3}
	quarter := api.IntOrString{IsString: true, StrVal: "25%"}
	web := &api.PodDisruptionBudget{ObjectMeta: meta("default", "web", 2*time.Hour)}
	web.Spec.MinAvailable = &three
	web.Status.DisruptionsAllowed = 1
	db := &api.PodDisruptionBudget{ObjectMeta: meta("default", "db", 5*time.Minute)}
	db.Spec.MaxUnavailable = &quarter
	return []api.Object{web, db}
}
