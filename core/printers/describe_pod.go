package printers

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// pod writes kubectl's describe of a pod.
func (d *describer) pod(p *api.Pod) {
	d.nameAndNamespace(&p.ObjectMeta)
	if p.Spec.Priority != nil {
		d.line(0, "Priority:\t%d\n", *p.Spec.Priority)
	}
	if p.Spec.PriorityClassName != "" {
		d.line(0, "Priority Class Name:\t%s\n", p.Spec.PriorityClassName)
	}
	d.line(0, "Service Account:\t%s\n", p.Spec.ServiceAccountName)
	if p.Spec.NodeName == "" {
		d.line(0, "Node:\t<none>\n")
	} else {
		d.line(0, "Node:\t%s/%s\n", p.Spec.NodeName, p.Status.HostIP)
	}
	if p.Status.StartTime != nil {
		d.line(0, "Start Time:\t%s\n", timestamp(p.Status.StartTime))
	}
	d.labels("Labels", p.Labels)
	d.annotations("Annotations", p.Annotations)
	if p.DeletionTimestamp != nil && !api.IsPodTerminal(p) {
		d.line(0, "Status:\tTerminating (lasts %s)\n", FormatAge(p.DeletionTimestamp.Sub(d.now)))
		if p.DeletionGracePeriodSeconds != nil {
			d.line(0, "Termination Grace Period:\t%ds\n", *p.DeletionGracePeriodSeconds)
		}
	} else {
		d.line(0, "Status:\t%s\n", p.Status.Phase)
	}
	if p.Status.Reason != "" {
		d.line(0, "Reason:\t%s\n", p.Status.Reason)
	}
	if p.Status.Message != "" {
		d.line(0, "Message:\t%s\n", p.Status.Message)
	}
	d.line(0, "IP:\t%s\n", p.Status.PodIP)
	if len(p.Status.PodIPs) == 0 {
		d.line(0, "IPs:\t<none>\n")
	} else {
		d.line(0, "IPs:\n")
		for _, ip := range p.Status.PodIPs {
			d.line(1, "IP:\t%s\n", ip.IP)
		}
	}
	if c := controlledBy(&p.ObjectMeta); c != "" {
		d.line(0, "Controlled By:\t%s\n", c)
	}
	if len(p.Spec.InitContainers) > 0 {
		d.containers("Init Containers", p.Spec.InitContainers, p.Status.InitContainerStatuses, p, "")
	}
	d.containers("Containers", p.Spec.Containers, p.Status.ContainerStatuses, p, "")
	if len(p.Status.Conditions) > 0 {
		d.line(0, "Conditions:\n  Type\tStatus\n")
		for _, c := range p.Status.Conditions {
			d.line(1, "%s \t%s\n", c.Type, c.Status)
		}
	}
	d.volumes(p.Spec.Volumes, "")
	if p.Status.QOSClass != "" {
		d.line(0, "QoS Class:\t%s\n", p.Status.QOSClass)
	}
	d.labels("Node-Selectors", p.Spec.NodeSelector)
	d.tolerations("Tolerations", p.Spec.Tolerations)
}

// podTemplate writes the "Pod Template:" section of a workload.
func (d *describer) podTemplate(t *api.PodTemplateSpec) {
	d.line(0, "Pod Template:\n")
	d.labels("  Labels", t.Labels)
	if len(t.Annotations) > 0 {
		d.annotations("  Annotations", t.Annotations)
	}
	if t.Spec.ServiceAccountName != "" {
		d.line(1, "Service Account:\t%s\n", t.Spec.ServiceAccountName)
	}
	if len(t.Spec.InitContainers) > 0 {
		d.containers("Init Containers", t.Spec.InitContainers, nil, nil, "  ")
	}
	d.containers("Containers", t.Spec.Containers, nil, nil, "  ")
	d.volumes(t.Spec.Volumes, "  ")
	if t.Spec.PriorityClassName != "" {
		d.line(1, "Priority Class Name:\t%s\n", t.Spec.PriorityClassName)
	}
	d.labels("  Node-Selectors", t.Spec.NodeSelector)
	d.tolerations("  Tolerations", t.Spec.Tolerations)
}

