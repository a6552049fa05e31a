package cluster

import (
	"context"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/kubelet"
)

// The daemonset-one-per-node invariant: a DaemonSet never has two live
// pods (not finished, not being deleted) bound to the same node. It is
// judged from the pod writes alone, independently of the controller: a
// controller that creates a second pod for a node before it sees its
// first one is caught the moment the scheduler binds the second.
//
// The checker keeps, per pod key, the slot (DaemonSet uid and node) it
// holds, and per slot the pod key holding it.

type dsChecker struct {
	pods  map[string]*dsPodFacts // by pod store key
	slots map[string]string      // slot -> pod store key holding it
}

type dsPodFacts struct {
	slot  string // owner uid + "|" + node; "" when not live and bound
	owner string // namespace/name of the DaemonSet
}

// daemonSetPod follows a pod write (p nil or deleted: the pod at
// storeKey is gone) for the invariant.
func (c *checker) daemonSetPod(storeKey string, p *api.Pod, deleted bool) {
	if !c.enabled["daemonset-one-per-node"] {
		return
	}
	d := &c.ds
	if d.pods == nil {
		d.pods, d.slots = map[string]*dsPodFacts{}, map[string]string{}
	}
	f := d.pods[storeKey]
	if deleted || p == nil {
		if f != nil {
			d.free(storeKey, f)
			delete(d.pods, storeKey)
		}
		return
	}
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != "DaemonSet" {
		return
	}
	if f == nil {
		f = &dsPodFacts{owner: p.Namespace + "/" + ref.Name}
		d.pods[storeKey] = f
	}
	d.free(storeKey, f)
	live := api.IsPodActive(p)
	if !live || p.Spec.NodeName == "" {
		return
	}
	slot := ref.UID + "|" + p.Spec.NodeName
	if other, taken := d.slots[slot]; taken {
		c.err = fmt.Errorf("daemonset-one-per-node: DaemonSet %s has two live pods on node %s: %s and %s (a DaemonSet runs at most one pod that is neither finished nor terminating per node)",
			f.owner, p.Spec.NodeName, podKeyOf(other), p.Namespace+"/"+p.Name)
		return
	}
	d.slots[slot] = storeKey
	f.slot = slot
}

func (d *dsChecker) free(key string, f *dsPodFacts) {
	if f.slot != "" && d.slots[f.slot] == key {
		delete(d.slots, f.slot)
	}
	f.slot = ""
}

// podKeyOf turns "/registry/pods/ns/name" into "ns/name".
func podKeyOf(storeKey string) string { return strings.TrimPrefix(storeKey, "/registry/pods/") }

// daemonSetsLive is the DaemonSets' liveness: once faults are over, every
// node that should run a DaemonSet's pod runs exactly one, of the current
// template, ready and really running; no other node runs one; the status
// says so. "Should run" is worked out here again, on purpose simply: the
// node is Ready, has the template's nodeSelector labels and no NoSchedule
// or NoExecute taint the template does not tolerate (the taints every
// DaemonSet pod tolerates are node-condition taints, absent from a Ready
// node once faults heal, and cordoning is not simulated).
func (c *Cluster) daemonSetsLive(v *liveView) error {
	pods, nodes, running := v.pods, v.nodes, v.running
	dss, err := client.For[*api.DaemonSet](c.Admin).List(context.Background(), "", client.ListOptions{})
	if err != nil {
		return err
	}
	for _, ds := range dss.Items {
		if ds.DeletionTimestamp != nil {
			continue
		}
		name := ds.Namespace + "/" + ds.Name
		tmpl := &api.Pod{Spec: ds.Spec.Template.Spec}
		onNode := map[string][]*api.Pod{}
		for _, p := range pods {
			if p.IsControlledBy(ds.UID) && api.IsPodActive(p) {
				onNode[p.Spec.NodeName] = append(onNode[p.Spec.NodeName], p)
			}
		}
		desired := int32(0)
		for _, n := range nodes {
			eligible := nodeReady(n) && !untoleratedTaint(tmpl, n) && api.SelectorFromSet(ds.Spec.Template.Spec.NodeSelector).Matches(n.Labels) &&
				n.Labels[kubelet.LabelHostname] != ""
			ps := onNode[n.Name]
			if !eligible {
				if len(ps) > 0 {
					return fmt.Errorf("daemonset %s runs pod %s on node %s, which should not run it", name, ps[0].Name, n.Name)
				}
				continue
			}
			desired++
			if len(ps) != 1 {
				return fmt.Errorf("daemonset %s has %d pods on node %s, want 1", name, len(ps), n.Name)
			}
			p := ps[0]
			if !sameImages(p, &ds.Spec.Template) {
				return fmt.Errorf("daemonset %s: pod %s on node %s still runs an old template", name, p.Name, n.Name)
			}
			if p.Status.Phase != api.PodRunning || !api.IsPodReady(p) || running[p.UID] != n.Name {
				return fmt.Errorf("daemonset %s: pod %s on node %s is not running and ready", name, p.Name, n.Name)
			}
		}
		if ps := onNode[""]; len(ps) > 0 {
			return fmt.Errorf("daemonset %s: pod %s is not bound to any node", name, ps[0].Name)
		}
		st := ds.Status
		if st.ObservedGeneration != ds.Generation || st.DesiredNumberScheduled != desired || st.UpdatedNumberScheduled != desired ||
			st.NumberAvailable != desired || st.NumberReady != desired || st.CurrentNumberScheduled != desired || st.NumberMisscheduled != 0 {
			return fmt.Errorf("daemonset %s reports desired %d, current %d, updated %d, ready %d, available %d, misscheduled %d (generation %d of %d); %d nodes run it",
				name, st.DesiredNumberScheduled, st.CurrentNumberScheduled, st.UpdatedNumberScheduled, st.NumberReady, st.NumberAvailable, st.NumberMisscheduled,
				st.ObservedGeneration, ds.Generation, desired)
		}
	}
	return nil
}

// sameImages reports whether p runs the template's containers and images.
func sameImages(p *api.Pod, t *api.PodTemplateSpec) bool {
	if len(p.Spec.Containers) != len(t.Spec.Containers) {
		return false
	}
	for i, ctr := range t.Spec.Containers {
		if p.Spec.Containers[i].Name != ctr.Name || p.Spec.Containers[i].Image != ctr.Image {
			return false
		}
	}
	return true
}

// daemonSetUIDs adds the uids of the DaemonSets to uids, the owners that
// liveness knows (a DaemonSet's pods do not outlive it).
func (c *Cluster) daemonSetUIDs(uids map[string]bool) {
	dss, err := client.For[*api.DaemonSet](c.Admin).List(context.Background(), "", client.ListOptions{})
	if err != nil {
		return // daemonSetsLive reports the error
	}
	for _, ds := range dss.Items {
		uids[ds.UID] = true
	}
}
