package cluster

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/kubelet"
)

// livenessChecks are the liveness promise, checked in this order by every
// poll once the faults are over; the first that fails is the poll's
// verdict. Each returns a plain statement of what is not (yet) so, or nil.
// The order is part of the run: the checks read through the admin client,
// whose calls a run with history: true records.
var livenessChecks = []func(c *Cluster, v *liveView) error{
	(*Cluster).replicaSetsLive,
	(*Cluster).deploymentsLive,
	(*Cluster).liveOwners,
	(*Cluster).statefulSetsLive, // statefulset.go
	(*Cluster).orphansLive,
	(*Cluster).claimsLive, // storage.go
	(*Cluster).podsLive,
	(*Cluster).strayContainersLive,
	(*Cluster).cronJobsLive,   // cronjob.go
	(*Cluster).jobsLive,       // job.go
	(*Cluster).daemonSetsLive, // daemonset.go
	(*Cluster).servicesLive,   // services.go
	// Last: it reads the store, not the API, so it adds no call.
	(*Cluster).customResourcesLive, // customresources.go
	(*Cluster).operatorsLive,       // operators.go
	(*Cluster).autoscalersLive,     // autoscaling.go
}

// liveView is what the checks of one liveness poll share: the objects
// listed when it began, what the machines really run, and what earlier
// checks found.
type liveView struct {
	rss   []*api.ReplicaSet
	pods  []*api.Pod
	nodes []*api.Node
	// running maps a pod's uid to the node whose machine really runs a
	// container of it. The API's view of a pod on a dead node lags until
	// the node controller acts, so liveness asks the machines themselves.
	running map[string]string
	// deps are the Deployments, listed by the deployments check.
	deps []*api.Deployment
	// owners holds the uids of the live owners found so far: the orphan
	// check accepts their dependents.
	owners map[string]bool
}

// live checks the liveness promise: it runs livenessChecks in order and
// returns the first failure, or nil when everything has converged. Runs on
// the world's loop.
func (c *Cluster) live() error {
	v, err := c.observe()
	if err != nil {
		return err
	}
	for _, check := range livenessChecks {
		if err := check(c, v); err != nil {
			return err
		}
	}
	return nil
}

// observe lists the ReplicaSets, pods and nodes and asks every machine
// that is up what it runs, for one liveness poll.
func (c *Cluster) observe() (*liveView, error) {
	ctx := context.Background()
	rss, err := client.For[*api.ReplicaSet](c.Admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return nil, err
	}
	pods, err := client.For[*api.Pod](c.Admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return nil, err
	}
	nodes, err := client.For[*api.Node](c.Admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return nil, err
	}
	v := &liveView{rss: rss.Items, pods: pods.Items, nodes: nodes.Items, running: map[string]string{}, owners: map[string]bool{}}
	for _, n := range c.Nodes {
		if !n.Machine.Up() || n.Runtime == nil {
			continue
		}
		for _, ctr := range n.Runtime.Running() {
			v.running[ctr.Labels[kubelet.LabelPodUID]] = n.Name
		}
	}
	return v, nil
}

