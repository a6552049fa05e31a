package api

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

func validatePod(pod *Pod) FieldErrors {
	errs := validateObjectMeta(&pod.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	return append(errs, validatePodSpec(&pod.Spec, "spec")...)
}

// The values of enumerated pod fields, sorted as Kubernetes lists them.
var (
	restartPolicies = []string{"Always", "Never", "OnFailure"}
	dnsPolicies     = []string{"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"}
	pullPolicies    = []string{"Always", "IfNotPresent", "Never"}
	protocols       = []string{"SCTP", "TCP", "UDP"}
	taintEffects    = []string{"NoExecute", "NoSchedule", "PreferNoSchedule"}
	hostPathTypes   = []string{"", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"}
)

// validatePodSpec checks a pod's spec at p ("spec" for a Pod,
// "spec.template.spec" for a workload's template).
func validatePodSpec(s *PodSpec, p path) FieldErrors {
	vols, errs := validateVolumes(s.Volumes, p.child("volumes"))
	if len(s.Containers) == 0 {
		errs = append(errs, FieldRequired(p.child("containers").String(), ""))
	}
	names := map[string]bool{}
	for i := range s.InitContainers {
		errs = append(errs, validateContainer(&s.InitContainers[i], true, s.HostNetwork, vols, names, p.child("initContainers").index(i))...)
	}
	for i := range s.Containers {
		errs = append(errs, validateContainer(&s.Containers[i], false, s.HostNetwork, vols, names, p.child("containers").index(i))...)
	}
	if s.RestartPolicy != "" && !oneOf(string(s.RestartPolicy), restartPolicies...) {
		errs = append(errs, FieldNotSupported(p.child("restartPolicy").String(), string(s.RestartPolicy), restartPolicies))
	}
	if s.TerminationGracePeriodSeconds != nil {
		errs = append(errs, nonNegative(*s.TerminationGracePeriodSeconds, p.child("terminationGracePeriodSeconds"))...)
	}
	if d := s.ActiveDeadlineSeconds; d != nil && (*d < 1 || *d > math.MaxInt32) {
		errs = append(errs, FieldInvalid(p.child("activeDeadlineSeconds").String(), *d, inclusiveRangeError(1, math.MaxInt32)))
	}
	if s.DNSPolicy != "" && !oneOf(s.DNSPolicy, dnsPolicies...) {
		errs = append(errs, FieldNotSupported(p.child("dnsPolicy").String(), s.DNSPolicy, dnsPolicies))
	}
	errs = append(errs, validateLabels(s.NodeSelector, p.child("nodeSelector"))...)
	for _, f := range []struct {
		value string
		name  string
		fn    nameFunc
	}{
		{s.ServiceAccountName, "serviceAccountName", IsDNS1123Subdomain},
		{s.NodeName, "nodeName", IsDNS1123Subdomain},
		{s.Hostname, "hostname", IsDNS1123Label},
		{s.Subdomain, "subdomain", IsDNS1123Label},
		{s.SchedulerName, "schedulerName", IsDNS1123Subdomain},
		{s.PriorityClassName, "priorityClassName", IsDNS1123Subdomain},
	} {
		if f.value != "" {
			errs = append(errs, validateName(f.value, f.fn, p.child(f.name))...)
		}
	}
	if s.Affinity != nil && s.Affinity.NodeAffinity != nil {
		errs = append(errs, validateNodeAffinity(s.Affinity.NodeAffinity, p.child("affinity", "nodeAffinity"))...)
	}
	errs = append(errs, validateTolerations(s.Tolerations, p.child("tolerations"))...)
	errs = append(errs, validatePodSecurityContext(s.SecurityContext, p.child("securityContext"))...)
	return errs
}

// validateContainer checks one container or init container. names holds
// the container names seen so far in the pod (both lists share one space);
// vols the pod's volume names.
func validateContainer(c *Container, init, hostNetwork bool, vols, names map[string]bool, p path) FieldErrors {
	var errs FieldErrors
	if c.Name == "" {
		errs = append(errs, FieldRequired(p.child("name").String(), ""))
	} else {
		errs = append(errs, validateName(c.Name, IsDNS1123Label, p.child("name"))...)
		if names[c.Name] {
			errs = append(errs, FieldDuplicate(p.child("name").String(), c.Name))
		}
		names[c.Name] = true
	}
	if c.Image == "" {
		errs = append(errs, FieldRequired(p.child("image").String(), ""))
	} else if strings.TrimSpace(c.Image) != c.Image {
		errs = append(errs, FieldInvalid(p.child("image").String(), c.Image, "must not have leading or trailing whitespace"))
	}
	if c.ImagePullPolicy != "" && !oneOf(string(c.ImagePullPolicy), pullPolicies...) {
		errs = append(errs, FieldNotSupported(p.child("imagePullPolicy").String(), string(c.ImagePullPolicy), pullPolicies))
	}
	errs = append(errs, validateContainerPorts(c.Ports, hostNetwork, p.child("ports"))...)
	errs = append(errs, validateEnv(c.Env, p.child("env"))...)
	errs = append(errs, validateEnvFrom(c.EnvFrom, p.child("envFrom"))...)
	errs = append(errs, validateResources(&c.Resources, p.child("resources"))...)
	errs = append(errs, validateVolumeMounts(c.VolumeMounts, vols, p.child("volumeMounts"))...)
	errs = append(errs, validateSecurityContext(c.SecurityContext, p.child("securityContext"))...)
	for _, pr := range []struct {
		probe *Probe
		name  string
	}{{c.LivenessProbe, "livenessProbe"}, {c.ReadinessProbe, "readinessProbe"}, {c.StartupProbe, "startupProbe"}} {
		if pr.probe == nil {
			continue
		}
		pp := p.child(pr.name)
		if init {
			errs = append(errs, FieldForbidden(pp.String(), "may not be set for init containers"))
			continue
		}
		errs = append(errs, validateProbe(pr.probe, pp)...)
		if pr.name != "readinessProbe" && pr.probe.SuccessThreshold != 0 && pr.probe.SuccessThreshold != 1 {
			errs = append(errs, FieldInvalid(pp.child("successThreshold").String(), pr.probe.SuccessThreshold, "must be 1"))
		}
	}
	return errs
}

func validateContainerPorts(ports []ContainerPort, hostNetwork bool, p path) FieldErrors {
	var errs FieldErrors
	names := map[string]bool{}
	for i, port := range ports {
		ip := p.index(i)
		if port.Name != "" {
			for _, msg := range IsValidPortName(port.Name) {
				errs = append(errs, FieldInvalid(ip.child("name").String(), port.Name, msg))
			}
			if names[port.Name] {
				errs = append(errs, FieldDuplicate(ip.child("name").String(), port.Name))
			}
			names[port.Name] = true
		}
		if port.ContainerPort == 0 {
			errs = append(errs, FieldRequired(ip.child("containerPort").String(), ""))
		} else {
			for _, msg := range IsValidPortNum(int(port.ContainerPort)) {
				errs = append(errs, FieldInvalid(ip.child("containerPort").String(), port.ContainerPort, msg))
			}
		}
		if port.HostPort != 0 {
			for _, msg := range IsValidPortNum(int(port.HostPort)) {
				errs = append(errs, FieldInvalid(ip.child("hostPort").String(), port.HostPort, msg))
			}
			if hostNetwork && port.HostPort != port.ContainerPort {
				errs = append(errs, FieldInvalid(ip.child("hostPort").String(), port.HostPort, "must match `containerPort` when `hostNetwork` is true"))
			}
		}
		if port.Protocol != "" && !oneOf(string(port.Protocol), protocols...) {
			errs = append(errs, FieldNotSupported(ip.child("protocol").String(), string(port.Protocol), protocols))
		}
		if port.HostIP != "" && !IsValidIP(port.HostIP) {
			errs = append(errs, FieldInvalid(ip.child("hostIP").String(), port.HostIP, ipErrMsg))
		}
	}
	return errs
}

func validateEnv(env []EnvVar, p path) FieldErrors {
	var errs FieldErrors
	for i, ev := range env {
		ip := p.index(i)
		if ev.Name == "" {
			errs = append(errs, FieldRequired(ip.child("name").String(), ""))
		} else {
			errs = append(errs, validateName(ev.Name, IsEnvVarName, ip.child("name"))...)
		}
		if ev.ValueFrom == nil {
			continue
		}
		vp := ip.child("valueFrom")
		if ev.Value != "" {
			errs = append(errs, FieldInvalid(vp.String(), "", "may not be specified when `value` is not empty"))
		}
		errs = append(errs, validateEnvVarSource(ev.ValueFrom, vp)...)
	}
	return errs
}

func validateEnvVarSource(s *EnvVarSource, p path) FieldErrors {
	var errs FieldErrors
	n := 0
	if s.FieldRef != nil {
		n++
		errs = append(errs, validateEnvFieldRef(s.FieldRef, p.child("fieldRef"))...)
	}
	if s.ResourceFieldRef != nil {
		n++
		errs = append(errs, validateResourceFieldRef(s.ResourceFieldRef, false, p.child("resourceFieldRef"))...)
	}
	if s.ConfigMapKeyRef != nil {
		n++
		errs = append(errs, validateKeySelector(s.ConfigMapKeyRef, p.child("configMapKeyRef"))...)
	}
	if s.SecretKeyRef != nil {
		n++
		errs = append(errs, validateKeySelector(s.SecretKeyRef, p.child("secretKeyRef"))...)
	}
	switch {
	case n == 0:
		errs = append(errs, FieldInvalid(p.String(), "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
	case n > 1:
		errs = append(errs, FieldInvalid(p.String(), "", "may not have more than one field specified at a time"))
	}
	return errs
}

// envFieldPaths are the pod fields an environment variable may take its
// value from, besides metadata.labels['k'] and metadata.annotations['k'].
var envFieldPaths = []string{
	"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
	"status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
}

// volumeFieldPaths are the pod fields a downwardAPI file may hold, besides
// subscripted labels and annotations.
var volumeFieldPaths = []string{"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"}

func validateEnvFieldRef(f *ObjectFieldSelector, p path) FieldErrors {
	return validateFieldRef(f, envFieldPaths, p)
}

// validateFieldRef checks a fieldRef against the paths allowed where it is
// used (an env var's or a downwardAPI file's).
func validateFieldRef(f *ObjectFieldSelector, allowed []string, p path) FieldErrors {
	var errs FieldErrors
	if f.APIVersion != "" && f.APIVersion != "v1" {
		errs = append(errs, FieldNotSupported(p.child("apiVersion").String(), f.APIVersion, []string{"v1"}))
	}
	fp := p.child("fieldPath")
	if f.FieldPath == "" {
		return append(errs, FieldRequired(fp.String(), ""))
	}
	for _, prefix := range []string{"metadata.labels", "metadata.annotations"} {
		if rest, ok := strings.CutPrefix(f.FieldPath, prefix+"['"); ok {
			key, ok := strings.CutSuffix(rest, "']")
			if !ok {
				return append(errs, FieldInvalid(fp.String(), f.FieldPath, "a subscripted field must be written "+prefix+"['key']"))
			}
			for _, msg := range IsQualifiedName(strings.ToLower(key)) {
				errs = append(errs, FieldInvalid(fp.String(), f.FieldPath, msg))
			}
			return errs
		}
	}
	if !oneOf(f.FieldPath, allowed...) {
		errs = append(errs, FieldNotSupported(fp.String(), f.FieldPath, allowed))
	}
	return errs
}

// resourceFieldResources are the container resources a resourceFieldRef may
// name.
var resourceFieldResources = []string{"limits.cpu", "limits.ephemeral-storage", "limits.memory",
	"requests.cpu", "requests.ephemeral-storage", "requests.memory"}

// The divisors Kubernetes accepts: a CPU amount in cores or millicores, a
// byte amount in a unit of its quantities.
var (
	cpuDivisors    = []string{"1m", "1"}
	memoryDivisors = []string{"1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"}
)

// validateResourceFieldRef checks a resourceFieldRef; inVolume requires the
// container's name (an env var defaults to its own container).
func validateResourceFieldRef(r *ResourceFieldSelector, inVolume bool, p path) FieldErrors {
	var errs FieldErrors
	if inVolume && r.ContainerName == "" {
		errs = append(errs, FieldRequired(p.child("containerName").String(), ""))
	}
	rp := p.child("resource")
	switch {
	case r.Resource == "":
		return append(errs, FieldRequired(rp.String(), ""))
	case !oneOf(r.Resource, resourceFieldResources...):
		return append(errs, FieldNotSupported(rp.String(), r.Resource, resourceFieldResources))
	}
	if r.Divisor == nil || r.Divisor.IsZero() {
		return errs
	}
	allowed := memoryDivisors
	if strings.HasSuffix(r.Resource, ".cpu") {
		allowed = cpuDivisors
	}
	for _, d := range allowed {
		// 1E and 1Ei do not fit a Quantity here (millis in an int64), so
		// no divisor can equal them.
		if q, err := ParseQuantity(d); err == nil && r.Divisor.Cmp(q) == 0 {
			return errs
		}
	}
	return append(errs, FieldNotSupported(p.child("divisor").String(), r.Divisor.String(), allowed))
}

func validateKeySelector(k *KeySelector, p path) FieldErrors {
	var errs FieldErrors
	if k.Name == "" {
		errs = append(errs, FieldRequired(p.child("name").String(), ""))
	}
	if k.Key == "" {
		errs = append(errs, FieldRequired(p.child("key").String(), ""))
	} else {
		errs = append(errs, validateName(k.Key, IsConfigMapKey, p.child("key"))...)
	}
	return errs
}

func validateEnvFrom(from []EnvFromSource, p path) FieldErrors {
	var errs FieldErrors
	for i, f := range from {
		ip := p.index(i)
		if f.Prefix != "" {
			errs = append(errs, validateName(f.Prefix, IsEnvVarName, ip.child("prefix"))...)
		}
		n := 0
		if f.ConfigMapRef != nil {
			n++
			if f.ConfigMapRef.Name == "" {
				errs = append(errs, FieldRequired(ip.child("configMapRef", "name").String(), ""))
			}
		}
		if f.SecretRef != nil {
			n++
			if f.SecretRef.Name == "" {
				errs = append(errs, FieldRequired(ip.child("secretRef", "name").String(), ""))
			}
		}
		switch {
		case n == 0:
			errs = append(errs, FieldInvalid(ip.String(), "", "must specify one of: `configMapRef` or `secretRef`"))
		case n > 1:
			errs = append(errs, FieldInvalid(ip.String(), "", "may not have more than one field specified at a time"))
		}
	}
	return errs
}

// containerResources are the resources a container may name without a
// domain prefix.
var containerResources = []string{"cpu", "memory", "ephemeral-storage"}

func sortedResourceNames(l ResourceList) []ResourceName {
	names := make([]ResourceName, 0, len(l))
	for n := range l {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	return names
}

// validateResources checks that names are known or domain-qualified,
// amounts are not negative, and no request exceeds its limit.
func validateResources(r *ResourceRequirements, p path) FieldErrors {
	var errs FieldErrors
	check := func(l ResourceList, lp path) {
		for _, name := range sortedResourceNames(l) {
			np := lp.key(string(name))
			for _, msg := range IsQualifiedName(string(name)) {
				errs = append(errs, FieldInvalid(np.String(), string(name), msg))
			}
			if !strings.Contains(string(name), "/") && !oneOf(string(name), containerResources...) && !strings.HasPrefix(string(name), "hugepages-") {
				errs = append(errs, FieldInvalid(np.String(), string(name), "must be a standard resource for containers"))
			}
			if q := l[name]; q.Cmp(Quantity{}) < 0 {
				errs = append(errs, FieldInvalid(np.String(), q.String(), "must be greater than or equal to 0"))
			}
		}
	}
	check(r.Limits, p.child("limits"))
	check(r.Requests, p.child("requests"))
	for _, name := range sortedResourceNames(r.Requests) {
		limit, ok := r.Limits[name]
		if req := r.Requests[name]; ok && req.Cmp(limit) > 0 {
			errs = append(errs, FieldInvalid(p.child("requests").key(string(name)).String(), req.String(),
				fmt.Sprintf("must be less than or equal to %s limit of %s", name, limit.String())))
		}
	}
	return errs
}

// validateVolumes checks the pod's volumes and returns the set of their
// names, for volume mounts to refer to.
func validateVolumes(vols []Volume, p path) (map[string]bool, FieldErrors) {
	var errs FieldErrors
	names := map[string]bool{}
	for i, v := range vols {
		ip := p.index(i)
		if v.Name == "" {
			errs = append(errs, FieldRequired(ip.child("name").String(), ""))
		} else {
			errs = append(errs, validateName(v.Name, IsDNS1123Label, ip.child("name"))...)
			if names[v.Name] {
				errs = append(errs, FieldDuplicate(ip.child("name").String(), v.Name))
			}
			names[v.Name] = true
		}
		var sources []string
		if s := v.EmptyDir; s != nil {
			sources = append(sources, "emptyDir")
			if s.SizeLimit != nil && s.SizeLimit.Cmp(Quantity{}) < 0 {
				errs = append(errs, FieldInvalid(ip.child("emptyDir", "sizeLimit").String(), s.SizeLimit.String(), "must be greater than or equal to 0"))
			}
		}
		if s := v.HostPath; s != nil {
			sources = append(sources, "hostPath")
			if s.Path == "" {
				errs = append(errs, FieldRequired(ip.child("hostPath", "path").String(), ""))
			}
			if !oneOf(s.Type, hostPathTypes...) {
				errs = append(errs, FieldNotSupported(ip.child("hostPath", "type").String(), s.Type, hostPathTypes))
			}
		}
		if s := v.ConfigMap; s != nil {
			sources = append(sources, "configMap")
			sp := ip.child("configMap")
			if s.Name == "" {
				errs = append(errs, FieldRequired(sp.child("name").String(), ""))
			} else {
				errs = append(errs, validateName(s.Name, IsDNS1123Subdomain, sp.child("name"))...)
			}
			errs = append(errs, validateProjection(s.Items, s.DefaultMode, sp)...)
		}
		if s := v.Secret; s != nil {
			sources = append(sources, "secret")
			sp := ip.child("secret")
			if s.SecretName == "" {
				errs = append(errs, FieldRequired(sp.child("secretName").String(), ""))
			} else {
				errs = append(errs, validateName(s.SecretName, IsDNS1123Subdomain, sp.child("secretName"))...)
			}
			errs = append(errs, validateProjection(s.Items, s.DefaultMode, sp)...)
		}
		if s := v.PersistentVolumeClaim; s != nil {
			sources = append(sources, "persistentVolumeClaim")
			if s.ClaimName == "" {
				errs = append(errs, FieldRequired(ip.child("persistentVolumeClaim", "claimName").String(), ""))
			}
		}
		if s := v.DownwardAPI; s != nil {
			sources = append(sources, "downwardAPI")
			sp := ip.child("downwardAPI")
			errs = append(errs, validateFileMode(s.DefaultMode, sp.child("defaultMode"))...)
			errs = append(errs, validateDownwardAPIFiles(s.Items, sp.child("items"))...)
		}
		if s := v.Projected; s != nil {
			sources = append(sources, "projected")
			errs = append(errs, validateProjected(s, ip.child("projected"))...)
		}
		switch {
		case len(sources) == 0:
			errs = append(errs, FieldRequired(ip.String(), "must specify a volume type"))
		case len(sources) > 1:
			errs = append(errs, FieldForbidden(ip.child(sources[1]).String(), "may not specify more than 1 volume type"))
		}
	}
	return names, errs
}

const fileModeErrMsg = "must be a number between 0 and 0777 (octal), both inclusive"

// validateProjection checks the items and modes of a ConfigMap or Secret
// volume.
func validateProjection(items []KeyToPath, defaultMode *int32, p path) FieldErrors {
	var errs FieldErrors
	if defaultMode != nil && (*defaultMode < 0 || *defaultMode > 0777) {
		errs = append(errs, FieldInvalid(p.child("defaultMode").String(), *defaultMode, fileModeErrMsg))
	}
	for i, it := range items {
		ip := p.child("items").index(i)
		if it.Key == "" {
			errs = append(errs, FieldRequired(ip.child("key").String(), ""))
		}
		if it.Path == "" {
			errs = append(errs, FieldRequired(ip.child("path").String(), ""))
		} else {
			errs = append(errs, validateRelativePath(it.Path, ip.child("path"))...)
		}
		if it.Mode != nil && (*it.Mode < 0 || *it.Mode > 0777) {
			errs = append(errs, FieldInvalid(ip.child("mode").String(), *it.Mode, fileModeErrMsg))
		}
	}
	return errs
}

func validateFileMode(mode *int32, p path) FieldErrors {
	if mode != nil && (*mode < 0 || *mode > 0777) {
		return FieldErrors{FieldInvalid(p.String(), *mode, fileModeErrMsg)}
	}
	return nil
}

// validateDownwardAPIFiles checks the files of a downwardAPI volume or
// projection: a relative path each, and exactly one of fieldRef and
// resourceFieldRef.
func validateDownwardAPIFiles(items []DownwardAPIVolumeFile, p path) FieldErrors {
	var errs FieldErrors
	for i, it := range items {
		ip := p.index(i)
		if it.Path == "" {
			errs = append(errs, FieldRequired(ip.child("path").String(), ""))
		} else {
			errs = append(errs, validateRelativePath(it.Path, ip.child("path"))...)
		}
		errs = append(errs, validateFileMode(it.Mode, ip.child("mode"))...)
		switch {
		case it.FieldRef != nil && it.ResourceFieldRef != nil:
			errs = append(errs, FieldInvalid(ip.String(), "", "fieldRef and resourceFieldRef can not be specified simultaneously"))
		case it.FieldRef != nil:
			errs = append(errs, validateFieldRef(it.FieldRef, volumeFieldPaths, ip.child("fieldRef"))...)
		case it.ResourceFieldRef != nil:
			errs = append(errs, validateResourceFieldRef(it.ResourceFieldRef, true, ip.child("resourceFieldRef"))...)
		default:
			errs = append(errs, FieldRequired(ip.String(), "one of fieldRef and resourceFieldRef is required"))
		}
	}
	return errs
}

// validateProjected checks a projected volume: each source names exactly
// one of configMap, secret, downwardAPI and serviceAccountToken (a token
// living 10 minutes at least), and no two sources write the same path.
func validateProjected(s *ProjectedVolumeSource, p path) FieldErrors {
	errs := validateFileMode(s.DefaultMode, p.child("defaultMode"))
	paths := map[string]bool{}
	dup := func(fp path, file string) {
		if paths[file] {
			errs = append(errs, FieldInvalid(fp.String(), file, "conflicting duplicate paths"))
		}
		paths[file] = true
	}
	for i, src := range s.Sources {
		ip := p.child("sources").index(i)
		var kinds []string
		if c := src.ConfigMap; c != nil {
			kinds = append(kinds, "configMap")
			if c.Name == "" {
				errs = append(errs, FieldRequired(ip.child("configMap", "name").String(), ""))
			}
			errs = append(errs, validateProjection(c.Items, nil, ip.child("configMap"))...)
			for j, it := range c.Items {
				dup(ip.child("configMap", "items").index(j).child("path"), it.Path)
			}
		}
		if c := src.Secret; c != nil {
			kinds = append(kinds, "secret")
			if c.Name == "" {
				errs = append(errs, FieldRequired(ip.child("secret", "name").String(), ""))
			}
			errs = append(errs, validateProjection(c.Items, nil, ip.child("secret"))...)
			for j, it := range c.Items {
				dup(ip.child("secret", "items").index(j).child("path"), it.Path)
			}
		}
		if d := src.DownwardAPI; d != nil {
			kinds = append(kinds, "downwardAPI")
			errs = append(errs, validateDownwardAPIFiles(d.Items, ip.child("downwardAPI", "items"))...)
			for j, it := range d.Items {
				dup(ip.child("downwardAPI", "items").index(j).child("path"), it.Path)
			}
		}
		if t := src.ServiceAccountToken; t != nil {
			kinds = append(kinds, "serviceAccountToken")
			errs = append(errs, validateTokenProjection(t, ip.child("serviceAccountToken"))...)
			dup(ip.child("serviceAccountToken", "path"), t.Path)
		}
		switch {
		case len(kinds) == 0:
			errs = append(errs, FieldRequired(ip.String(), "must specify exactly one of: `configMap`, `secret`, `downwardAPI` or `serviceAccountToken`"))
		case len(kinds) > 1:
			errs = append(errs, FieldForbidden(ip.child(kinds[1]).String(), "may not specify more than 1 volume projection type"))
		}
	}
	return errs
}

// validateTokenProjection checks a serviceAccountToken projection: a
// relative path, and a lifetime of at least 10 minutes (a shorter one
// would be renewed too often) and at most 2^32 seconds, as Kubernetes
// bounds it.
func validateTokenProjection(t *ServiceAccountTokenProjection, p path) FieldErrors {
	var errs FieldErrors
	if t.Path == "" {
		errs = append(errs, FieldRequired(p.child("path").String(), ""))
	} else {
		errs = append(errs, validateRelativePath(t.Path, p.child("path"))...)
	}
	if e := t.ExpirationSeconds; e != nil {
		switch {
		case *e < 600:
			errs = append(errs, FieldInvalid(p.child("expirationSeconds").String(), *e, "may not specify a duration less than 10 minutes"))
		case *e > 1<<32:
			errs = append(errs, FieldInvalid(p.child("expirationSeconds").String(), *e, "may not specify a duration larger than 2^32 seconds"))
		}
	}
	return errs
}

// validateRelativePath checks a path that must stay below its base
// directory: relative and without "..".
func validateRelativePath(s string, p path) FieldErrors {
	var errs FieldErrors
	if strings.HasPrefix(s, "/") {
		errs = append(errs, FieldInvalid(p.String(), s, "must be a relative path"))
	}
	for _, part := range strings.Split(s, "/") {
		if part == ".." {
			errs = append(errs, FieldInvalid(p.String(), s, "must not contain '..'"))
			break
		}
	}
	return errs
}

func validateVolumeMounts(mounts []VolumeMount, vols map[string]bool, p path) FieldErrors {
	var errs FieldErrors
	paths := map[string]bool{}
	for i, m := range mounts {
		ip := p.index(i)
		if m.Name == "" {
			errs = append(errs, FieldRequired(ip.child("name").String(), ""))
		} else if !vols[m.Name] {
			errs = append(errs, FieldNotFound(ip.child("name").String(), m.Name))
		}
		mp := ip.child("mountPath")
		switch {
		case m.MountPath == "":
			errs = append(errs, FieldRequired(mp.String(), ""))
		case !strings.HasPrefix(m.MountPath, "/"):
			errs = append(errs, FieldInvalid(mp.String(), m.MountPath, "must be an absolute path"))
		case paths[m.MountPath]:
			errs = append(errs, FieldInvalid(mp.String(), m.MountPath, "must be unique"))
		}
		paths[m.MountPath] = true
		if m.SubPath != "" {
			errs = append(errs, validateRelativePath(m.SubPath, ip.child("subPath"))...)
		}
	}
	return errs
}

// validateProbe checks that a probe has exactly one handler and sensible
// timing.
func validateProbe(pr *Probe, p path) FieldErrors {
	var errs FieldErrors
	var handlers []string
	if pr.Exec != nil {
		handlers = append(handlers, "exec")
		if len(pr.Exec.Command) == 0 {
			errs = append(errs, FieldRequired(p.child("exec", "command").String(), ""))
		}
	}
	if pr.HTTPGet != nil {
		handlers = append(handlers, "httpGet")
		errs = append(errs, validatePortNumOrName(pr.HTTPGet.Port, p.child("httpGet", "port"))...)
		if s := pr.HTTPGet.Scheme; s != "" && s != "HTTP" && s != "HTTPS" {
			errs = append(errs, FieldNotSupported(p.child("httpGet", "scheme").String(), s, []string{"HTTP", "HTTPS"}))
		}
	}
	if pr.TCPSocket != nil {
		handlers = append(handlers, "tcpSocket")
		errs = append(errs, validatePortNumOrName(pr.TCPSocket.Port, p.child("tcpSocket", "port"))...)
	}
	switch {
	case len(handlers) == 0:
		errs = append(errs, FieldRequired(p.String(), "must specify a handler type"))
	case len(handlers) > 1:
		errs = append(errs, FieldForbidden(p.child(handlers[1]).String(), "may not specify more than 1 handler type"))
	}
	for _, f := range []struct {
		v    int32
		name string
	}{
		{pr.InitialDelaySeconds, "initialDelaySeconds"}, {pr.TimeoutSeconds, "timeoutSeconds"},
		{pr.PeriodSeconds, "periodSeconds"}, {pr.SuccessThreshold, "successThreshold"},
		{pr.FailureThreshold, "failureThreshold"},
	} {
		errs = append(errs, nonNegative(int64(f.v), p.child(f.name))...)
	}
	if g := pr.TerminationGracePeriodSeconds; g != nil && *g <= 0 {
		errs = append(errs, FieldInvalid(p.child("terminationGracePeriodSeconds").String(), *g, "must be greater than 0"))
	}
	return errs
}

// validatePortNumOrName checks a port given as a number (1–65535) or as the
// name of a container port.
func validatePortNumOrName(port IntOrString, p path) FieldErrors {
	var errs FieldErrors
	if port.IsString {
		for _, msg := range IsValidPortName(port.StrVal) {
			errs = append(errs, FieldInvalid(p.String(), port.StrVal, msg))
		}
		return errs
	}
	for _, msg := range IsValidPortNum(int(port.IntVal)) {
		errs = append(errs, FieldInvalid(p.String(), port.IntVal, msg))
	}
	return errs
}

func validateTolerations(tols []Toleration, p path) FieldErrors {
	var errs FieldErrors
	for i, t := range tols {
		ip := p.index(i)
		if t.Key != "" {
			for _, msg := range IsQualifiedName(t.Key) {
				errs = append(errs, FieldInvalid(ip.child("key").String(), t.Key, msg))
			}
		} else if t.Operator != "Exists" {
			errs = append(errs, FieldInvalid(ip.child("operator").String(), t.Operator,
				"operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
		}
		if t.TolerationSeconds != nil && t.Effect != TaintNoExecute {
			errs = append(errs, FieldInvalid(ip.child("effect").String(), t.Effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
		}
		switch t.Operator {
		case "", "Equal":
			for _, msg := range IsValidLabelValue(t.Value) {
				errs = append(errs, FieldInvalid(ip.child("value").String(), t.Value, msg))
			}
		case "Exists":
			if t.Value != "" {
				errs = append(errs, FieldInvalid(ip.child("operator").String(), t.Operator, "value must be empty when `operator` is 'Exists'"))
			}
		default:
			errs = append(errs, FieldNotSupported(ip.child("operator").String(), t.Operator, []string{"Equal", "Exists"}))
		}
		if t.Effect != "" && !oneOf(t.Effect, taintEffects...) {
			errs = append(errs, FieldNotSupported(ip.child("effect").String(), t.Effect, taintEffects))
		}
	}
	return errs
}

func validateNodeAffinity(na *NodeAffinity, p path) FieldErrors {
	var errs FieldErrors
	if ns := na.RequiredDuringSchedulingIgnoredDuringExecution; ns != nil {
		rp := p.child("requiredDuringSchedulingIgnoredDuringExecution")
		if len(ns.NodeSelectorTerms) == 0 {
			errs = append(errs, FieldRequired(rp.child("nodeSelectorTerms").String(), "must have at least one node selector term"))
		}
		for i, t := range ns.NodeSelectorTerms {
			errs = append(errs, validateNodeSelectorTerm(t, rp.child("nodeSelectorTerms").index(i))...)
		}
	}
	for i, pt := range na.PreferredDuringSchedulingIgnoredDuringExecution {
		ip := p.child("preferredDuringSchedulingIgnoredDuringExecution").index(i)
		if pt.Weight < 1 || pt.Weight > 100 {
			errs = append(errs, FieldInvalid(ip.child("weight").String(), pt.Weight, "must be in the range 1-100"))
		}
		errs = append(errs, validateNodeSelectorTerm(pt.Preference, ip.child("preference"))...)
	}
	return errs
}

func validateNodeSelectorTerm(t NodeSelectorTerm, p path) FieldErrors {
	var errs FieldErrors
	for i, r := range t.MatchExpressions {
		ip := p.child("matchExpressions").index(i)
		switch r.Operator {
		case "In", "NotIn":
			if len(r.Values) == 0 {
				errs = append(errs, FieldRequired(ip.child("values").String(), "must be specified when `operator` is 'In' or 'NotIn'"))
			}
		case "Exists", "DoesNotExist":
			if len(r.Values) > 0 {
				errs = append(errs, FieldForbidden(ip.child("values").String(), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
			}
		case "Gt", "Lt":
			if len(r.Values) != 1 {
				errs = append(errs, FieldRequired(ip.child("values").String(), "must be specified single value when `operator` is 'Lt' or 'Gt'"))
			} else if _, err := strconv.ParseInt(r.Values[0], 10, 64); err != nil {
				errs = append(errs, FieldInvalid(ip.child("values").index(0).String(), r.Values[0], "must be an integer when `operator` is 'Lt' or 'Gt'"))
			}
		default:
			errs = append(errs, FieldInvalid(ip.child("operator").String(), r.Operator, "not a valid selector operator"))
		}
		for _, msg := range IsQualifiedName(r.Key) {
			errs = append(errs, FieldInvalid(ip.child("key").String(), r.Key, msg))
		}
	}
	return errs
}
