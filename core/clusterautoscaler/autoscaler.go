package clusterautoscaler

import (
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/scheduler"
)

// Config is what the autoscaler needs from its world.
type Config struct {
	Loop     loop.Loop
	Client   *client.Client
	Recorder *client.Recorder
	// Provider is the cloud. Required.
	Provider CloudProvider
	Options  Options
	// ScaleUp and ScaleDown replace PlanScaleUp and PlanScaleDown (nil:
	// those), and Evict the eviction of one pod (nil: through the
	// eviction subresource). They are the seams the simulator's broken
	// variants use; nothing in core is broken on purpose.
	ScaleUp   func(ScaleUpInput) ScaleUpPlan
	ScaleDown func(ScaleDownInput) ([]Removal, map[string]string)
	Evict     func(c *client.Client, pod *api.Pod) error
}

// Autoscaler is the cluster autoscaler. Create it with New, then Start it;
// it lives on cfg.Loop.
type Autoscaler struct {
	cfg   Config
	opts  Options
	nodes *client.Informer[*api.Node]
	pods  *client.Informer[*api.Pod]
	pdbs  *client.Informer[*api.PodDisruptionBudget]
	timer loop.Timer

	// unneededSince is when each node was first seen unneeded (and has
	// been at every pass since).
	unneededSince map[string]time.Time
	// upcomingSince is, per group, when it began to wait for nodes asked
	// for; backoff says until when a group is left alone and for how
	// long next time.
	upcomingSince map[string]time.Time
	backoff       map[string]backoffState
	// draining are the nodes being removed, by name.
	draining map[string]*drain
	// lastScaleUp and lastScaleDownFailure start the scale-down delays.
	lastScaleUp, lastScaleDownFailure time.Time
	// notified remembers the NotTriggerScaleUp message each pod was last
	// given, so that a pod hears each answer once.
	notified map[string]string
	// cleaned: the taints a previous incarnation left were removed.
	cleaned bool
	status  status
	// Passes counts the passes run (a test's clock).
	Passes int
}

type backoffState struct {
	until time.Time
	next  time.Duration
}

// indexNode indexes pods by spec.nodeName.
const indexNode = "nodeName"

// New returns an autoscaler; it does nothing until Start.
func New(cfg Config) *Autoscaler {
	if cfg.Provider == nil {
		panic("clusterautoscaler.New: Config.Provider is nil; the autoscaler needs a cloud to scale")
	}
	if cfg.ScaleUp == nil {
		cfg.ScaleUp = PlanScaleUp
	}
	if cfg.ScaleDown == nil {
		cfg.ScaleDown = PlanScaleDown
	}
	if cfg.Evict == nil {
		cfg.Evict = Evict
	}
	a := &Autoscaler{
		cfg: cfg, opts: cfg.Options.withDefaults(),
		nodes:         client.NewInformer[*api.Node](cfg.Loop, cfg.Client, "", client.ListOptions{}),
		pods:          client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{}),
		pdbs:          client.NewInformer[*api.PodDisruptionBudget](cfg.Loop, cfg.Client, "", client.ListOptions{}),
		unneededSince: map[string]time.Time{},
		upcomingSince: map[string]time.Time{},
		backoff:       map[string]backoffState{},
		draining:      map[string]*drain{},
		notified:      map[string]string{},
	}
	a.pods.AddIndex(indexNode, func(p *api.Pod) []string {
		if p.Spec.NodeName == "" {
			return nil
		}
		return []string{p.Spec.NodeName}
	})
	return a
}

// Start starts the informers and the scan timer.
func (a *Autoscaler) Start() {
	a.pdbs.Start()
	a.pods.Start()
	a.nodes.Start()
	a.timer = a.cfg.Loop.After(a.opts.ScanInterval, a.tick)
}

// Stop stops the scans and the informers; a drain in progress is left as
// it is (the next incarnation removes its taint).
func (a *Autoscaler) Stop() {
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
	a.nodes.Stop()
	a.pods.Stop()
	a.pdbs.Stop()
}

func (a *Autoscaler) tick() {
	if a.timer == nil {
		return
	}
	if a.nodes.HasSynced() && a.pods.HasSynced() && a.pdbs.HasSynced() {
		a.RunOnce()
	}
	a.timer = a.cfg.Loop.After(a.opts.ScanInterval, a.tick)
}

// view is what one pass sees of the cluster, from the caches.
type view struct {
	now    time.Time
	groups []NodeGroup
	// groupOf names each registered node's group ("" for none);
	// registered counts a group's Node objects.
	groupOf    map[string]string
	registered map[string]int
	upcoming   map[string]int
	nodes      []*api.Node // in name order
	// usable are the nodes pods may run on: Ready, schedulable and not
	// being removed.
	usable map[string]bool
}

// RunOnce is one pass: give up on nodes that never came, carry on the
// drains, scale up for unschedulable pods, scale down unneeded nodes, and
// write the status. The scan timer calls it every ScanInterval.
//
// Contract: called on the loop with synced caches. Every API write it
// makes is best effort: a failure is retried by a later pass.
func (a *Autoscaler) RunOnce() {
	a.Passes++
	v := a.observe()
	if !a.cleaned {
		a.cleanTaints(v)
		a.cleaned = true
	}
	a.giveUpOnLateNodes(v)
	a.continueDrains(v)
	scaledUp := a.scaleUp(v)
	a.scaleDown(v, scaledUp)
	a.writeStatus(v)
}

