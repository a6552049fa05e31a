package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/proxy"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// The safety invariants, checked after every event of a run.
var Invariants = map[string]string{
	"node-capacity":            "a node's bound pods never request more than its allocatable cpu, memory or pod count",
	"single-binding":           "a pod is bound to at most one node and never re-bound",
	"watch-order":              "within a watch, resourceVersions only go forward",
	"service-routing":          "a node's proxy sends no request to a pod that has not been ready (or has been deleted) for longer than the traffic propagation bound, counted from when the proxy last (re)started watching the API (a crashed, cut-off or reconnecting proxy cannot know)",
	"unique-service-addresses": "no two services hold the same cluster IP, or the same node port and protocol",
	"cronjob-forbid":           "a CronJob with concurrencyPolicy Forbid never has two active Jobs (not finished, not being deleted) at once",
	"cronjob-once-per-slot":    "no two Jobs are ever made for the same CronJob and scheduled time",
	"job-completions":          "a Job's status.succeeded never decreases, never exceeds its completions, and never exceeds the number of distinct pods of the Job seen Succeeded (a pod counted twice would)",
	"statefulset-ordinals":     "no StatefulSet ordinal ever has running containers of two different pods (uids) at once, on any live machine — judged from the machines' runtimes, so a partitioned node's containers count and a crashed node's do not",
	"rollout-bounds":           "while a Deployment rolls out undisturbed (no fault injected, none of its available pods lost by accident, replicas unchanged since it was last fully available), its available pods never fall below replicas - maxUnavailable and its ReplicaSets never ask for more than replicas + maxSurge pods",
	"daemonset-one-per-node":   "a DaemonSet never has two live pods (neither finished nor terminating) bound to the same node",
	"linearizable":             "with history: true, every object's recorded API history is linearizable — each call took effect at one instant between its call and its answer, and every answer (consistent reads included, whichever API server gave it) is the one the API promises (sim/history)",
	"pdb-eviction":             "an eviction never takes a PodDisruptionBudget's healthy pods (Ready, not being deleted, not already evicted) below its minimum (minAvailable, or desiredHealthy) — judged at the budget write that records the eviction (sim/cluster/disruption.go)",
	"rwo-single-node":          "a ReadWriteOnce (or ReadWriteOncePod) persistent volume is never mounted by running pods on two nodes at once — judged from the machines' runtimes (sim/cluster/storage.go)",
	"pv-single-claim":          "a persistent volume is never Bound to two claims, nor a claim to two volumes: no two Bound claims name one volume, a volume Bound to one claim is not named by another Bound claim, no two Bound volumes name one claim, and a Bound claim never moves to another volume",
	"retain-keeps-data":        "a node never deletes the directory of a persistent volume whose reclaim policy is Retain (the disks record every deletion)",
	"statefulset-data":         "a StatefulSet ordinal's pod finds in its volumes every file its predecessor left there, the same incarnation: data written anew into a lost volume counts as lost — judged from the machines' disks",
	"one-leader":               "no scheduler or controller-manager replica writes anything (but its own election) while its Lease names another holder: at most one replica of each acts in any interval",
	"authz-agrees-with-model":  "every authorization decision an API server makes agrees with an independent model of RBAC (sim/authzmodel) over the RBAC objects in the store: system:masters may do anything, anyone else what a binding grants; a kubelet's requests the node authorizer decided, and decisions by a server whose cache has not yet seen the last RBAC change, are not compared (sim/cluster/authz.go)",
	"hpa-bounds":               "a HorizontalPodAutoscaler never scales its target outside [minReplicas, maxReplicas] — judged at each status write recording a rescale (sim/cluster/autoscaling.go)",
	"hpa-stabilization":        "after a HorizontalPodAutoscaler scales up to N, it does not scale below N until its scale-down stabilization window has passed, unless the controller manager restarted or failed over (its memory of the window is lost, as in Kubernetes) — sim/cluster/autoscaling.go",
	"hpa-tolerance":            "a HorizontalPodAutoscaler with one utilization metric never rescales (down, or up when it has a behavior) while the utilization its status reports is within tolerance of the target (sim/cluster/autoscaling.go)",
	"hpa-missing-metrics":      "a HorizontalPodAutoscaler with one utilization metric never scales down below what its target's running pods that the metrics API just answered without numbers would need on their own at their full request: a gap in the metrics never argues for a scale-down (sim/cluster/hpametrics.go)",
	"ca-group-bounds":          "the cluster autoscaler never asks a node group for nodes beyond its max, nor deletes one below its min (judged by the simulated cloud at each request: sim/cluster/cloud.go)",
	"ca-safe-removal":          "when the cluster autoscaler marks a node ToBeDeletedByClusterAutoscaler, the pods it must move (all but DaemonSet, mirror, finished and terminating ones) fit on the nodes that stay (Ready, schedulable, not marked): each on some node's free cpu, memory and pod count, and all of them within the total free (sim/cluster/clusterautoscaling.go)",
	"ca-budgets":               "a pod covered by a PodDisruptionBudget, on a node the cluster autoscaler is removing, never starts terminating without an eviction its budget records (status.disruptedPods) while that leaves the budget's healthy pods below its minimum",
	"ca-pending-bound":         "once faults are over, no pod stays unschedulable that an empty node of a group below its max would fit (cpu, memory, nodeSelector) for longer than 2 x maxNodeProvisionTime + maxBackoff + the longest boot delay + 1m, counted from the last fault or the last machine that failed to boot",
	"components-authorized":    "no request of the scheduler, the controller manager, a kubelet or a service proxy is ever refused: each component's role (and, for a node, the node authorizer) allows everything it does",
}

