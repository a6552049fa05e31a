package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/metrics"
)

// Config configures a Scheduler.
type Config struct {
	Loop   loop.Loop
	Client *client.Client
	// Rand breaks ties between equally good nodes. Same seed, same
	// choices.
	Rand *rand.Rand
	// Name is the scheduler's name ["default-scheduler"]: pods whose
	// spec.schedulerName differs are left to another scheduler.
	Name string
	// Scoring is LeastAllocated (the default: spread pods out) or
	// MostAllocated (bin-pack them).
	Scoring string
	// Schedule, if set, replaces Schedule: the choice of a node for one
	// pod (lab 04 runs a student's filter and score here). Like Schedule
	// it must not modify nodes: they are the scheduler's cache, shared by
	// every cycle until they change (cache.go).
	Schedule func(pod *api.Pod, nodes []*NodeInfo, scoring string, r *rand.Rand) (node string, fitErr *FitError)
	// Metrics is told of every scheduling attempt (metrics.go); nil is
	// the Recorder Loop carries, if any (metrics.From), else Discard.
	Metrics metrics.Recorder
}

// Scheduler assigns pending pods to nodes. Create it with New, then Start
// it; it lives on cfg.Loop.
type Scheduler struct {
	cfg   Config
	nodes *client.Informer[*api.Node]
	pods  *client.Informer[*api.Pod]
	// claims, volumes and classes feed the volume filter (volumes.go).
	claims   *client.Informer[*api.PersistentVolumeClaim]
	volumes  *client.Informer[*api.PersistentVolume]
	classes  *client.Informer[*api.StorageClass]
	queue    *client.Queue
	assumed  *assumeCache
	cache    *nodeCache
	recorder *client.Recorder
	metrics  metrics.Recorder
	// waiting is the result of the last failed attempt of each pod
	// still pending ("unschedulable" or "error"), for
	// scheduler_pending_pods.
	waiting map[string]string
	// nextStart is where the next sampled search begins (sample.go).
	nextStart int
	// snap is the slice snapshot reuses: a thousand-node cluster would
	// otherwise allocate a copy of every node's pointer per pod.
	snap []*NodeInfo
}

// The pod informer's index of pods by spec.nodeName.
const indexNodeName = "nodeName"

// Back-off of a pod that fits nowhere (or whose binding failed). Any change
// to nodes or to pods that frees room retries it at once.
const (
	retryBackoff    = time.Second
	retryMaxBackoff = time.Minute
)

// New returns a scheduler; it does nothing until Start.
func New(cfg Config) *Scheduler {
	if cfg.Name == "" {
		cfg.Name = api.DefaultSchedulerName
	}
	if cfg.Scoring == "" {
		cfg.Scoring = LeastAllocated
	}
	if cfg.Schedule == nil {
		cfg.Schedule = Schedule
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.From(cfg.Loop)
	}
	if cfg.Rand == nil {
		panic("scheduler.New: Config.Rand is nil; pass a seeded *rand.Rand")
	}
	s := &Scheduler{
		cfg:      cfg,
		nodes:    client.NewInformer[*api.Node](cfg.Loop, cfg.Client, "", client.ListOptions{}),
		pods:     client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{}),
		claims:   client.NewInformer[*api.PersistentVolumeClaim](cfg.Loop, cfg.Client, "", client.ListOptions{}),
		volumes:  client.NewInformer[*api.PersistentVolume](cfg.Loop, cfg.Client, "", client.ListOptions{}),
		classes:  client.NewInformer[*api.StorageClass](cfg.Loop, cfg.Client, "", client.ListOptions{}),
		assumed:  newAssumeCache(),
		cache:    newNodeCache(),
		recorder: client.NewRecorder(cfg.Loop, cfg.Client, cfg.Name, ""),
		metrics:  cfg.Metrics,
		waiting:  map[string]string{},
	}
	s.recorder.Offload = true // a Scheduled event per pod must not hold up the next pod
	s.queue = client.NewQueue(cfg.Loop, s.scheduleOne)
	s.queue.Backoff, s.queue.MaxBackoff = retryBackoff, retryMaxBackoff
	s.queue.Metrics = cfg.Metrics
	s.pods.AddIndex(indexNodeName, func(p *api.Pod) []string {
		if p.Spec.NodeName == "" {
			return nil
		}
		return []string{p.Spec.NodeName}
	})
	// The node cache hears of every change first (cache.go).
	s.nodes.AddHandlers(client.Handlers[*api.Node]{
		Add:    func(n *api.Node) { s.cache.markNode(n.Name); s.cache.nodesChanged() },
		Update: func(_, n *api.Node) { s.cache.markNode(n.Name) },
		Delete: func(n *api.Node) { s.cache.markNode(n.Name); s.cache.nodesChanged() },
	})
	s.pods.AddHandlers(client.Handlers[*api.Pod]{
		Add:    func(p *api.Pod) { s.cache.markPod(nil, p) },
		Update: s.cache.markPod,
		Delete: func(p *api.Pod) { s.cache.markPod(nil, p) },
	})
	s.pods.AddHandlers(client.Handlers[*api.Pod]{
		Add:    func(p *api.Pod) { s.podChanged(nil, p) },
		Update: func(old, p *api.Pod) { s.podChanged(old, p) },
		Delete: s.podDeleted,
	})
	s.nodes.AddHandlers(client.Handlers[*api.Node]{
		Add:    func(*api.Node) { s.requeuePending() },
		Update: s.nodeChanged,
	})
	// A claim bound, a volume made: pods waiting on them may fit now.
	s.claims.AddHandlers(client.Handlers[*api.PersistentVolumeClaim]{
		Add: func(*api.PersistentVolumeClaim) { s.requeuePending() },
		Update: func(old, c *api.PersistentVolumeClaim) {
			if old.Spec.VolumeName != c.Spec.VolumeName {
				s.requeuePending()
			}
		},
	})
	s.volumes.AddHandlers(client.Handlers[*api.PersistentVolume]{Add: func(*api.PersistentVolume) { s.requeuePending() }})
	return s
}

