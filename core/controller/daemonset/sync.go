package daemonset

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/deployment"
)

// notSyncedDelay is how long a key waits when the caches are still loading.
const notSyncedDelay = 100 * time.Millisecond

// nodePods is what one reconcile knows of one node.
type nodePods struct {
	node           *api.Node // nil: the node is not in the API (any more)
	shouldRun      bool
	shouldContinue bool
	live           []*api.Pod // not terminating, not finished; oldest first
	finished       []*api.Pod // Failed or Succeeded, not terminating
	terminating    []*api.Pod // being deleted
}

// Reconcile brings the DaemonSet named by key ("namespace/name") one step
// towards one pod on every node that should run it, and writes what it
// observed to its status. It is level-triggered and returns an error to
// be retried with backoff.
//
// Contract: called on the controller's loop, one key at a time.
func (c *Controller) Reconcile(key string) error {
	if !c.pods.HasSynced() || !c.dsets.HasSynced() || !c.nodes.HasSynced() {
		c.queue.AddAfter(key, notSyncedDelay)
		return nil
	}
	ns, name := client.SplitKey(key)
	ds, ok := c.dsets.Get(ns, name)
	if !ok {
		c.exp.Forget(key)
		return nil
	}
	if ds.DeletionTimestamp != nil {
		return nil // the garbage collector removes the pods
	}
	// Ask before reading the caches (see the ReplicaSet controller).
	satisfied := c.exp.Satisfied(key)
	hash := deployment.TemplateHash(&ds.Spec.Template)
	byNode := c.podsByNode(ds, hash)

	var manageErr error
	if satisfied {
		manageErr = c.manage(key, ds, hash, byNode)
	}
	if err := c.updateStatus(ds, hash, byNode); err != nil {
		return errors.Join(manageErr, err)
	}
	if manageErr != nil {
		return manageErr
	}
	if d, ok := nextAvailable(byNode, ds.Spec.MinReadySeconds, c.loop.Now()); ok {
		c.queue.AddAfter(key, d)
	}
	return nil
}

// podsByNode sorts ds's pods by the node they are for, and judges every
// node of the cache for ds. Pods aimed at no node at all are ignored.
func (c *Controller) podsByNode(ds *api.DaemonSet, hash string) map[string]*nodePods {
	tmpl := templatePod(ds, hash)
	out := map[string]*nodePods{}
	for _, n := range c.nodes.List(api.Everything()) {
		run, cont := placement(tmpl, n)
		out[n.Name] = &nodePods{node: n, shouldRun: run, shouldContinue: cont}
	}
	for _, p := range c.pods.ListNamespace(ds.Namespace, api.Everything()) {
		if !p.IsControlledBy(ds.UID) {
			continue
		}
		name := targetNode(p)
		if name == "" {
			continue
		}
		np := out[name]
		if np == nil {
			np = &nodePods{}
			out[name] = np
		}
		switch {
		case p.DeletionTimestamp != nil:
			np.terminating = append(np.terminating, p)
		case api.IsPodTerminal(p):
			np.finished = append(np.finished, p)
		default:
			np.live = append(np.live, p)
		}
	}
	for _, np := range out {
		sort.Slice(np.live, func(i, j int) bool { return olderFirst(np.live[i], np.live[j]) })
	}
	return out
}

func olderFirst(a, b *api.Pod) bool {
	ta, tb := a.CreationTimestamp, b.CreationTimestamp
	if ta != nil && tb != nil && !ta.Equal(tb.Time) {
		return ta.Before(tb.Time)
	}
	return a.Name < b.Name
}