// checker follows every change in the store (the in-memory store feeds its
// watches as each write commits) and keeps just enough state to check the
// invariants after every step. Decoding is proportional to what changed;
// the capacity check rescans the pods of each changed node's cluster-wide
// list, which is cheap at simulator sizes.
type checker struct {
	enabled map[string]bool
	w       store.Watcher
	pods    map[string]*podFacts // by uid
	nodes   map[string]api.ResourceList
	dirty   map[string]bool // nodes whose capacity must be rechecked
	err     error
	// lastRV is the last resourceVersion each resumed watch stream saw.
	lastRV map[int]int64

	// now is the run's virtual time, for when things changed.
	now func() time.Duration
	// backends tracks, per pod (namespace/name, so that a recreated pod
	// of the same name continues the story), whether it may receive
	// service traffic and since when.
	backends map[string]*backendFacts
	// services by namespace/name; addresses maps "10.96.0.7" and
	// "30080/TCP" to the uid of the service holding it.
	services  map[string]*serviceFacts
	addresses map[string]string

	// Rollouts: Deployments by uid, the Deployment owning each ReplicaSet
	// (by uid), which owners changed this step, and whether a fault was
	// injected (the rollout bounds hold only without faults).
	rollouts     map[string]*rolloutFacts
	rsOwner      map[string]string
	rsReplicas   map[string]int32
	rolloutDirty map[string]bool
	faulted      bool

	cron *cronFacts // see cronjob.go
	jobs *jobFacts  // job-completions (job.go)
	ds   dsChecker  // daemonset-one-per-node (daemonset.go)
	pdb  pdbChecker // pdb-eviction (disruption.go)
	hpa  hpaChecker // hpa-bounds, hpa-stabilization (autoscaling.go)
	// store is read at a rescale for the target's pods, and lastMetrics
	// is the metrics API's last answer (hpa-missing-metrics, hpametrics.go).
	store       store.Store
	lastMetrics *metricsAnswer
}

type backendFacts struct {
	servable bool
	since    time.Duration
	why      string // why it is not servable: not ready, terminating, deleted
	ip       string
}

type serviceFacts struct {
	uid             string
	addresses       []string
	publishNotReady bool
}

type podFacts struct {
	key      string // namespace/name
	node     string
	boundTo  string // the first node it was ever bound to
	requests api.ResourceList
	terminal bool
	// For the rollout invariant: the controlling owner's uid, whether the
	// pod is being deleted, and since when it has been ready (-1: not).
	owner       string
	terminating bool
	readySince  time.Duration
}

