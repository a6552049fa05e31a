package cluster

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/kubelet"
)

// Result is the verdict of one run.
type Result struct {
	Scenario string
	Seed     uint64
	// Violation is the first invariant broken, or nil.
	Violation error
	// At is the virtual time of the violation (or of the end).
	At time.Duration
	// Converged is how long after the last fault liveness first held
	// (-1 when it was not checked or never held).
	Converged time.Duration
	TraceHash uint64
	Steps     uint64
	Calls     int
	// Expect is the scenario's expectViolation: the invariant the
	// scenario is built to break ("" for an ordinary scenario).
	Expect string
}

// AsExpected reports whether the run did what its scenario says: broke
// nothing, or — for a demonstration that expects a violation — broke
// exactly the invariant it names.
func (r Result) AsExpected() bool {
	if r.Expect == "" {
		return r.Violation == nil
	}
	return r.Violation != nil && strings.HasPrefix(r.Violation.Error(), r.Expect+":")
}

// livenessPoll is how often liveness is checked after the last fault.
const livenessPoll = 500 * time.Millisecond

// Run runs the scenario to its end (or to its liveness deadline, if that
// is later) and returns the verdict.
func (c *Cluster) Run() Result {
	w, s := c.W, c.Scenario
	c.converged = -1
	end := s.Duration.Duration
	if within := s.Liveness.Within.Duration; within > 0 {
		deadline := c.lastFault + within
		if deadline > end {
			end = deadline
		}
		var poll func()
		poll = func() {
			if c.converged >= 0 || w.Failed() != nil {
				return
			}
			err := c.live()
			if err == nil {
				c.converged = w.Elapsed() - c.lastFault
				w.Trace.Note("check", "liveness holds, %v after the last fault", c.converged)
				return
			}
			if w.Elapsed() >= deadline {
				w.Fail(fmt.Errorf("liveness: %v after the last fault (at %v) the cluster has not converged: %v", within, c.lastFault, err))
				return
			}
			w.Loop.After(livenessPoll, poll)
		}
		// Start after everything already due at that instant (the heal of
		// the last partition among it).
		w.At(c.lastFault, func() { w.Loop.After(0, poll) })
	}
	w.RunFor(end)
	if w.Failed() == nil {
		if err := c.expectedEvents(); err != nil {
			w.Fail(err)
		}
	}
	if w.Failed() == nil {
		if err := c.checkHistory(); err != nil {
			w.Fail(err)
		}
	}
	return Result{Scenario: s.Name, Seed: w.Seed, Violation: w.Failed(), At: w.Elapsed(), Converged: c.converged,
		TraceHash: w.Trace.Hash(), Steps: w.Loop.Steps, Calls: w.Net.Calls, Expect: s.ExpectViolation}
}