func sortedNodes(byNode map[string]*nodePods) []string {
	names := make([]string, 0, len(byNode))
	for n := range byNode {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// manage decides, node by node, which pods to create and delete, adds the
// rolling update's deletions, and issues them all.
//
//	node gone, pod unbound        → delete it (the node controller's GC
//	                                only collects bound pods)
//	finished pod                  → delete it (replaced once it is gone)
//	!shouldContinue               → delete every live pod
//	shouldRun, no pod at all      → create one
//	more than one live pod        → keep the best, delete the others
//
// A node gets a new pod only when the cache shows no pod of the DaemonSet
// there, not even a finished or terminating one: the new pod takes the
// node's pod name (see podName), which must be free.
func (c *Controller) manage(key string, ds *api.DaemonSet, hash string, byNode map[string]*nodePods) error {
	var create []string
	var victims []*api.Pod
	for _, name := range sortedNodes(byNode) {
		np := byNode[name]
		if np.node == nil {
			for _, p := range np.live {
				if p.Spec.NodeName == "" {
					victims = append(victims, p)
				}
			}
			continue
		}
		victims = append(victims, np.finished...)
		live := np.live
		switch {
		case !np.shouldContinue:
			victims = append(victims, live...)
		case len(live) == 0:
			if np.shouldRun && len(np.terminating) == 0 && len(np.finished) == 0 {
				create = append(create, name)
			}
		case len(live) > 1:
			victims = append(victims, extras(live, hash)...)
		}
	}
	if len(create) == 0 && len(victims) == 0 && ds.Spec.UpdateStrategy.Type != api.StrategyOnDelete {
		victims = rollingVictims(ds, hash, byNode, c.loop.Now())
	}
	podKeys := make([]string, len(victims))
	for i, p := range victims {
		podKeys[i] = client.Key(p)
	}
	c.exp.Expect(key, len(create), podKeys)
	errs := []error{c.deletePods(key, ds, victims)}
	errs = append(errs, c.createPods(key, ds, hash, create))
	return errors.Join(errs...)
}

// extras picks the pods to delete when a node has several live ones: keep
// one of the current revision if there is one (the ready one, else the
// oldest), else the oldest.
func extras(live []*api.Pod, hash string) []*api.Pod {
	keep := 0
	best := -1
	for i, p := range live {
		if p.Labels[RevisionHashLabel] != hash {
			continue
		}
		if best < 0 || (api.IsPodReady(p) && !api.IsPodReady(live[best])) {
			best = i
		}
	}
	if best >= 0 {
		keep = best
	}
	var out []*api.Pod
	for i, p := range live {
		if i != keep {
			out = append(out, p)
		}
	}
	return out
}

// createPods creates one pod for each node named. It stops at the first
// failure, taking the creations not made off the expectations: a create
// whose answer was lost may have made its pod, but the retry asks for the
// same name and is refused (AlreadyExists) until the informer shows it.
func (c *Controller) createPods(key string, ds *api.DaemonSet, hash string, nodes []string) error {
	pods := client.For[*api.Pod](c.client)
	for i, node := range nodes {
		pod := aimAt(templatePod(ds, hash), node)
		pod.GenerateName, pod.Name = "", podName(ds, node)
		p, err := pods.Create(context.Background(), pod, client.WriteOptions{})
		if err != nil {
			for range len(nodes) - i {
				c.exp.CreationObserved(key)
			}
			c.recorder.Eventf(ds, client.EventWarning, "FailedCreate", "Error creating: %v", err)
			return fmt.Errorf("daemonset %s: creating the pod for node %s: %w", key, node, err)
		}
		c.recorder.Eventf(ds, client.EventNormal, "SuccessfulCreate", "Created pod: %s", p.Name)
	}
	return nil
}

// deletePods deletes victims, each only if it is still the pod the cache
// saw (same uid).
func (c *Controller) deletePods(key string, ds *api.DaemonSet, victims []*api.Pod) error {
	pods := client.For[*api.Pod](c.client)
	var errs []error
	for _, p := range victims {
		_, err := pods.Delete(context.Background(), p.Namespace, p.Name, client.DeleteOptions{UID: p.UID})
		if err != nil {
			c.exp.DeletionObserved(key, client.Key(p)) // none will be observed
			if api.IsNotFound(err) || api.IsConflict(err) {
				continue // gone already, or another pod of that name now
			}
			c.recorder.Eventf(ds, client.EventWarning, "FailedDelete", "Error deleting: %v", err)
			errs = append(errs, fmt.Errorf("daemonset %s: deleting pod %s: %w", key, p.Name, err))
			continue
		}
		c.recorder.Eventf(ds, client.EventNormal, "SuccessfulDelete", "Deleted pod: %s", p.Name)
	}
	return errors.Join(errs...)
}

// podName is the name of ds's pod on node: the DaemonSet's name and a hash
// of the node's. Kubernetes generates a random name and, after a create
// that timed out, waits up to five minutes for a pod that may never come;
// a name fixed per node makes a retried create idempotent instead, so a
// lost answer can never put two pods on one node. Successive pods on a
// node reuse the name, one at a time (manage creates only when the node
// has no pod left at all).
func podName(ds *api.DaemonSet, node string) string {
	h := fnv.New32a()
	h.Write([]byte(node))
	base := ds.Name
	if len(base) > 52 {
		base = base[:52]
	}
	return fmt.Sprintf("%s-%08x", base, h.Sum32())
}