func newChecker(st store.Store, enabled []string, now func() time.Duration) (*checker, error) {
	c := &checker{enabled: map[string]bool{}, pods: map[string]*podFacts{}, nodes: map[string]api.ResourceList{}, dirty: map[string]bool{}, lastRV: map[int]int64{},
		rollouts: map[string]*rolloutFacts{}, rsOwner: map[string]string{}, rsReplicas: map[string]int32{}, rolloutDirty: map[string]bool{},
		now: now, store: st, backends: map[string]*backendFacts{}, services: map[string]*serviceFacts{}, addresses: map[string]string{}}
	if len(enabled) == 0 {
		for k := range Invariants {
			c.enabled[k] = true
		}
	}
	for _, n := range enabled {
		if _, ok := Invariants[n]; !ok {
			return nil, fmt.Errorf("invariants: unknown invariant %q", n)
		}
		c.enabled[n] = true
	}
	w, err := st.Watch(context.Background(), "/registry/", 0)
	if err != nil {
		return nil, err
	}
	c.w = w
	return c, nil
}

// check applies what changed since the last step and checks it.
func (c *checker) check() error {
	if c.err != nil {
		return c.err
	}
	for {
		ev, ok := c.w.Next()
		if !ok {
			break
		}
		switch {
		case strings.HasPrefix(ev.KV.Key, "/registry/pods/"):
			c.podEvent(ev)
		case strings.HasPrefix(ev.KV.Key, "/registry/jobs/"):
			c.jobEvent(ev)
			c.cronJobEvent(ev)
		case strings.HasPrefix(ev.KV.Key, "/registry/nodes/"):
			c.node(ev)
		case strings.HasPrefix(ev.KV.Key, "/registry/services/"):
			c.service(ev)
		case strings.HasPrefix(ev.KV.Key, "/registry/deployments/"):
			c.deployment(ev)
		case strings.HasPrefix(ev.KV.Key, "/registry/replicasets/"):
			c.replicaSet(ev)
		case strings.HasPrefix(ev.KV.Key, "/registry/cronjobs/"):
			c.cronJobEvent(ev)
		case strings.HasPrefix(ev.KV.Key, "/registry/poddisruptionbudgets/"):
			c.pdbEvent(ev)
		case strings.HasPrefix(ev.KV.Key, "/registry/horizontalpodautoscalers/"):
			c.hpaEvent(ev)
		case ev.KV.Key == "/registry/leases/"+LeaseNamespace+"/"+ControllerManagerLease:
			c.hpaLease(ev)
		}
		if c.err != nil {
			return c.err
		}
	}
	if c.enabled["node-capacity"] {
		for _, n := range sortedNames(c.dirty) {
			if err := c.capacity(n); err != nil {
				c.err = err
				return err
			}
		}
	}
	c.dirty = map[string]bool{}
	if c.enabled["rollout-bounds"] {
		if err := c.checkRollouts(); err != nil {
			c.err = err
			return err
		}
	}
	return nil
}

// podEvent decodes a pod write once and hands it to every check that
// follows pods: capacity, binding and rollouts here, Jobs (job.go) and
// DaemonSets (daemonset.go). A deletion carries the pod as it was.
func (c *checker) podEvent(ev store.Event) {
	deleted := ev.Type == store.EventDelete
	var p api.Pod
	switch {
	case deleted && ev.Prev != nil:
		if json.Unmarshal(ev.Prev.Value, &p) != nil {
			return
		}
	case deleted:
		c.daemonSetPod(ev.KV.Key, nil, true) // all it needs is the key
		return
	default:
		if json.Unmarshal(ev.KV.Value, &p) != nil {
			return
		}
	}
	c.pod(&p, deleted)
	c.jobPod(&p, deleted)
	c.daemonSetPod(ev.KV.Key, &p, deleted)
	c.disruptionPod(&p, deleted)
}