// observe builds the pass's view.
func (a *Autoscaler) observe() *view {
	v := &view{now: a.cfg.Loop.Now(), groups: a.cfg.Provider.NodeGroups(), groupOf: map[string]string{},
		registered: map[string]int{}, upcoming: map[string]int{}, usable: map[string]bool{}}
	v.nodes = a.nodes.List(api.Everything())
	slices.SortFunc(v.nodes, func(x, y *api.Node) int { return cmpString(x.Name, y.Name) })
	for _, n := range v.nodes {
		g := a.cfg.Provider.NodeGroupForNode(n)
		v.groupOf[n.Name] = g
		if g != "" {
			v.registered[g]++
		}
		if isReady(n) && !n.Spec.Unschedulable && !hasTaint(n, ToBeDeletedTaint) && a.draining[n.Name] == nil {
			v.usable[n.Name] = true
		}
	}
	for _, g := range v.groups {
		v.upcoming[g.ID] = max(0, g.TargetSize-v.registered[g.ID])
	}
	return v
}

// giveUpOnLateNodes takes back the request for nodes a group has waited
// on for longer than MaxNodeProvisionTime, and backs the group off:
// InitialBackoff the first time, twice as long each time after, up to
// MaxBackoff. The wait is timed from the oldest outstanding request.
func (a *Autoscaler) giveUpOnLateNodes(v *view) {
	for _, g := range v.groups {
		n := v.upcoming[g.ID]
		since, waiting := a.upcomingSince[g.ID]
		switch {
		case n == 0:
			delete(a.upcomingSince, g.ID)
		case !waiting:
			a.upcomingSince[g.ID] = v.now
		case v.now.Sub(since) > a.opts.MaxNodeProvisionTime:
			if err := a.cfg.Provider.DecreaseTargetSize(g.ID, n); err != nil {
				continue // asked again next pass
			}
			b := a.backoff[g.ID]
			if b.next == 0 {
				b.next = a.opts.InitialBackoff
			}
			b.until = v.now.Add(b.next)
			b.next = min(2*b.next, a.opts.MaxBackoff)
			a.backoff[g.ID] = b
			delete(a.upcomingSince, g.ID)
			v.upcoming[g.ID] = 0
		}
	}
}

// scaleUp grows a group for the unschedulable pods, if one would help,
// and reports whether it did.
func (a *Autoscaler) scaleUp(v *view) bool {
	var pending []*api.Pod
	for _, p := range a.pods.List(api.Everything()) {
		if unschedulable(p) {
			pending = append(pending, p)
		}
	}
	slices.SortFunc(pending, func(x, y *api.Pod) int {
		if c := created(x).Compare(created(y)); c != 0 {
			return c
		}
		return cmpString(x.Namespace+"/"+x.Name, y.Namespace+"/"+y.Name)
	})
	backedOff := map[string]bool{}
	for id, b := range a.backoff {
		if v.now.Before(b.until) {
			backedOff[id] = true
		}
	}
	in := ScaleUpInput{Pending: pending, Nodes: a.infos(v), Groups: v.groups, Upcoming: v.upcoming, BackedOff: backedOff}
	plan := a.cfg.ScaleUp(in)
	a.status.pending, a.status.plan = len(pending), plan
	for _, p := range pending {
		if why, ok := plan.NoGroup[p]; ok && a.notified[p.UID] != why {
			a.notified[p.UID] = why
			a.cfg.Recorder.Eventf(p, client.EventNormal, "NotTriggerScaleUp", "pod didn't trigger scale-up: %s", why)
		}
	}
	if plan.Group == "" || plan.Delta <= 0 {
		return false
	}
	g := groupByID(v.groups, plan.Group)
	if err := a.cfg.Provider.IncreaseSize(plan.Group, plan.Delta); err != nil {
		a.status.plan = ScaleUpPlan{}
		return false
	}
	a.lastScaleUp = v.now
	for i := range v.groups { // the rest of the pass sees the new target
		if v.groups[i].ID == plan.Group {
			v.groups[i].TargetSize += plan.Delta
			v.upcoming[plan.Group] += plan.Delta
		}
	}
	if _, ok := a.upcomingSince[plan.Group]; !ok {
		a.upcomingSince[plan.Group] = v.now
	}
	for _, p := range plan.Helped {
		delete(a.notified, p.UID)
		a.cfg.Recorder.Eventf(p, client.EventNormal, "TriggeredScaleUp", "pod triggered scale-up: [{%s %d->%d (max: %d)}]",
			g.ID, g.TargetSize, g.TargetSize+plan.Delta, g.MaxSize)
	}
	return true
}

