package kubelet

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// configObjects is the kubelet's view of the ConfigMaps and Secrets its
// pods use, kept as Kubernetes' kubelet keeps it (its watch-based secret
// and configmap managers): one watch per object, by name — a list and
// watch in the object's namespace with fieldSelector metadata.name=NAME —
// started when a pod that names the object comes to this node and stopped
// when the last such pod is gone. The node authorizer allows a node
// exactly these reads, and only of objects its pods name; a watch of the
// whole kind would be refused, and would hand a node every credential of
// the cluster.
//
// A change to an object brings the pods that name it back to the queue,
// so a container waiting for a missing key starts as soon as the key
// appears, and a volume's files follow the object within one watch event
// (Kubernetes' "Watch" change-detection strategy, not a poll).
type configObjects struct {
	k       *Kubelet
	watches map[configKey]*configWatch
	// podRefs holds, by pod key, the objects the pod was registered for.
	podRefs map[string][]configKey
}

// configKey names one ConfigMap or Secret.
type configKey struct {
	secret          bool
	namespace, name string
}

func (c configKey) String() string {
	if c.secret {
		return "secret " + c.namespace + "/" + c.name
	}
	return "configmap " + c.namespace + "/" + c.name
}

// configWatch is the by-name watch of one object and the pods that use it.
// Exactly one of configMaps and secrets is set.
type configWatch struct {
	key        configKey
	users      map[string]bool // keys of the pods that name the object
	configMaps *client.Informer[*api.ConfigMap]
	secrets    *client.Informer[*api.Secret]
	// refused is the API's 403 to the watch's last list or watch. While
	// it is set the informer is stopped, the object counts as unreadable
	// (its pods wait, with an event that quotes it), and retry will start
	// a new informer.
	refused error
	delay   time.Duration // how long the next retry after a refusal waits
	retry   loop.Timer
}

// Retries of a refused watch wait refusedRetryInitial, doubling up to
// refusedRetryMax: a node is refused until the API server sees the pod
// bound to it, which is usually at once, but a pod deleted and created
// again under the same name can be refused for a while.
const (
	refusedRetryInitial = time.Second
	refusedRetryMax     = 30 * time.Second
)

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

// register records the objects pod names and starts a watch for each
// that has none; watches that only pod used and that it no longer names
// are stopped. It is idempotent: the pod informer's handlers call it on
// every add and update, and a pod's sync calls it before reading.
func (o *configObjects) register(pod *api.Pod) {
	key := client.Key(pod)
	var now []configKey
	for _, r := range podConfigRefs(pod) {
		now = append(now, configKey{secret: r.secret, namespace: pod.Namespace, name: r.name})
	}
	old := o.podRefs[key]
	if len(now) == 0 {
		delete(o.podRefs, key)
	} else {
		o.podRefs[key] = now
	}
	for _, c := range now {
		o.use(c, key)
	}
	for _, c := range old {
		if !slices.Contains(now, c) {
			o.release(c, key)
		}
	}
}

// unregister forgets the pod of key: each watch it was the last user of
// is stopped.
func (o *configObjects) unregister(key string) {
	for _, c := range o.podRefs[key] {
		o.release(c, key)
	}
	delete(o.podRefs, key)
}

// use counts pod as a user of c's watch, starting the watch if it is the
// first.
func (o *configObjects) use(c configKey, pod string) {
	w := o.watches[c]
	if w == nil {
		w = &configWatch{key: c, users: map[string]bool{}}
		o.watches[c] = w
		o.start(w)
	}
	w.users[pod] = true
}

// release drops pod from c's users and stops the watch when none is left.
func (o *configObjects) release(c configKey, pod string) {
	w := o.watches[c]
	if w == nil {
		return
	}
	delete(w.users, pod)
	if len(w.users) == 0 {
		w.stop()
		delete(o.watches, c)
	}
}

// start starts w's informer, in the object's namespace and pinned to its
// name.
func (o *configObjects) start(w *configWatch) {
	if w.key.secret {
		w.secrets = startConfigInformer[*api.Secret](o, w)
	} else {
		w.configMaps = startConfigInformer[*api.ConfigMap](o, w)
	}
}

// startConfigInformer starts an informer of the one object w names,
// whose every change (the first list's included) queues w's users, and
// whose refusals go to refused.
func startConfigInformer[T api.Object](o *configObjects, w *configWatch) *client.Informer[T] {
	inf := client.NewInformer[T](o.k.cfg.Loop, o.k.cfg.Client, w.key.namespace,
		client.ListOptions{FieldSelector: "metadata.name=" + w.key.name})
	changed := func(T) { o.queueUsers(w) }
	inf.AddHandlers(client.Handlers[T]{Add: changed, Update: func(_, obj T) { changed(obj) }, Delete: changed})
	inf.SetWatchErrorHandler(func(err error) { o.refused(w, err) })
	inf.Start()
	return inf
}