// replicaSetsLive: every ReplicaSet has its replicas really running and
// ready, and its status (which lags) agrees.
func (c *Cluster) replicaSetsLive(v *liveView) error {
	serving := map[string]int32{} // owner uid -> replicas running and ready
	for _, p := range v.pods {
		if ref := p.ControllerRef(); ref != nil && p.DeletionTimestamp == nil && p.Status.Phase == api.PodRunning &&
			api.IsPodReady(p) && p.Spec.NodeName != "" && v.running[p.UID] == p.Spec.NodeName {
			serving[ref.UID]++
		}
	}
	for _, rs := range v.rss {
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
	return nil
}

// deploymentsLive: every Deployment that is not paused has rolled out its
// current generation, all its replicas updated and available. It keeps
// the Deployments in v for the orphan check.
func (c *Cluster) deploymentsLive(v *liveView) error {
	deps, err := client.For[*api.Deployment](c.Admin).List(context.Background(), "", client.ListOptions{})
	if err != nil {
		return err
	}
	v.deps = deps.Items
	for _, d := range v.deps {
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
	return nil
}

// liveOwners checks nothing: it gathers into v.owners the uids of the
// owners the orphan check accepts — Deployments, ReplicaSets, Jobs and
// DaemonSets (statefulSetsLive adds the StatefulSets, from the list it
// reads anyway). It fails only when the API does.
func (c *Cluster) liveOwners(v *liveView) error {
	for _, d := range v.deps {
		v.owners[d.UID] = true
	}
	for _, rs := range v.rss {
		v.owners[rs.UID] = true
	}
	if err := c.jobOwners(v.owners); err != nil {
		return err
	}
	c.daemonSetUIDs(v.owners)
	return nil
}

// orphansLive: nothing outlives its owners — once the faults are over the
// garbage collector has removed every ReplicaSet and live pod whose owners
// are all gone.
func (c *Cluster) orphansLive(v *liveView) error {
	orphaned := func(kind string, m *api.ObjectMeta) error {
		if len(m.OwnerReferences) == 0 {
			return nil
		}
		for _, ref := range m.OwnerReferences {
			if v.owners[ref.UID] {
				return nil
			}
		}
		return fmt.Errorf("%s %s/%s outlives its owner %s %s", kind, m.Namespace, m.Name, m.OwnerReferences[0].Kind, m.OwnerReferences[0].Name)
	}
	for _, rs := range v.rss {
		if err := orphaned("replicaset", &rs.ObjectMeta); err != nil {
			return err
		}
	}
	for _, p := range v.pods {
		if err := orphaned("pod", &p.ObjectMeta); err != nil && p.DeletionTimestamp == nil {
			return err
		}
	}
	return nil
}

// podsLive: every pod that is neither finished nor being deleted is bound
// if some node has room for it, and a bound one is Running and Ready with
// its containers really running on its node.
func (c *Cluster) podsLive(v *liveView) error {
	for _, p := range v.pods {
		if p.DeletionTimestamp != nil || api.IsPodTerminal(p) {
			continue
		}
		if p.Spec.NodeName == "" {
			if fitsSomewhere(p, v.nodes, v.pods) {
				return fmt.Errorf("pod %s/%s is pending although node %s has room for it", p.Namespace, p.Name, firstFit(p, v.nodes, v.pods))
			}
			continue
		}
		if p.Status.Phase != api.PodRunning || !api.IsPodReady(p) {
			return fmt.Errorf("pod %s/%s on %s is %s, not Running and Ready", p.Namespace, p.Name, p.Spec.NodeName, p.Status.Phase)
		}
		if v.running[p.UID] != p.Spec.NodeName {
			return fmt.Errorf("pod %s/%s is reported Running on %s, but no container of it runs there", p.Namespace, p.Name, p.Spec.NodeName)
		}
	}
	return nil
}

// strayContainersLive: no machine that is up, and whose kubelet can reach
// the API, still runs a container of a pod that is gone.
func (c *Cluster) strayContainersLive(v *liveView) error {
	exists := map[string]bool{}
	for _, p := range v.pods {
		exists[p.UID] = true
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
			uid := ctr.Labels[kubelet.LabelPodUID]
			if ctr.State == "running" && !exists[uid] {
				return fmt.Errorf("node %s still runs container %s of pod uid %s, which no longer exists", n.Name, ctr.Name, uid)
			}
		}
	}
	return nil
}

// fitsSomewhere reports whether some schedulable, ready node has room for
// p. It is deliberately independent of the scheduler's code, so that a
// scheduler that wrongly calls a pod unschedulable is caught.
func fitsSomewhere(p *api.Pod, nodes []*api.Node, pods []*api.Pod) bool {
	return firstFit(p, nodes, pods) != ""
}

// firstFit returns the first node of nodes (in their order) that is
// schedulable and ready, matches p's node selector, has no taint p does
// not tolerate and has room for p's requests among pods; "" when none.
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

// nodeReady reports whether n's Ready condition is True.
func nodeReady(n *api.Node) bool {
	c := n.Status.FindCondition(api.NodeReady)
	return c != nil && c.Status == api.ConditionTrue
}

// untoleratedTaint reports whether n has a NoSchedule or NoExecute taint
// that p does not tolerate.
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