// containers writes one block per container: image, ports, command, state
// (when statuses are given), resources, probes, environment and mounts. pod
// resolves field references in the environment; nil inside a template.
// space indents the section title; kubectl then indents the container
// names by one more space, which is kept.
func (d *describer) containers(title string, cs []api.Container, statuses []api.ContainerStatus, pod *api.Pod, space string) {
	none := ""
	if len(cs) == 0 {
		none = " <none>"
	}
	d.line(0, "%s%s:%s\n", space, title, none)
	nameIndent := ""
	if space != "" {
		nameIndent = " "
	}
	for _, c := range cs {
		var st *api.ContainerStatus
		for i := range statuses {
			if statuses[i].Name == c.Name {
				st = &statuses[i]
			}
		}
		d.line(1, "%s%s:\n", nameIndent, c.Name)
		if st != nil {
			d.line(2, "Container ID:\t%s\n", st.ContainerID)
		}
		d.line(2, "Image:\t%s\n", c.Image)
		if st != nil {
			d.line(2, "Image ID:\t%s\n", st.ImageID)
		}
		var ports, hostPorts []string
		for _, p := range c.Ports {
			ports = append(ports, fmt.Sprintf("%d/%s", p.ContainerPort, protocol(p.Protocol)))
			hostPorts = append(hostPorts, fmt.Sprintf("%d/%s", p.HostPort, protocol(p.Protocol)))
		}
		if len(ports) > 1 {
			d.line(2, "Ports:\t%s\n", strings.Join(ports, ", "))
			d.line(2, "Host Ports:\t%s\n", strings.Join(hostPorts, ", "))
		} else {
			d.line(2, "Port:\t%s\n", orNone(strings.Join(ports, "")))
			d.line(2, "Host Port:\t%s\n", orNone(strings.Join(hostPorts, "")))
		}
		d.stringList("Command", c.Command)
		d.stringList("Args", c.Args)
		if st != nil {
			d.containerState("State", st.State)
			if st.LastTerminationState.Terminated != nil {
				d.containerState("Last State", st.LastTerminationState)
			}
			d.line(2, "Ready:\t%s\n", boolWord(st.Ready))
			d.line(2, "Restart Count:\t%d\n", st.RestartCount)
		}
		if len(c.Resources.Limits) > 0 {
			d.line(2, "Limits:\n")
			d.resourceList(3, c.Resources.Limits)
		}
		if len(c.Resources.Requests) > 0 {
			d.line(2, "Requests:\n")
			d.resourceList(3, c.Resources.Requests)
		}
		for _, p := range []struct {
			name  string
			probe *api.Probe
		}{{"Liveness", c.LivenessProbe}, {"Readiness", c.ReadinessProbe}, {"Startup", c.StartupProbe}} {
			if p.probe != nil {
				d.line(2, "%s:\t%s\n", p.name, describeProbe(p.probe))
			}
		}
		if len(c.EnvFrom) > 0 {
			d.envFrom(c.EnvFrom)
		}
		d.env(c.Env, pod)
		d.mounts(c.VolumeMounts)
	}
}

// stringList writes a command or args, one element per line.
func (d *describer) stringList(title string, items []string) {
	if len(items) == 0 {
		return
	}
	d.line(2, "%s:\n", title)
	for _, item := range items {
		for _, s := range strings.Split(item, "\n") {
			d.line(3, "%s\n", s)
		}
	}
}