// refused handles a failed list or watch of w. A 403 stops the informer
// (it would only be refused again at its own pace), marks the object
// unreadable and queues its pods, which wait with an event quoting the
// refusal; a new informer tries again after a back-off. Other errors are
// left to the informer's own retries, the pods waiting as for a first
// list.
func (o *configObjects) refused(w *configWatch, err error) {
	if api.ReasonOf(err) != api.ReasonForbidden || o.watches[w.key] != w {
		return
	}
	w.stopInformer()
	w.refused = err
	if w.delay == 0 {
		w.delay = refusedRetryInitial
	} else {
		w.delay = min(2*w.delay, refusedRetryMax)
	}
	w.retry = o.k.cfg.Loop.After(w.delay, func() {
		w.retry = nil
		if o.watches[w.key] != w || o.k.stopped {
			return
		}
		w.refused = nil
		o.start(w)
		o.queueUsers(w)
	})
	o.queueUsers(w)
}

// queueUsers queues the pods that name w's object, in key order.
func (o *configObjects) queueUsers(w *configWatch) {
	for _, pod := range slices.Sorted(maps.Keys(w.users)) {
		o.k.queue.Add(pod)
	}
}

// answered reports whether w can answer a read: its first list is in, or
// it was refused (the answer is the refusal). A watch that answers again
// after a refusal starts its back-off afresh next time.
func (w *configWatch) answered() bool {
	if w.refused != nil {
		return true
	}
	synced := (w.secrets != nil && w.secrets.HasSynced()) || (w.configMaps != nil && w.configMaps.HasSynced())
	if synced {
		w.delay = 0
	}
	return synced
}

func (w *configWatch) stopInformer() {
	if w.configMaps != nil {
		w.configMaps.Stop()
	}
	if w.secrets != nil {
		w.secrets.Stop()
	}
}

func (w *configWatch) stop() {
	w.stopInformer()
	if w.retry != nil {
		w.retry.Stop()
		w.retry = nil
	}
}

// ready registers pod and reports whether every watch it needs can
// answer; until then the kubelet cannot tell a missing object from one
// not yet seen. A pod told "not ready" comes back after configSyncPoll.
func (o *configObjects) ready(pod *api.Pod) bool {
	o.register(pod)
	ok := true
	for _, c := range o.podRefs[client.Key(pod)] {
		ok = o.watches[c].answered() && ok
	}
	return ok
}

// configSyncPoll is how soon a pod whose ConfigMaps or Secrets are not
// yet listed is looked at again. A pod whose objects exist comes back
// sooner, with the first list's events; this is for pods waiting on an
// object that is missing, of which no event tells.
const configSyncPoll = 200 * time.Millisecond

// stop stops every watch, in key order.
func (o *configObjects) stop() {
	keys := slices.SortedFunc(maps.Keys(o.watches), func(a, b configKey) int {
		return strings.Compare(a.String(), b.String())
	})
	for _, c := range keys {
		o.watches[c].stop()
	}
}

// notFound is the error for a ConfigMap or Secret that does not exist,
// worded as Kubernetes' kubelet words it (`configmap "x" not found`).
func notFound(kind, name string) error {
	return api.NewStatusError(404, api.ReasonNotFound, &api.StatusDetails{Name: name, Kind: kind}, "%s %q not found", kind, name)
}

// lookup returns the watch of c, which a registered pod names, or an error
// when none is running (a caller that did not check ready).
func (o *configObjects) lookup(c configKey) (*configWatch, error) {
	w := o.watches[c]
	if w == nil || !w.answered() {
		return nil, fmt.Errorf("%s is not watched yet", c)
	}
	return w, w.refused
}

// configMap returns the ConfigMap namespace/name from its watch; the error
// is not-found (api.IsNotFound) when it does not exist, or the API's
// refusal. Callers have checked ready.
func (o *configObjects) configMap(namespace, name string) (*api.ConfigMap, error) {
	w, err := o.lookup(configKey{namespace: namespace, name: name})
	if err != nil {
		return nil, err
	}
	if cm, ok := w.configMaps.Get(namespace, name); ok {
		return cm, nil
	}
	return nil, notFound("configmap", name)
}

// secret returns the Secret namespace/name, as configMap does.
func (o *configObjects) secret(namespace, name string) (*api.Secret, error) {
	w, err := o.lookup(configKey{secret: true, namespace: namespace, name: name})
	if err != nil {
		return nil, err
	}
	if s, ok := w.secrets.Get(namespace, name); ok {
		return s, nil
	}
	return nil, notFound("secret", name)
}