// Start starts the informers; pods are scheduled as they appear.
func (s *Scheduler) Start() {
	s.classes.Start()
	s.volumes.Start()
	s.claims.Start()
	s.nodes.Start()
	s.pods.Start()
}

// Stop stops the informers and drops queued work.
func (s *Scheduler) Stop() {
	s.queue.Stop()
	s.nodes.Stop()
	s.pods.Stop()
	s.claims.Stop()
	s.volumes.Stop()
	s.classes.Stop()
}

// pending reports whether pod waits for this scheduler: no node, not being
// deleted, not finished, and ours.
func (s *Scheduler) pending(p *api.Pod) bool {
	name := p.Spec.SchedulerName
	if name == "" {
		name = api.DefaultSchedulerName
	}
	return p.Spec.NodeName == "" && api.IsPodActive(p) && name == s.cfg.Name
}

func (s *Scheduler) podChanged(old, p *api.Pod) {
	key := client.Key(p)
	if p.Spec.NodeName != "" {
		// The informer has caught up with a binding: the cache counts the
		// pod now, so the assumption has done its job.
		s.assumed.forget(key)
	}
	if s.pending(p) {
		s.queue.Add(key)
		s.reportPending()
		return
	}
	if _, ok := s.waiting[key]; ok {
		delete(s.waiting, key)
		s.reportPending()
	}
	if old != nil && p.Spec.NodeName != "" && api.IsPodTerminal(p) && !api.IsPodTerminal(old) {
		s.requeuePending() // a finished pod frees its node
	}
}

func (s *Scheduler) podDeleted(p *api.Pod) {
	s.assumed.forget(client.Key(p))
	if _, ok := s.waiting[client.Key(p)]; ok {
		delete(s.waiting, client.Key(p))
		s.reportPending()
	}
	if p.Spec.NodeName != "" {
		s.requeuePending()
	}
}

// nodeChanged requeues pending pods when a node may take pods it could
// not before. Heartbeats change nodes every few seconds; they do not count.
func (s *Scheduler) nodeChanged(old, n *api.Node) {
	if nodeSummary(old) != nodeSummary(n) {
		s.requeuePending()
	}
}

// nodeSummary is what the filters read of a node, as a comparable string.
func nodeSummary(n *api.Node) string {
	ni := NewNodeInfo(n)
	var b strings.Builder
	fmt.Fprintf(&b, "%v %v %+v|", ni.ready, n.Spec.Unschedulable, ni.Allocatable)
	for _, t := range n.Spec.Taints {
		fmt.Fprintf(&b, "%s=%s:%s,", t.Key, t.Value, t.Effect) // not TimeAdded, a pointer
	}
	b.WriteString("|")
	for _, k := range sortedLabelKeys(n.Labels) {
		fmt.Fprintf(&b, "%s=%s,", k, n.Labels[k])
	}
	return b.String()
}

