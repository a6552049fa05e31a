package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// validPod returns a pod that passes Validate, for tests to break one
// field at a time.
func validPod() *Pod {
	return &Pod{
		ObjectMeta: ObjectMeta{Name: "web", Namespace: "default", Labels: map[string]string{"app": "web"}},
		Spec: PodSpec{
			Volumes: []Volume{{Name: "data", VolumeSource: VolumeSource{EmptyDir: &EmptyDirVolumeSource{}}}},
			Containers: []Container{{
				Name:         "web",
				Image:        "nginx:1.25",
				Ports:        []ContainerPort{{Name: "http", ContainerPort: 80}},
				VolumeMounts: []VolumeMount{{Name: "data", MountPath: "/data"}},
			}},
		},
	}
}

func TestValidatePod(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *Pod)
		want   []string
	}{
		{"valid", func(p *Pod) {}, nil},
		{"valid after Default", func(p *Pod) { Default(p) }, nil},
		{"no containers", func(p *Pod) { p.Spec.Containers = nil }, []string{"spec.containers: Required value"}},
		{"container name required", func(p *Pod) { p.Spec.Containers[0].Name = "" }, []string{"spec.containers[0].name: Required value"}},
		{"container name is a label", func(p *Pod) { p.Spec.Containers[0].Name = "Web" },
			[]string{`spec.containers[0].name: Invalid value: "Web": ` + IsDNS1123Label("Web")[0]}},
		{"container names unique across init and app containers", func(p *Pod) {
			p.Spec.InitContainers = []Container{{Name: "web", Image: "busybox"}}
		}, []string{`spec.containers[0].name: Duplicate value: "web"`}},
		{"image required", func(p *Pod) { p.Spec.Containers[0].Image = "" }, []string{"spec.containers[0].image: Required value"}},
		{"image whitespace", func(p *Pod) { p.Spec.Containers[0].Image = " nginx" },
			[]string{`spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace`}},
		{"pull policy", func(p *Pod) { p.Spec.Containers[0].ImagePullPolicy = "Sometimes" },
			[]string{`spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"`}},
		{"container port range", func(p *Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 70000 },
			[]string{"spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"}},
		{"container port required", func(p *Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 0 },
			[]string{"spec.containers[0].ports[0].containerPort: Required value"}},
		{"host port range", func(p *Pod) { p.Spec.Containers[0].Ports[0].HostPort = -1 },
			[]string{"spec.containers[0].ports[0].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive"}},
		{"port name", func(p *Pod) { p.Spec.Containers[0].Ports[0].Name = "HTTP" },
			[]string{`spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`,
				`spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain at least one letter (a-z)`}},
		{"port names unique", func(p *Pod) {
			p.Spec.Containers[0].Ports = append(p.Spec.Containers[0].Ports, ContainerPort{Name: "http", ContainerPort: 81})
		}, []string{`spec.containers[0].ports[1].name: Duplicate value: "http"`}},
		{"port protocol", func(p *Pod) { p.Spec.Containers[0].Ports[0].Protocol = "tcp" },
			[]string{`spec.containers[0].ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"`}},
		{"restart policy", func(p *Pod) { p.Spec.RestartPolicy = "Sometimes" },
			[]string{`spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"`}},
		{"dns policy", func(p *Pod) { p.Spec.DNSPolicy = "Google" },
			[]string{`spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"`}},
		{"grace period", func(p *Pod) { p.Spec.TerminationGracePeriodSeconds = ptrTo[int64](-1) },
			[]string{"spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0"}},
		{"active deadline", func(p *Pod) { p.Spec.ActiveDeadlineSeconds = ptrTo[int64](0) },
			[]string{"spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"}},
		{"env name", func(p *Pod) { p.Spec.Containers[0].Env = []EnvVar{{Name: "1X", Value: "v"}} },
			[]string{`spec.containers[0].env[0].name: Invalid value: "1X": ` + IsEnvVarName("1X")[0]}},
		{"env name required", func(p *Pod) { p.Spec.Containers[0].Env = []EnvVar{{Value: "v"}} },
			[]string{"spec.containers[0].env[0].name: Required value"}},
		{"env valueFrom one source", func(p *Pod) {
			p.Spec.Containers[0].Env = []EnvVar{
				{Name: "A", ValueFrom: &EnvVarSource{}},
				{Name: "B", ValueFrom: &EnvVarSource{ConfigMapKeyRef: &KeySelector{Name: "c", Key: "k"}, SecretKeyRef: &KeySelector{Name: "s", Key: "k"}}},
				{Name: "C", Value: "x", ValueFrom: &EnvVarSource{FieldRef: &ObjectFieldSelector{FieldPath: "metadata.name"}}},
			}
		}, []string{
			"spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
			`spec.containers[0].env[1].valueFrom: Invalid value: "": may not have more than one field specified at a time`,
			"spec.containers[0].env[2].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty",
		}},
		{"env fieldRef paths", func(p *Pod) {
			p.Spec.Containers[0].Env = []EnvVar{
				{Name: "A", ValueFrom: &EnvVarSource{FieldRef: &ObjectFieldSelector{FieldPath: "metadata.labels['app']"}}},
				{Name: "B", ValueFrom: &EnvVarSource{FieldRef: &ObjectFieldSelector{FieldPath: "spec.hostname"}}},
				{Name: "C", ValueFrom: &EnvVarSource{SecretKeyRef: &KeySelector{Name: "s"}}},
			}
		}, []string{
			`spec.containers[0].env[1].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.hostname": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"`,
			"spec.containers[0].env[2].valueFrom.secretKeyRef.key: Required value",
		}},
		{"envFrom", func(p *Pod) { p.Spec.Containers[0].EnvFrom = []EnvFromSource{{Prefix: "1"}} }, []string{
			`spec.containers[0].envFrom[0].prefix: Invalid value: "1": ` + IsEnvVarName("1")[0],
			"spec.containers[0].envFrom[0]: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`",
		}},
		{"volume names", func(p *Pod) {
			p.Spec.Volumes = append(p.Spec.Volumes, Volume{Name: "data", VolumeSource: VolumeSource{EmptyDir: &EmptyDirVolumeSource{}}},
				Volume{Name: "Bad", VolumeSource: VolumeSource{EmptyDir: &EmptyDirVolumeSource{}}})
		}, []string{`spec.volumes[1].name: Duplicate value: "data"`, `spec.volumes[2].name: Invalid value: "Bad": ` + IsDNS1123Label("Bad")[0]}},
		{"volume sources", func(p *Pod) {
			p.Spec.Volumes = append(p.Spec.Volumes, Volume{Name: "none"},
				Volume{Name: "two", VolumeSource: VolumeSource{EmptyDir: &EmptyDirVolumeSource{}, HostPath: &HostPathVolumeSource{Path: "/x"}}},
				Volume{Name: "cm", VolumeSource: VolumeSource{ConfigMap: &ConfigMapVolumeSource{DefaultMode: ptrTo[int32](01000)}}},
				Volume{Name: "sec", VolumeSource: VolumeSource{Secret: &SecretVolumeSource{SecretName: "s", Items: []KeyToPath{{Key: "k", Path: "../x"}}}}},
			)
		}, []string{
			"spec.volumes[1]: Required value: must specify a volume type",
			"spec.volumes[2].hostPath: Forbidden: may not specify more than 1 volume type",
			"spec.volumes[3].configMap.name: Required value",
			"spec.volumes[3].configMap.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive",
			`spec.volumes[4].secret.items[0].path: Invalid value: "../x": must not contain '..'`,
		}},
		{"resourceFieldRef", func(p *Pod) {
			p.Spec.Containers[0].Env = []EnvVar{
				{Name: "CPU", ValueFrom: &EnvVarSource{ResourceFieldRef: &ResourceFieldSelector{Resource: "limits.cpu", Divisor: ptrTo(MustParseQuantity("1m"))}}},
				{Name: "MEM", ValueFrom: &EnvVarSource{ResourceFieldRef: &ResourceFieldSelector{Resource: "limits.memory", Divisor: ptrTo(MustParseQuantity("3"))}}},
				{Name: "GPU", ValueFrom: &EnvVarSource{ResourceFieldRef: &ResourceFieldSelector{Resource: "limits.gpu"}}},
			}
		}, []string{
			`spec.containers[0].env[1].valueFrom.resourceFieldRef.divisor: Unsupported value: "3": supported values: "1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"`,
			`spec.containers[0].env[2].valueFrom.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"`,
		}},
		{"downwardAPI volume", func(p *Pod) {
			p.Spec.Volumes = append(p.Spec.Volumes, Volume{Name: "info", VolumeSource: VolumeSource{DownwardAPI: &DownwardAPIVolumeSource{
				DefaultMode: ptrTo[int32](0644),
				Items: []DownwardAPIVolumeFile{
					{Path: "labels", FieldRef: &ObjectFieldSelector{FieldPath: "metadata.labels"}},
					{Path: "a/../../b", FieldRef: &ObjectFieldSelector{FieldPath: "status.podIP"}},
					{Path: "cpu", ResourceFieldRef: &ResourceFieldSelector{Resource: "limits.cpu"}},
					{Path: "none"},
				}}}})
		}, []string{
			`spec.volumes[1].downwardAPI.items[1].path: Invalid value: "a/../../b": must not contain '..'`,
			`spec.volumes[1].downwardAPI.items[1].fieldRef.fieldPath: Unsupported value: "status.podIP": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"`,
			"spec.volumes[1].downwardAPI.items[2].resourceFieldRef.containerName: Required value",
			"spec.volumes[1].downwardAPI.items[3]: Required value: one of fieldRef and resourceFieldRef is required",
		}},
		{"projected volume", func(p *Pod) {
			p.Spec.Volumes = append(p.Spec.Volumes, Volume{Name: "all", VolumeSource: VolumeSource{Projected: &ProjectedVolumeSource{
				Sources: []VolumeProjection{
					{ConfigMap: &ConfigMapProjection{Name: "cm", Items: []KeyToPath{{Key: "k", Path: "conf"}}}},
					{Secret: &SecretProjection{Name: "s", Items: []KeyToPath{{Key: "k", Path: "conf"}}}},
					{},
					{ConfigMap: &ConfigMapProjection{}, DownwardAPI: &DownwardAPIProjection{}},
				}}}})
		}, []string{
			`spec.volumes[1].projected.sources[1].secret.items[0].path: Invalid value: "conf": conflicting duplicate paths`,
			"spec.volumes[1].projected.sources[2]: Required value: must specify exactly one of: `configMap`, `secret`, `downwardAPI` or `serviceAccountToken`",
			"spec.volumes[1].projected.sources[3].configMap.name: Required value",
			"spec.volumes[1].projected.sources[3].downwardAPI: Forbidden: may not specify more than 1 volume projection type",
		}},
		{"serviceAccountToken projection", func(p *Pod) {
			p.Spec.Volumes = append(p.Spec.Volumes, Volume{Name: "tok", VolumeSource: VolumeSource{Projected: &ProjectedVolumeSource{
				Sources: []VolumeProjection{
					{ServiceAccountToken: &ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptrTo[int64](3607)}},
					{ServiceAccountToken: &ServiceAccountTokenProjection{Path: "/abs", ExpirationSeconds: ptrTo[int64](599)}},
					{ServiceAccountToken: &ServiceAccountTokenProjection{ExpirationSeconds: ptrTo[int64](1<<32 + 1)}},
					{ServiceAccountToken: &ServiceAccountTokenProjection{Path: "token"}, Secret: &SecretProjection{Name: "s"}},
				}}}})
		}, []string{
			`spec.volumes[1].projected.sources[1].serviceAccountToken.path: Invalid value: "/abs": must be a relative path`,
			"spec.volumes[1].projected.sources[1].serviceAccountToken.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes",
			"spec.volumes[1].projected.sources[2].serviceAccountToken.path: Required value",
			"spec.volumes[1].projected.sources[2].serviceAccountToken.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds",
			`spec.volumes[1].projected.sources[3].serviceAccountToken.path: Invalid value: "token": conflicting duplicate paths`,
			"spec.volumes[1].projected.sources[3].serviceAccountToken: Forbidden: may not specify more than 1 volume projection type",
		}},
		{"volume mounts", func(p *Pod) {
			p.Spec.Containers[0].VolumeMounts = []VolumeMount{
				{Name: "nope", MountPath: "/a"}, {Name: "data", MountPath: "rel"}, {Name: "data", MountPath: "/a"}, {Name: "data", MountPath: "/b", SubPath: "/abs"},
			}
		}, []string{
			`spec.containers[0].volumeMounts[0].name: Not found: "nope"`,
			`spec.containers[0].volumeMounts[1].mountPath: Invalid value: "rel": must be an absolute path`,
			`spec.containers[0].volumeMounts[2].mountPath: Invalid value: "/a": must be unique`,
			`spec.containers[0].volumeMounts[3].subPath: Invalid value: "/abs": must be a relative path`,
		}},
		{"probes", func(p *Pod) {
			c := &p.Spec.Containers[0]
			c.LivenessProbe = &Probe{}
			c.ReadinessProbe = &Probe{ProbeHandler: ProbeHandler{Exec: &ExecAction{Command: []string{"true"}}, TCPSocket: &TCPSocketAction{Port: FromInt(80)}}, PeriodSeconds: -1}
			c.StartupProbe = &Probe{ProbeHandler: ProbeHandler{HTTPGet: &HTTPGetAction{Port: FromString("http"), Scheme: "FTP"}}, SuccessThreshold: 2}
		}, []string{
			"spec.containers[0].livenessProbe: Required value: must specify a handler type",
			"spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
			"spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0",
			`spec.containers[0].startupProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"`,
			"spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1",
		}},
		{"probe port", func(p *Pod) {
			p.Spec.Containers[0].ReadinessProbe = &Probe{ProbeHandler: ProbeHandler{TCPSocket: &TCPSocketAction{Port: FromInt(0)}}}
		}, []string{"spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive"}},
		{"init containers may not have probes", func(p *Pod) {
			p.Spec.InitContainers = []Container{{Name: "init", Image: "busybox", ReadinessProbe: &Probe{ProbeHandler: ProbeHandler{Exec: &ExecAction{Command: []string{"true"}}}}}}
		}, []string{"spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers"}},
		{"resources", func(p *Pod) {
			p.Spec.Containers[0].Resources = ResourceRequirements{
				Limits:   ResourceList{"cpu": MustParseQuantity("500m"), "memory": MustParseQuantity("-1")},
				Requests: ResourceList{"cpu": MustParseQuantity("1"), "gpu": MustParseQuantity("1"), "example.com/dongle": MustParseQuantity("1")},
			}
		}, []string{
			`spec.containers[0].resources.limits[memory]: Invalid value: "-1": must be greater than or equal to 0`,
			`spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers`,
			`spec.containers[0].resources.requests[cpu]: Invalid value: "1": must be less than or equal to cpu limit of 500m`,
		}},
		{"tolerations", func(p *Pod) {
			p.Spec.Tolerations = []Toleration{
				{Operator: "Exists"},
				{Key: "k", Operator: "Exists", Value: "v"},
				{Operator: "Equal", Value: "v"},
				{Key: "k", Operator: "Like"},
				{Key: "k", Effect: "NoSchedule", TolerationSeconds: ptrTo[int64](5)},
				{Key: "k", Effect: "Sometimes"},
			}
		}, []string{
			`spec.tolerations[1].operator: Invalid value: "Exists": value must be empty when ` + "`operator`" + ` is 'Exists'`,
			`spec.tolerations[2].operator: Invalid value: "Equal": operator must be Exists when ` + "`key`" + ` is empty, which means "match all values and all keys"`,
			`spec.tolerations[3].operator: Unsupported value: "Like": supported values: "Equal", "Exists"`,
			`spec.tolerations[4].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when ` + "`tolerationSeconds`" + ` is set`,
			`spec.tolerations[5].effect: Unsupported value: "Sometimes": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"`,
		}},
		{"node selector", func(p *Pod) { p.Spec.NodeSelector = map[string]string{"zone": "a b"} },
			[]string{`spec.nodeSelector: Invalid value: "a b": ` + IsValidLabelValue("a b")[0]}},
		{"node affinity", func(p *Pod) {
			p.Spec.Affinity = &Affinity{NodeAffinity: &NodeAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{{MatchExpressions: []NodeSelectorRequirement{
					{Key: "zone", Operator: "In"}, {Key: "cores", Operator: "Gt", Values: []string{"x"}}, {Key: "a", Operator: "Near"},
				}}}},
				PreferredDuringSchedulingIgnoredDuringExecution: []PreferredSchedulingTerm{{Weight: 0}},
			}}
		}, []string{
			"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
			"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values[0]: Invalid value: \"x\": must be an integer when `operator` is 'Lt' or 'Gt'",
			`spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator`,
			"spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100",
		}},
		{"names of other objects", func(p *Pod) { p.Spec.ServiceAccountName = "Bad"; p.Spec.NodeName = "node_1" }, []string{
			`spec.serviceAccountName: Invalid value: "Bad": ` + IsDNS1123Subdomain("Bad")[0],
			`spec.nodeName: Invalid value: "node_1": ` + IsDNS1123Subdomain("node_1")[0],
		}},
		{"security context", func(p *Pod) { p.Spec.SecurityContext = &PodSecurityContext{RunAsUser: ptrTo[int64](-1)} },
			[]string{"spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive"}},
	}
	for _, tt := range tests {
		pod := validPod()
		tt.mutate(pod)
		got := errStrings(Validate(pod))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Validate(pod) (-want +got):\n%s", tt.name, diff)
		}
	}
}