func (c *checker) pod(p *api.Pod, deleted bool) {
	if deleted {
		if f := c.pods[p.UID]; f != nil {
			c.dirty[f.node] = true
			c.rolloutDirty[f.owner] = true
		}
		delete(c.pods, p.UID)
		c.backend(p.Namespace+"/"+p.Name, false, "deleted", p.Status.PodIP)
		return
	}
	switch {
	case p.DeletionTimestamp != nil:
		c.backend(p.Namespace+"/"+p.Name, false, "terminating", p.Status.PodIP)
	case p.Status.Phase != api.PodRunning || !api.IsPodReady(p) || p.Status.PodIP == "":
		c.backend(p.Namespace+"/"+p.Name, false, "not ready", p.Status.PodIP)
	default:
		c.backend(p.Namespace+"/"+p.Name, true, "", p.Status.PodIP)
	}
	f := c.pods[p.UID]
	if f == nil {
		f = &podFacts{key: p.Namespace + "/" + p.Name, readySince: -1}
		c.pods[p.UID] = f
	}
	if p.Spec.NodeName != "" && f.boundTo != "" && p.Spec.NodeName != f.boundTo && c.enabled["single-binding"] {
		c.err = fmt.Errorf("single-binding: pod %s (uid %s) was bound to %s and then re-bound to %s", f.key, p.UID, f.boundTo, p.Spec.NodeName)
		return
	}
	if f.boundTo == "" {
		f.boundTo = p.Spec.NodeName
	}
	if f.node != "" {
		c.dirty[f.node] = true
	}
	f.node = p.Spec.NodeName
	f.requests = podRequests(p)
	f.terminal = api.IsPodTerminal(p)
	if f.node != "" {
		c.dirty[f.node] = true
	}
	c.podRollout(f, p)
}

func (c *checker) node(ev store.Event) {
	var n api.Node
	if ev.Type == store.EventDelete {
		if ev.Prev != nil && json.Unmarshal(ev.Prev.Value, &n) == nil {
			delete(c.nodes, n.Name)
		}
		return
	}
	if json.Unmarshal(ev.KV.Value, &n) == nil {
		c.nodes[n.Name] = n.Status.Allocatable
		c.dirty[n.Name] = true
	}
}

// backend records whether the pod called key may get service traffic, and
// since when that has been so.
func (c *checker) backend(key string, servable bool, why, ip string) {
	f := c.backends[key]
	if f == nil {
		f = &backendFacts{since: c.now()}
		c.backends[key] = f
	} else if f.servable != servable {
		f.since = c.now()
	}
	f.servable, f.why = servable, why
	if ip != "" {
		f.ip = ip
	}
}

// service keeps each service's addresses and checks that no other service
// holds one of them.
func (c *checker) service(ev store.Event) {
	var s api.Service
	if ev.Type == store.EventDelete {
		if ev.Prev != nil && json.Unmarshal(ev.Prev.Value, &s) == nil {
			key := s.Namespace + "/" + s.Name
			if f := c.services[key]; f != nil {
				for _, a := range f.addresses {
					if c.addresses[a] == f.uid {
						delete(c.addresses, a)
					}
				}
			}
			delete(c.services, key)
		}
		return
	}
	if json.Unmarshal(ev.KV.Value, &s) != nil {
		return
	}
	key := s.Namespace + "/" + s.Name
	f := &serviceFacts{uid: s.UID, publishNotReady: s.Spec.PublishNotReadyAddresses}
	if ip := s.Spec.ClusterIP; ip != "" && ip != "None" {
		f.addresses = append(f.addresses, ip)
	}
	for _, p := range s.Spec.Ports {
		if p.NodePort != 0 {
			f.addresses = append(f.addresses, fmt.Sprintf("%d/%s", p.NodePort, p.Protocol))
		}
	}
	if old := c.services[key]; old != nil {
		for _, a := range old.addresses {
			if c.addresses[a] == old.uid {
				delete(c.addresses, a)
			}
		}
	}
	c.services[key] = f
	for _, a := range f.addresses {
		if holder, taken := c.addresses[a]; taken && holder != f.uid && c.enabled["unique-service-addresses"] {
			other := ""
			for k, o := range c.services {
				if o.uid == holder {
					other = k
				}
			}
			c.err = fmt.Errorf("unique-service-addresses: service %s was given %s, which service %s already holds", key, a, other)
			return
		}
		c.addresses[a] = f.uid
	}
}

// routed checks one request that node nd's proxy sent to backend e of
// service port p, at virtual time now.
func (c *checker) routed(nd *Node, p *proxy.Port, e proxy.Endpoint, now, bound time.Duration) error {
	if !c.enabled["service-routing"] || e.Pod == "" || nd.blind {
		return nil
	}
	if s := c.services[p.Service()]; s != nil && s.publishNotReady {
		return nil
	}
	f := c.backends[e.Pod]
	if f == nil || f.servable {
		return nil
	}
	since := max(f.since, nd.viewSince)
	if now-since <= bound {
		return nil
	}
	c.err = fmt.Errorf("service-routing: %s's proxy sent a request for %s to pod %s (%s:%d), which is %s since %v — longer than the %v propagation bound",
		nd.Name, p, e.Pod, e.IP, e.Port, f.why, f.since.Round(time.Millisecond), bound)
	return c.err
}