// requeuePending queues every pending pod, in key order.
func (s *Scheduler) requeuePending() {
	for _, p := range s.pods.List(api.Everything()) {
		if s.pending(p) {
			s.queue.Add(client.Key(p))
		}
	}
}

// errUnsynced asks the queue to retry a pod until the caches are loaded:
// scheduling against an empty node list would only record noise.
var errUnsynced = errors.New("scheduler: caches not loaded yet")

// scheduleOne is one scheduling cycle for the pod with key: snapshot the
// nodes, filter and score them, assume the pod on the winner, bind it. An
// error asks the queue to retry the pod with back-off. Each cycle that
// tries a pod is counted by its result (metrics.go).
//
// The binding is offloaded (loop.Offload), as kube-scheduler binds in a
// goroutine of its own while it schedules the next pod: on a real-time
// loop the cycle returns client.ErrInFlight as soon as the pod is assumed,
// and bindDone finishes it when the API has answered; the assumption
// counts the pod on its node meanwhile, and a cycle of the same pod leaves
// it alone. On the simulator's loop the binding is done before the cycle
// returns, exactly as a direct call.
func (s *Scheduler) scheduleOne(key string) error {
	if !s.nodes.HasSynced() || !s.pods.HasSynced() || !s.claims.HasSynced() || !s.volumes.HasSynced() || !s.classes.HasSynced() {
		return errUnsynced
	}
	ns, name := client.SplitKey(key)
	pod, ok := s.pods.Get(ns, name)
	if !ok || !s.pending(pod) {
		return nil
	}
	now := s.cfg.Loop.Now()
	s.assumed.expire(now)
	if a, ok := s.assumed.get(key); ok && (a.bound || a.binding) {
		// Bound, or being bound; the informer has yet to show it.
		return s.observe(key, now, nil)
	}
	nodes := s.snapshot(key)
	needs := s.volumeNeeds(pod)
	node, fitErr := s.scheduleWithVolumes(pod, nodes, &needs)
	if fitErr != nil {
		s.unschedulable(pod, fitErr)
		return s.observe(key, now, fitErr)
	}
	if err := s.selectNode(&needs, node); err != nil {
		return s.observe(key, now, err)
	}
	a := s.assumed.assume(key, pod, node, now.Add(assumeTimeout))
	a.binding = true
	var (
		bindErr  error
		returned bool // scheduleOne has returned: the binding was offloaded
		done     bool
		result   error
	)
	loop.Offload(s.cfg.Loop,
		func() {
			bindErr = client.Bind(context.Background(), s.cfg.Client, pod.Namespace, pod.Name, pod.UID, node)
		},
		func() {
			a.binding = false
			result = s.observe(key, now, s.bindDone(key, pod, node, bindErr))
			done = true
			if returned {
				s.queue.Finish(key, result)
			}
		})
	returned = true
	if !done {
		return client.ErrInFlight
	}
	return result
}

// observe counts an attempt of key, begun at start, by how it ended (err),
// and returns err.
func (s *Scheduler) observe(key string, start time.Time, err error) error {
	result := resultScheduled
	var fitErr *FitError
	switch {
	case errors.As(err, &fitErr):
		result = resultUnschedulable
	case err != nil:
		result = resultError
	}
	s.observeAttempt(key, result, s.cfg.Loop.Now().Sub(start).Seconds())
	return err
}

// bindDone acts on the answer to the binding of pod (key) to node, and
// returns the error that asks the queue to retry the pod, if any.
func (s *Scheduler) bindDone(key string, pod *api.Pod, node string, err error) error {
	var status *api.StatusError
	switch {
	case err == nil:
		if a, ok := s.assumed.get(key); ok {
			a.bound = true
		}
		s.recorder.Eventf(pod, client.EventNormal, EventScheduled, "Successfully assigned %s/%s to %s", pod.Namespace, pod.Name, node)
		return nil
	case api.IsConflict(err) || api.IsNotFound(err):
		// Bound already (by an earlier attempt whose answer was lost, or
		// by someone else), deleted, or replaced: nothing to schedule.
		s.assumed.forget(key)
		s.assumeWhereBound(key, pod)
		return nil
	case errors.As(err, &status):
		s.assumed.forget(key) // the server said no: the pod is not bound
		return err
	default:
		// No answer: the pod may be bound. Keep counting it on node until
		// the informer tells, the next attempt replaces the assumption, or
		// it expires.
		return err
	}
}