// containerState writes "State:\tRunning" and the details of that state.
func (d *describer) containerState(title string, s api.ContainerState) {
	switch {
	case s.Running != nil:
		d.line(2, "%s:\tRunning\n", title)
		d.line(3, "Started:\t%s\n", timestamp(s.Running.StartedAt))
	case s.Waiting != nil:
		d.line(2, "%s:\tWaiting\n", title)
		if s.Waiting.Reason != "" {
			d.line(3, "Reason:\t%s\n", s.Waiting.Reason)
		}
	case s.Terminated != nil:
		t := s.Terminated
		d.line(2, "%s:\tTerminated\n", title)
		if t.Reason != "" {
			d.line(3, "Reason:\t%s\n", t.Reason)
		}
		if t.Message != "" {
			d.line(3, "Message:\t%s\n", t.Message)
		}
		d.line(3, "Exit Code:\t%d\n", t.ExitCode)
		if t.Signal > 0 {
			d.line(3, "Signal:\t%d\n", t.Signal)
		}
		d.line(3, "Started:\t%s\n", timestamp(t.StartedAt))
		d.line(3, "Finished:\t%s\n", timestamp(t.FinishedAt))
	default:
		d.line(2, "%s:\tWaiting\n", title)
	}
}

// describeProbe is kubectl's one-line probe summary:
// "http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3".
func describeProbe(p *api.Probe) string {
	attrs := fmt.Sprintf("delay=%ds timeout=%ds period=%ds #success=%d #failure=%d",
		p.InitialDelaySeconds, p.TimeoutSeconds, p.PeriodSeconds, p.SuccessThreshold, p.FailureThreshold)
	switch {
	case p.Exec != nil:
		return fmt.Sprintf("exec %v %s", p.Exec.Command, attrs)
	case p.HTTPGet != nil:
		g := p.HTTPGet
		host := g.Host
		if port := g.Port.String(); port != "" {
			host = g.Host + ":" + port
			if strings.Contains(g.Host, ":") {
				host = "[" + g.Host + "]:" + port
			}
		}
		scheme := strings.ToLower(g.Scheme)
		if scheme != "" {
			scheme += ":"
		}
		path := g.Path
		if path != "" && !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		return fmt.Sprintf("http-get %s//%s%s %s", scheme, host, path, attrs)
	case p.TCPSocket != nil:
		return fmt.Sprintf("tcp-socket %s:%s %s", p.TCPSocket.Host, p.TCPSocket.Port.String(), attrs)
	}
	return "unknown " + attrs
}

// envFrom writes the ConfigMaps and Secrets imported whole.
func (d *describer) envFrom(srcs []api.EnvFromSource) {
	d.line(2, "Environment Variables from:\n")
	for _, e := range srcs {
		from, name, optional := "", "", false
		switch {
		case e.ConfigMapRef != nil:
			from, name, optional = "ConfigMap", e.ConfigMapRef.Name, isTrue(e.ConfigMapRef.Optional)
		case e.SecretRef != nil:
			from, name, optional = "Secret", e.SecretRef.Name, isTrue(e.SecretRef.Optional)
		}
		if e.Prefix == "" {
			d.line(3, "%s\t%s\tOptional: %t\n", name, from, optional)
		} else {
			d.line(3, "%s\t%s with prefix '%s'\tOptional: %t\n", name, from, e.Prefix, optional)
		}
	}
}

// env writes the environment. A value from a ConfigMap or Secret is named,
// never read (describe must not print secrets); a field reference shows
// the pod's value when pod is given.
func (d *describer) env(vars []api.EnvVar, pod *api.Pod) {
	if len(vars) == 0 {
		d.line(2, "Environment:\t<none>\n")
		return
	}
	d.line(2, "Environment:\n")
	for _, e := range vars {
		switch {
		case e.ValueFrom == nil:
			for i, s := range strings.Split(e.Value, "\n") {
				if i == 0 {
					d.line(3, "%s:\t%s\n", e.Name, s)
				} else {
					d.line(3, "\t%s\n", s)
				}
			}
		case e.ValueFrom.FieldRef != nil:
			f := e.ValueFrom.FieldRef
			d.line(3, "%s:\t%s (%s:%s)\n", e.Name, podField(pod, f.FieldPath), f.APIVersion, f.FieldPath)
		case e.ValueFrom.SecretKeyRef != nil:
			r := e.ValueFrom.SecretKeyRef
			d.line(3, "%s:\t<set to the key '%s' in secret '%s'>\tOptional: %t\n", e.Name, r.Key, r.Name, isTrue(r.Optional))
		case e.ValueFrom.ConfigMapKeyRef != nil:
			r := e.ValueFrom.ConfigMapKeyRef
			d.line(3, "%s:\t<set to the key '%s' of config map '%s'>\tOptional: %t\n", e.Name, r.Key, r.Name, isTrue(r.Optional))
		}
	}
}

