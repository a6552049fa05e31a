package kubelet

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// containerEnv resolves a container's environment as Kubernetes does:
// envFrom first, in order (each key with the source's prefix; a key that
// is not a valid variable name is skipped and named in skipped), then env,
// where a later definition of a name replaces an earlier one in place,
// then the service links (serviceEnv) the container did not define itself,
// sorted by name; $(NAME) in a value may refer to those too. podIP is the
// sandbox's.
//
// A missing ConfigMap or Secret, or a missing key, that is not optional
// is an error naming the object and key: the container cannot start
// (CreateContainerConfigError) until it appears. An object the API
// refuses this node (403) is an error even when optional, as in
// Kubernetes: only "not found" is what optional forgives. Callers have checked
// k.config.ready(pod).
func (k *Kubelet) containerEnv(pod *api.Pod, c api.Container, podIP string) (env []EnvVar, skipped []string, err error) {
	at := map[string]int{}
	set := func(name, value string) {
		if i, ok := at[name]; ok {
			env[i].Value = value
			return
		}
		at[name] = len(env)
		env = append(env, EnvVar{Name: name, Value: value})
	}
	for _, f := range c.EnvFrom {
		var data map[string]string
		var what string
		switch {
		case f.ConfigMapRef != nil:
			what = "configMap " + pod.Namespace + "/" + f.ConfigMapRef.Name
			cm, err := k.config.configMap(pod.Namespace, f.ConfigMapRef.Name)
			if api.IsNotFound(err) && isOptional(f.ConfigMapRef.Optional) {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			data = cm.Data
		case f.SecretRef != nil:
			what = "secret " + pod.Namespace + "/" + f.SecretRef.Name
			s, err := k.config.secret(pod.Namespace, f.SecretRef.Name)
			if api.IsNotFound(err) && isOptional(f.SecretRef.Optional) {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			data = map[string]string{}
			for key, v := range s.Data {
				data[key] = string(v)
			}
		}
		var bad []string
		for _, key := range slices.Sorted(maps.Keys(data)) {
			name := f.Prefix + key
			if len(api.IsEnvVarName(name)) > 0 {
				bad = append(bad, name)
				continue
			}
			set(name, data[key])
		}
		if len(bad) > 0 {
			skipped = append(skipped, fmt.Sprintf("Keys [%s] from the EnvFrom %s were skipped since they are considered invalid environment variable names.", strings.Join(bad, ", "), what))
		}
	}
	// A literal value may refer to the variables defined before it,
	// $(NAME), as Kubernetes expands them.
	services := k.serviceEnv(pod)
	defined := func(name string) (string, bool) {
		if i, ok := at[name]; ok {
			return env[i].Value, true
		}
		v, ok := services[name]
		return v, ok
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			set(e.Name, expand(e.Value, defined))
			continue
		}
		v, ok, err := k.envValue(pod, c, e.ValueFrom, podIP)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			set(e.Name, v)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(services)) {
		if _, mine := at[name]; !mine {
			set(name, services[name])
		}
	}
	return env, skipped, nil
}

// envValue is the value of one valueFrom; ok is false for an optional
// object or key that is missing (the variable is left out).
func (k *Kubelet) envValue(pod *api.Pod, c api.Container, from *api.EnvVarSource, podIP string) (string, bool, error) {
	switch {
	case from.FieldRef != nil:
		v, err := k.podField(pod, from.FieldRef.FieldPath, podIP)
		return v, err == nil, err
	case from.ResourceFieldRef != nil:
		v, err := k.resourceField(pod, c.Name, from.ResourceFieldRef)
		return v, err == nil, err
	case from.ConfigMapKeyRef != nil:
		r := from.ConfigMapKeyRef
		cm, err := k.config.configMap(pod.Namespace, r.Name)
		switch {
		case api.IsNotFound(err) && isOptional(r.Optional):
			return "", false, nil
		case err != nil:
			return "", false, err
		}
		if v, ok := cm.Data[r.Key]; ok {
			return v, true, nil
		}
		if v, ok := cm.BinaryData[r.Key]; ok {
			return string(v), true, nil
		}
		if isOptional(r.Optional) {
			return "", false, nil
		}
		return "", false, fmt.Errorf("couldn't find key %s in ConfigMap %s/%s", r.Key, pod.Namespace, r.Name)
	case from.SecretKeyRef != nil:
		r := from.SecretKeyRef
		s, err := k.config.secret(pod.Namespace, r.Name)
		switch {
		case api.IsNotFound(err) && isOptional(r.Optional):
			return "", false, nil
		case err != nil:
			return "", false, err
		}
		if v, ok := s.Data[r.Key]; ok {
			return string(v), true, nil
		}
		if isOptional(r.Optional) {
			return "", false, nil
		}
		return "", false, fmt.Errorf("couldn't find key %s in Secret %s/%s", r.Key, pod.Namespace, r.Name)
	}
	return "", false, nil
}

func isOptional(b *bool) bool { return b != nil && *b }

// podField is the downward API: the value of one of the pod's fields, as
// an env var or a downwardAPI file holds it. Labels and annotations as a
// whole are written one key="value" per line, sorted by key.
func (k *Kubelet) podField(pod *api.Pod, path, podIP string) (string, error) {
	for _, prefix := range []string{"metadata.labels", "metadata.annotations"} {
		m := pod.Labels
		if prefix == "metadata.annotations" {
			m = pod.Annotations
		}
		if path == prefix {
			var lines []string
			for _, key := range slices.Sorted(maps.Keys(m)) {
				lines = append(lines, key+"="+strconv.Quote(m[key]))
			}
			return strings.Join(lines, "\n"), nil
		}
		if rest, ok := strings.CutPrefix(path, prefix+"['"); ok {
			return m[strings.TrimSuffix(rest, "']")], nil
		}
	}
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return pod.UID, nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.podIP", "status.podIPs":
		return podIP, nil
	case "status.hostIP", "status.hostIPs":
		return k.cfg.Address, nil
	}
	return "", fmt.Errorf("unsupported fieldPath %q", path)
}

// resourceField is a container's limit or request in divisor units,
// rounded up (Kubernetes' rule). A limit the container does not set is
// the node's allocatable amount, the most it could use; a request it does
// not set is 0. containerName defaults to self (an env var's own
// container).
func (k *Kubelet) resourceField(pod *api.Pod, self string, r *api.ResourceFieldSelector) (string, error) {
	name := r.ContainerName
	if name == "" {
		name = self
	}
	var c *api.Container
	for _, cs := range [][]api.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for i := range cs {
			if cs[i].Name == name {
				c = &cs[i]
			}
		}
	}
	if c == nil {
		return "", fmt.Errorf("resourceFieldRef: no container %q in the pod", name)
	}
	kind, res, _ := strings.Cut(r.Resource, ".")
	q, set := c.Resources.Requests[api.ResourceName(res)]
	if kind == "limits" {
		if q, set = c.Resources.Limits[api.ResourceName(res)]; !set {
			q = k.cfg.Capacity[api.ResourceName(res)]
		}
	}
	div := int64(1000) // 1, in milli-units
	if r.Divisor != nil && !r.Divisor.IsZero() {
		div = r.Divisor.MilliValue()
	}
	n := q.MilliValue()
	return strconv.FormatInt((n+div-1)/div, 10), nil
}