// live checks the liveness promise: every ReplicaSet has its replicas
// ready; every pod that can run somewhere runs and is ready; no node that
// is up runs a container of a pod that is gone.
func (c *Cluster) live() error {
	ctx := context.Background()
	rss, err := client.For[*api.ReplicaSet](c.Admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return err
	}
	pods, err := client.For[*api.Pod](c.Admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return err
	}
	nodes, err := client.For[*api.Node](c.Admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return err
	}
	// What really runs: the API's view of a pod on a dead node lags until
	// the node controller acts, so liveness asks the machines themselves.
	running := map[string]string{} // pod uid -> node actually running it
	for _, n := range c.Nodes {
		if !n.Machine.Up() || n.Runtime == nil {
			continue
		}
		for _, ctr := range n.Runtime.Running() {
			running[ctr.Labels[kubelet.LabelPodUID]] = n.Name
		}
	}
	// A ReplicaSet is satisfied when it has its replicas really running
	// (its status, which lags, must agree too).
	serving := map[string]int32{} // owner uid -> replicas running and ready
	for _, p := range pods.Items {
		if ref := p.ControllerRef(); ref != nil && p.DeletionTimestamp == nil && p.Status.Phase == api.PodRunning &&
			api.IsPodReady(p) && p.Spec.NodeName != "" && running[p.UID] == p.Spec.NodeName {
			serving[ref.UID]++
		}
	}
	for _, rs := range rss.Items {
		want := int32(1)
		if rs.Spec.Replicas != nil {
			want = *rs.Spec.Replicas
		}
		if rs.DeletionTimestamp != nil {
			continue
		}
		if serving[rs.UID] != want {
			return fmt.Errorf("replicaset %s/%s has %d of %d replicas running and ready", rs.Namespace, rs.Name, serving[rs.UID], want)
		}
		if rs.Status.ReadyReplicas != want || rs.Status.Replicas != want {
			return fmt.Errorf("replicaset %s/%s reports %d/%d ready (%d exist), though %d run", rs.Namespace, rs.Name, rs.Status.ReadyReplicas, want, rs.Status.Replicas, serving[rs.UID])
		}
	}
	deps, err := client.For[*api.Deployment](c.Admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return err
	}
	for _, d := range deps.Items {
		want := int32(1)
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		st := d.Status
		if d.DeletionTimestamp == nil && !d.Spec.Paused && (st.ObservedGeneration != d.Generation || st.UpdatedReplicas != want || st.AvailableReplicas != want || st.Replicas != want) {
			return fmt.Errorf("deployment %s/%s has rolled out %d updated, %d available, %d total of %d (observed generation %d of %d)",
				d.Namespace, d.Name, st.UpdatedReplicas, st.AvailableReplicas, st.Replicas, want, st.ObservedGeneration, d.Generation)
		}
	}
	// Nothing outlives its owners: once the faults are over the garbage
	// collector must have removed every dependent whose owners are gone.
	uids := map[string]bool{}
	for _, d := range deps.Items {
		uids[d.UID] = true
	}
	for _, rs := range rss.Items {
		uids[rs.UID] = true
	}
	if err := c.jobOwners(uids); err != nil {
		return err
	}
	c.daemonSetUIDs(uids)
	if err := c.statefulSetsLive(pods.Items, running, uids); err != nil {
		return err
	}
	orphaned := func(kind string, m *api.ObjectMeta) error {
		if len(m.OwnerReferences) == 0 {
			return nil
		}
		for _, ref := range m.OwnerReferences {
			if uids[ref.UID] {
				return nil
			}
		}
		return fmt.Errorf("%s %s/%s outlives its owner %s %s", kind, m.Namespace, m.Name, m.OwnerReferences[0].Kind, m.OwnerReferences[0].Name)
	}
	for _, rs := range rss.Items {
		if err := orphaned("replicaset", &rs.ObjectMeta); err != nil {
			return err
		}
	}
	for _, p := range pods.Items {
		if err := orphaned("pod", &p.ObjectMeta); err != nil && p.DeletionTimestamp == nil {
			return err
		}
	}
	exists := map[string]bool{}
	for _, p := range pods.Items {
		exists[p.UID] = true
		if p.DeletionTimestamp != nil || p.Status.Phase == api.PodSucceeded || p.Status.Phase == api.PodFailed {
			continue
		}
		if p.Spec.NodeName == "" {
			if fitsSomewhere(p, nodes.Items, pods.Items) {
				return fmt.Errorf("pod %s/%s is pending although node %s has room for it", p.Namespace, p.Name, firstFit(p, nodes.Items, pods.Items))
			}
			continue
		}
		if p.Status.Phase != api.PodRunning || !api.IsPodReady(p) {
			return fmt.Errorf("pod %s/%s on %s is %s, not Running and Ready", p.Namespace, p.Name, p.Spec.NodeName, p.Status.Phase)
		}
		if running[p.UID] != p.Spec.NodeName {
			return fmt.Errorf("pod %s/%s is reported Running on %s, but no container of it runs there", p.Namespace, p.Name, p.Spec.NodeName)
		}
	}
	for _, n := range c.Nodes {
		if !n.Machine.Up() || c.W.Net.Cut(n.Kubelet.Name) || n.Runtime == nil {
			continue
		}
		_, ctrs, err := n.Runtime.List()
		if err != nil {
			return err
		}
		for _, ctr := range ctrs {
			uid := ctr.Labels["tinykube.io/pod-uid"]
			if ctr.State == "running" && !exists[uid] {
				return fmt.Errorf("node %s still runs container %s of pod uid %s, which no longer exists", n.Name, ctr.Name, uid)
			}
		}
	}
	if err := c.cronJobsLive(); err != nil {
		return err
	}
	if err := c.jobsLive(); err != nil {
		return err
	}
	if err := c.daemonSetsLive(pods.Items, nodes.Items, running); err != nil {
		return err
	}
	return c.servicesLive(pods.Items)
}

