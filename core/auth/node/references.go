package node

import "github.com/tinykube/tinykube/core/api"

// Refs are the objects of its own namespace a pod names, which its
// kubelet must read to run it. A set nothing is in is nil.
type Refs struct {
	Secrets, ConfigMaps, Claims map[string]bool
	// ServiceAccount is the account the pod runs as ("default" when the
	// pod names none).
	ServiceAccount string
}

// References returns what pod names: Secrets and ConfigMaps in its
// containers' env and envFrom (init containers too) and in its volumes
// (projected sources too), and the claims of its persistentVolumeClaim
// volumes.
func References(pod *api.Pod) Refs {
	r := Refs{ServiceAccount: pod.Spec.ServiceAccountName}
	if r.ServiceAccount == "" {
		r.ServiceAccount = "default"
	}
	add := func(set *map[string]bool, name string) {
		if name == "" {
			return
		}
		if *set == nil {
			*set = map[string]bool{}
		}
		(*set)[name] = true
	}
	for _, cs := range [][]api.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range cs {
			for _, f := range c.EnvFrom {
				if f.ConfigMapRef != nil {
					add(&r.ConfigMaps, f.ConfigMapRef.Name)
				}
				if f.SecretRef != nil {
					add(&r.Secrets, f.SecretRef.Name)
				}
			}
			for _, e := range c.Env {
				if e.ValueFrom == nil {
					continue
				}
				if k := e.ValueFrom.ConfigMapKeyRef; k != nil {
					add(&r.ConfigMaps, k.Name)
				}
				if k := e.ValueFrom.SecretKeyRef; k != nil {
					add(&r.Secrets, k.Name)
				}
			}
		}
	}
	for _, v := range pod.Spec.Volumes {
		if v.Secret != nil {
			add(&r.Secrets, v.Secret.SecretName)
		}
		if v.ConfigMap != nil {
			add(&r.ConfigMaps, v.ConfigMap.Name)
		}
		if v.PersistentVolumeClaim != nil {
			add(&r.Claims, v.PersistentVolumeClaim.ClaimName)
		}
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if s.Secret != nil {
					add(&r.Secrets, s.Secret.Name)
				}
				if s.ConfigMap != nil {
					add(&r.ConfigMaps, s.ConfigMap.Name)
				}
			}
		}
	}
	return r
}