// capacity checks one node's bound requests against its allocatable.
func (c *checker) capacity(node string) error {
	alloc, ok := c.nodes[node]
	if !ok {
		return nil
	}
	var cpu, mem int64
	count := 0
	var names []string
	for _, f := range c.pods {
		if f.node != node || f.terminal {
			continue
		}
		cpu += f.requests.Cpu().MilliValue()
		mem += f.requests.Memory().Value()
		count++
		names = append(names, f.key)
	}
	sort.Strings(names)
	over := ""
	switch {
	case cpu > alloc.Cpu().MilliValue():
		over = fmt.Sprintf("cpu %dm > allocatable %dm", cpu, alloc.Cpu().MilliValue())
	case mem > alloc.Memory().Value():
		over = fmt.Sprintf("memory %d > allocatable %d", mem, alloc.Memory().Value())
	case !alloc.Pods().IsZero() && int64(count) > alloc.Pods().Value():
		over = fmt.Sprintf("%d pods > allocatable %d", count, alloc.Pods().Value())
	}
	if over != "" {
		return fmt.Errorf("node-capacity: node %s is over-committed: %s (bound pods: %s)", node, over, strings.Join(names, ", "))
	}
	return nil
}

// delivered checks the order of resourceVersions on resumed watch streams
// (those started from a resourceVersion; a watch without one begins with
// the current objects in name order).
func (c *checker) delivered(to string, streamID int, resumed bool, ev rest.WatchEvent) {
	if c.err != nil || !resumed || !c.enabled["watch-order"] || ev.Type == rest.Error || ev.Type == rest.Bookmark {
		return
	}
	m, ok := eventMetaOf(ev)
	if !ok {
		return
	}
	rv, err := strconv.ParseInt(m.ResourceVersion, 10, 64)
	if err != nil {
		return
	}
	if last := c.lastRV[streamID]; rv <= last {
		c.err = fmt.Errorf("watch-order: %s's watch stream %d delivered %s %s at resourceVersion %d after %d", to, streamID, ev.Type, m.Name, rv, last)
		return
	}
	c.lastRV[streamID] = rv
}

// eventMeta is the part of an object's metadata the watch-order check reads.
type eventMeta struct {
	Name            string `json:"name"`
	ResourceVersion string `json:"resourceVersion"`
}

// eventMetaOf reads the metadata of ev's object: from the object the
// API server decoded, when the event carries it (read only: it is shared
// with every receiver), else from its encoding.
func eventMetaOf(ev rest.WatchEvent) (eventMeta, bool) {
	if ev.Decoded != nil {
		om := ev.Decoded.GetObjectMeta()
		return eventMeta{Name: om.Name, ResourceVersion: om.ResourceVersion}, true
	}
	return metadataOf(ev.Object)
}

// metadataOf decodes only the metadata of an encoded object: every served
// kind encodes kind and apiVersion, then metadata, first, so decoding the
// one JSON value after "metadata": skips the spec and status (most of the
// bytes) entirely — the check runs on every event delivered to a resumed
// watch.
func metadataOf(obj []byte) (eventMeta, bool) {
	var m eventMeta
	const key = `"metadata":`
	i := bytes.Index(obj, []byte(key))
	if i < 0 {
		return m, false
	}
	if json.NewDecoder(bytes.NewReader(obj[i+len(key):])).Decode(&m) != nil {
		return m, false
	}
	return m, true
}

// podRequests sums a pod's container requests (init containers: the
// largest, if larger than the sum), as the scheduler counts them.
func podRequests(p *api.Pod) api.ResourceList {
	sum := api.ResourceList{}
	add := func(rl api.ResourceList, into api.ResourceList) {
		for k, q := range rl {
			v := into[k]
			v.Add(q)
			into[k] = v
		}
	}
	for _, ctr := range p.Spec.Containers {
		add(ctr.Resources.Requests, sum)
	}
	for _, ctr := range p.Spec.InitContainers {
		for k, q := range ctr.Resources.Requests {
			if q.Cmp(sum[k]) > 0 {
				sum[k] = q
			}
		}
	}
	return sum
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
