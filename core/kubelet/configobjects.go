package kubelet

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// configObjects is the kubelet's view of the ConfigMaps and Secrets its
// pods use: one informer per kind, started the first time a pod on this
// node names an object of that kind (a node whose pods use none never
// lists them, and the simulator's existing runs stay as they were). A
// change to an object brings every pod of this node that names it back to
// the queue, so a container waiting for a missing key starts as soon as the
// key appears, and a volume's files follow the object within one watch
// event — Kubernetes' "Watch" change-detection strategy, not a poll.
//
// Kubernetes watches each referenced object by name; tinykube's informers
// cache the kind in every namespace, which is simpler to read and costs a
// node memory for objects none of its pods use.
type configObjects struct {
	k          *Kubelet
	configMaps *client.Informer[*api.ConfigMap]
	secrets    *client.Informer[*api.Secret]
}

// configRef names a ConfigMap or a Secret in the pod's namespace.
type configRef struct {
	secret bool
	name   string
}

// podConfigRefs lists the ConfigMaps and Secrets a pod names, in its env,
// envFrom and volumes (projected ones included), in the order it names them.
func podConfigRefs(pod *api.Pod) []configRef {
	var refs []configRef
	seen := map[configRef]bool{}
	add := func(secret bool, name string) {
		r := configRef{secret, name}
		if name != "" && !seen[r] {
			seen[r] = true
			refs = append(refs, r)
		}
	}
	for _, cs := range [][]api.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range cs {
			for _, f := range c.EnvFrom {
				if f.ConfigMapRef != nil {
					add(false, f.ConfigMapRef.Name)
				}
				if f.SecretRef != nil {
					add(true, f.SecretRef.Name)
				}
			}
			for _, e := range c.Env {
				if e.ValueFrom == nil {
					continue
				}
				if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
					add(false, r.Name)
				}
				if r := e.ValueFrom.SecretKeyRef; r != nil {
					add(true, r.Name)
				}
			}
		}
	}
	for _, v := range pod.Spec.Volumes {
		if v.ConfigMap != nil {
			add(false, v.ConfigMap.Name)
		}
		if v.Secret != nil {
			add(true, v.Secret.SecretName)
		}
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if s.ConfigMap != nil {
					add(false, s.ConfigMap.Name)
				}
				if s.Secret != nil {
					add(true, s.Secret.Name)
				}
			}
		}
	}
	return refs
}

// ready starts the informers pod needs and reports whether they have
// loaded their first list; until then the kubelet cannot tell a missing
// object from one not yet seen. A pod told "not ready" comes back after
// configSyncPoll.
func (o *configObjects) ready(pod *api.Pod) bool {
	ok := true
	for _, r := range podConfigRefs(pod) {
		if r.secret {
			ok = o.startSecrets().HasSynced() && ok
		} else {
			ok = o.startConfigMaps().HasSynced() && ok
		}
	}
	return ok
}

func (o *configObjects) startConfigMaps() *client.Informer[*api.ConfigMap] {
	if o.configMaps == nil {
		o.configMaps = startConfigInformer(o.k, false, func(cm *api.ConfigMap) string { return cm.Name })
	}
	return o.configMaps
}

func (o *configObjects) startSecrets() *client.Informer[*api.Secret] {
	if o.secrets == nil {
		o.secrets = startConfigInformer(o.k, true, func(s *api.Secret) string { return s.Name })
	}
	return o.secrets
}

// startConfigInformer starts an informer of ConfigMaps or Secrets whose
// every change (the first list's included) queues the pods of this node
// that name the object.
func startConfigInformer[T api.Object](k *Kubelet, secret bool, name func(T) string) *client.Informer[T] {
	inf := client.NewInformer[T](k.cfg.Loop, k.cfg.Client, "", client.ListOptions{})
	changed := func(obj T) { k.queuePodsNaming(obj.GetObjectMeta().Namespace, configRef{secret, name(obj)}) }
	inf.AddHandlers(client.Handlers[T]{Add: changed, Update: func(_, obj T) { changed(obj) }, Delete: changed})
	inf.Start()
	return inf
}

// configSyncPoll is how soon a pod whose ConfigMaps or Secrets are not
// yet listed is looked at again. A pod whose objects exist comes back
// sooner, with the first list's events; this is for pods waiting on an
// object that is missing, of which no event tells.
const configSyncPoll = 200 * time.Millisecond

// queuePodsNaming queues the pods of this node in namespace ns that name
// ref.
func (k *Kubelet) queuePodsNaming(ns string, ref configRef) {
	for _, pod := range k.pods.ListNamespace(ns, api.Everything()) {
		for _, r := range podConfigRefs(pod) {
			if r == ref {
				k.queue.Add(client.Key(pod))
				break
			}
		}
	}
}

func (o *configObjects) stop() {
	if o.configMaps != nil {
		o.configMaps.Stop()
	}
	if o.secrets != nil {
		o.secrets.Stop()
	}
}

// configMap returns the ConfigMap namespace/name from the cache. Callers
// have checked ready.
func (o *configObjects) configMap(namespace, name string) (*api.ConfigMap, bool) {
	if o.configMaps == nil {
		return nil, false
	}
	return o.configMaps.Get(namespace, name)
}

// secret returns the Secret namespace/name from the cache. Callers have
// checked ready.
func (o *configObjects) secret(namespace, name string) (*api.Secret, bool) {
	if o.secrets == nil {
		return nil, false
	}
	return o.secrets.Get(namespace, name)
}