// infos returns a NodeInfo per usable node, in name order, with the pods
// bound there counted.
func (a *Autoscaler) infos(v *view) []*scheduler.NodeInfo {
	var out []*scheduler.NodeInfo
	for _, n := range v.nodes {
		if !v.usable[n.Name] {
			continue
		}
		ni := scheduler.NewNodeInfo(n)
		for _, p := range a.podsOn(n.Name) {
			if !api.IsPodTerminal(p) {
				ni.AddPod(p)
			}
		}
		out = append(out, ni)
	}
	return out
}

// podsOn returns the pods bound to node, in name order.
func (a *Autoscaler) podsOn(node string) []*api.Pod {
	pods := a.pods.ByIndex(indexNode, node)
	slices.SortFunc(pods, func(x, y *api.Pod) int { return cmpString(x.Namespace+"/"+x.Name, y.Namespace+"/"+y.Name) })
	return pods
}

// scaleDown tracks which nodes are unneeded and, outside the delays after
// a scale-up or a failed removal, starts removing those unneeded for
// ScaleDownUnneededTime.
func (a *Autoscaler) scaleDown(v *view, scaledUp bool) {
	in := ScaleDownInput{Nodes: map[string]*api.Node{}, Pods: map[string][]*api.Pod{}, GroupOf: map[string]string{},
		Removable: map[string]int{}, PDBs: a.pdbs.List(api.Everything())}
	slices.SortFunc(in.PDBs, func(x, y *api.PodDisruptionBudget) int {
		return cmpString(x.Namespace+"/"+x.Name, y.Namespace+"/"+y.Name)
	})
	var low []string
	for _, n := range v.nodes {
		if !v.usable[n.Name] {
			continue
		}
		in.Nodes[n.Name], in.Pods[n.Name] = n, a.podsOn(n.Name)
		in.Order = append(in.Order, n.Name)
		g := v.groupOf[n.Name]
		if g == "" || n.Annotations[ScaleDownDisabledAnnotation] == "true" {
			continue
		}
		ni := scheduler.NewNodeInfo(n)
		for _, p := range in.Pods[n.Name] {
			if !api.IsPodTerminal(p) {
				ni.AddPod(p)
			}
		}
		if Utilization(ni) < a.opts.ScaleDownUtilizationThreshold {
			low = append(low, n.Name)
			in.GroupOf[n.Name] = g
		}
	}
	for _, g := range v.groups {
		going := 0
		for _, d := range a.draining {
			if d.group == g.ID {
				going++
			}
		}
		in.Removable[g.ID] = min(g.TargetSize, v.registered[g.ID]) - going - g.MinSize
	}
	// Unneeded: low and removable, judged all together with no limit.
	all := in
	all.Candidates, all.MaxEmpty, all.MaxDrain = low, len(low), len(low)
	removals, _ := a.cfg.ScaleDown(all)
	unneeded := map[string]bool{}
	for _, r := range removals {
		unneeded[r.Node] = true
		if _, ok := a.unneededSince[r.Node]; !ok {
			a.unneededSince[r.Node] = v.now
		}
	}
	for n := range a.unneededSince {
		if !unneeded[n] {
			delete(a.unneededSince, n)
		}
	}
	var ripe []string
	for _, n := range low {
		if since, ok := a.unneededSince[n]; ok && v.now.Sub(since) >= a.opts.ScaleDownUnneededTime {
			ripe = append(ripe, n)
		}
	}
	cooldown := scaledUp || v.now.Sub(a.lastScaleUp) < a.opts.ScaleDownDelayAfterAdd && !a.lastScaleUp.IsZero() ||
		v.now.Sub(a.lastScaleDownFailure) < a.opts.ScaleDownDelayAfterFailure && !a.lastScaleDownFailure.IsZero() ||
		len(a.draining) > 0
	a.status.unneeded, a.status.cooldown = unneeded, cooldown
	if cooldown || len(ripe) == 0 {
		return
	}
	in.Candidates, in.MaxEmpty, in.MaxDrain = ripe, a.opts.MaxEmptyBulkDelete, 1
	removals, _ = a.cfg.ScaleDown(in)
	for _, r := range removals {
		a.startDrain(v, r)
	}
}

// unschedulable reports whether the scheduler found no node for p: not
// bound, not going, and PodScheduled False for reason Unschedulable.
func unschedulable(p *api.Pod) bool {
	if p.Spec.NodeName != "" || p.DeletionTimestamp != nil || api.IsPodTerminal(p) {
		return false
	}
	c := p.Status.FindCondition(api.PodScheduled)
	return c != nil && c.Status == api.ConditionFalse && c.Reason == "Unschedulable"
}

// created is when p was created (the zero time if unknown).
func created(p *api.Pod) time.Time {
	if p.CreationTimestamp == nil {
		return time.Time{}
	}
	return p.CreationTimestamp.Time
}

func isReady(n *api.Node) bool {
	c := n.Status.FindCondition(api.NodeReady)
	return c != nil && c.Status == api.ConditionTrue
}

func hasTaint(n *api.Node, key string) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key {
			return true
		}
	}
	return false
}

func groupByID(groups []NodeGroup, id string) NodeGroup {
	for _, g := range groups {
		if g.ID == id {
			return g
		}
	}
	return NodeGroup{ID: id}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