// fitsSomewhere reports whether some schedulable, ready node has room for
// p. It is deliberately independent of the scheduler's code, so that a
// scheduler that wrongly calls a pod unschedulable is caught.
func fitsSomewhere(p *api.Pod, nodes []*api.Node, pods []*api.Pod) bool {
	return firstFit(p, nodes, pods) != ""
}

func firstFit(p *api.Pod, nodes []*api.Node, pods []*api.Pod) string {
	req := podRequests(p)
	for _, n := range nodes {
		if n.Spec.Unschedulable || !nodeReady(n) || untoleratedTaint(p, n) {
			continue
		}
		if !api.SelectorFromSet(p.Spec.NodeSelector).Matches(n.Labels) {
			continue
		}
		var cpu, mem, count int64
		for _, q := range pods {
			if q.Spec.NodeName == n.Name && q.Status.Phase != api.PodSucceeded && q.Status.Phase != api.PodFailed {
				r := podRequests(q)
				cpu += r.Cpu().MilliValue()
				mem += r.Memory().Value()
				count++
			}
		}
		a := n.Status.Allocatable
		if cpu+req.Cpu().MilliValue() <= a.Cpu().MilliValue() && mem+req.Memory().Value() <= a.Memory().Value() &&
			(a.Pods().IsZero() || count+1 <= a.Pods().Value()) {
			return n.Name
		}
	}
	return ""
}

func nodeReady(n *api.Node) bool {
	c := n.Status.FindCondition(api.NodeReady)
	return c != nil && c.Status == api.ConditionTrue
}

func untoleratedTaint(p *api.Pod, n *api.Node) bool {
	for _, t := range n.Spec.Taints {
		if t.Effect != api.TaintNoSchedule && t.Effect != api.TaintNoExecute {
			continue
		}
		tolerated := false
		for _, tol := range p.Spec.Tolerations {
			if (tol.Key == "" && tol.Operator == "Exists") ||
				(tol.Key == t.Key && (tol.Operator == "Exists" || tol.Value == t.Value) && (tol.Effect == "" || tol.Effect == t.Effect)) {
				tolerated = true
			}
		}
		if !tolerated {
			return true
		}
	}
	return false
}

// expectedEvents checks the scenario's expected events exist.
func (c *Cluster) expectedEvents() error {
	if len(c.Scenario.Expect) == 0 {
		return nil
	}
	evs, err := client.For[*api.Event](c.Admin).List(context.Background(), "", client.ListOptions{})
	if err != nil {
		return err
	}
	for _, want := range c.Scenario.Expect {
		found := false
		var seen []string
		for _, e := range evs.Items {
			if e.Reason == want.Reason {
				seen = append(seen, e.Message)
				if strings.Contains(e.Message, want.MessageContains) {
					found = true
				}
			}
		}
		if !found {
			sort.Strings(seen)
			return fmt.Errorf("expected event: no %s event containing %q (saw %d %s events: %q)", want.Reason, want.MessageContains, len(seen), want.Reason, seen)
		}
	}
	return nil
}

// Replay returns the command that replays a run.
func Replay(scenarioPath string, seed uint64) string {
	return fmt.Sprintf("tinykube sim run %s --seed %d --timeline", scenarioPath, seed)
}