// assumeWhereBound asks the API where a pod that its Bind found already
// bound went, and counts it there until the informer shows it: when an
// earlier Bind's answer was lost, this scheduler bound it itself, and the
// node must not look emptier than it is in the meantime.
func (s *Scheduler) assumeWhereBound(key string, pod *api.Pod) {
	cur, err := client.For[*api.Pod](s.cfg.Client).Get(context.Background(), pod.Namespace, pod.Name)
	if err != nil || cur.UID != pod.UID || cur.Spec.NodeName == "" || api.IsPodTerminal(cur) {
		return
	}
	a := s.assumed.assume(key, cur, cur.Spec.NodeName, s.cfg.Loop.Now().Add(assumeTimeout))
	a.bound = true
}

// snapshot returns a NodeInfo per node not being deleted, in name order,
// counting the pods the informer shows bound to it (unless finished) and
// the assumed ones. skip is the key of the pod being scheduled: an earlier
// assumption of it does not count against it.
//
// The informer's part comes from the node cache (cache.go), rebuilt only
// where something changed; a node that also has assumed pods is cloned
// before they are added, so the cache never holds them.
func (s *Scheduler) snapshot(skip string) []*NodeInfo {
	base := s.cache.refresh(s.nodeInfo, s.nodeNames)
	s.snap = append(s.snap[:0], base...) // valid until the next snapshot
	infos := s.snap
	for _, k := range s.assumed.keys() {
		if k == skip {
			continue
		}
		a, _ := s.assumed.get(k)
		ns, name := client.SplitKey(k)
		if p, ok := s.pods.Get(ns, name); ok && p.Spec.NodeName != "" {
			continue // the informer counts it already
		}
		i, ok := s.cache.pos[a.node]
		if !ok {
			continue
		}
		if infos[i] == base[i] {
			infos[i] = infos[i].clone()
		}
		infos[i].AddAssumedPod(a.pod)
	}
	return infos
}

// nodeInfo builds the NodeInfo of node name from the informers: the node
// and its unfinished pods in key order; nil if there is no such node.
func (s *Scheduler) nodeInfo(name string) *NodeInfo {
	n, ok := s.nodes.Get("", name)
	if !ok {
		return nil
	}
	ni := NewNodeInfo(n)
	for _, p := range s.pods.ByIndex(indexNodeName, n.Name) {
		if !api.IsPodTerminal(p) {
			ni.AddPod(p)
		}
	}
	return ni
}

// nodeNames returns the names of the nodes the informer holds, sorted.
func (s *Scheduler) nodeNames() []string {
	nodes := s.nodes.List(api.Everything())
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Name
	}
	return out
}

// unschedulable tells the pod's owner why it waits: a FailedScheduling
// event, and the PodScheduled condition False with reason Unschedulable.
// The condition is written only when it changes, so a pod retried every
// minute does not rewrite its status every minute.
func (s *Scheduler) unschedulable(pod *api.Pod, fitErr *FitError) {
	msg := fitErr.Error()
	s.recorder.Eventf(pod, client.EventWarning, EventFailedScheduling, "%s", msg)
	if c := pod.Status.FindCondition(api.PodScheduled); c != nil &&
		c.Status == api.ConditionFalse && c.Reason == "Unschedulable" && c.Message == msg {
		return
	}
	cp := *pod
	cp.Status.Conditions = append([]api.PodCondition(nil), pod.Status.Conditions...)
	cond := api.PodCondition{Type: api.PodScheduled, Status: api.ConditionFalse, Reason: "Unschedulable",
		Message: msg, LastTransitionTime: api.NewTime(s.cfg.Loop.Now())}
	if c := cp.Status.FindCondition(api.PodScheduled); c != nil {
		if c.Status == api.ConditionFalse {
			cond.LastTransitionTime = c.LastTransitionTime
		}
		*c = cond
	} else {
		cp.Status.Conditions = append(cp.Status.Conditions, cond)
	}
	// A failed write is retried with the pod: the next cycle finds the
	// condition still unwritten.
	client.For[*api.Pod](s.cfg.Client).UpdateStatus(context.Background(), &cp, client.WriteOptions{})
}

func sortedLabelKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