// podField resolves a downward-API field path of pod, "" when pod is nil or
// the path is not one tinykube knows.
func podField(pod *api.Pod, path string) string {
	if pod == nil {
		return ""
	}
	switch path {
	case "metadata.name":
		return pod.Name
	case "metadata.namespace":
		return pod.Namespace
	case "metadata.uid":
		return pod.UID
	case "spec.nodeName":
		return pod.Spec.NodeName
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName
	case "status.hostIP":
		return pod.Status.HostIP
	case "status.podIP":
		return pod.Status.PodIP
	}
	for _, m := range []struct {
		prefix string
		values map[string]string
	}{{"metadata.labels['", pod.Labels}, {"metadata.annotations['", pod.Annotations}} {
		if k, ok := strings.CutPrefix(path, m.prefix); ok {
			return m.values[strings.TrimSuffix(k, "']")]
		}
	}
	return ""
}

// mounts writes "path from volume (ro|rw[,path=...])", sorted by path.
func (d *describer) mounts(ms []api.VolumeMount) {
	if len(ms) == 0 {
		d.line(2, "Mounts:\t<none>\n")
		return
	}
	d.line(2, "Mounts:\n")
	ms = slices.Clone(ms)
	slices.SortStableFunc(ms, func(a, b api.VolumeMount) int { return strings.Compare(a.MountPath, b.MountPath) })
	for _, m := range ms {
		flags := "rw"
		if m.ReadOnly {
			flags = "ro"
		}
		if m.SubPath != "" {
			flags += fmt.Sprintf(",path=%q", m.SubPath)
		}
		d.line(3, "%s from %s (%s)\n", m.MountPath, m.Name, flags)
	}
}

// volumes writes each volume with its source's type and settings.
func (d *describer) volumes(vs []api.Volume, space string) {
	if len(vs) == 0 {
		d.line(0, "%sVolumes:\t<none>\n", space)
		return
	}
	d.line(0, "%sVolumes:\n", space)
	nameIndent := ""
	if space != "" {
		nameIndent = " "
	}
	for _, v := range vs {
		d.line(1, "%s%s:\n", nameIndent, v.Name)
		switch {
		case v.HostPath != nil:
			d.line(2, "Type:\tHostPath (bare host directory volume)\n")
			d.line(2, "Path:\t%s\n", v.HostPath.Path)
			d.line(2, "HostPathType:\t%s\n", orNone(v.HostPath.Type))
		case v.EmptyDir != nil:
			limit := "<unset>"
			if q := v.EmptyDir.SizeLimit; q != nil && q.MilliValue() > 0 {
				limit = q.String()
			}
			d.line(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n")
			d.line(2, "Medium:\t%s\n", v.EmptyDir.Medium)
			d.line(2, "SizeLimit:\t%s\n", limit)
		case v.Secret != nil:
			d.line(2, "Type:\tSecret (a volume populated by a Secret)\n")
			d.line(2, "SecretName:\t%s\n", v.Secret.SecretName)
			d.line(2, "Optional:\t%t\n", isTrue(v.Secret.Optional))
		case v.ConfigMap != nil:
			d.line(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n")
			d.line(2, "Name:\t%s\n", v.ConfigMap.Name)
			d.line(2, "Optional:\t%t\n", isTrue(v.ConfigMap.Optional))
		case v.PersistentVolumeClaim != nil:
			d.line(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n")
			d.line(2, "ClaimName:\t%s\n", v.PersistentVolumeClaim.ClaimName)
			d.line(2, "ReadOnly:\t%t\n", v.PersistentVolumeClaim.ReadOnly)
		default:
			d.line(1, "<unknown>\n")
		}
	}
}

func isTrue(b *bool) bool { return b != nil && *b }

// boolWord is "True" or "False", as conditions spell them.
func boolWord(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
