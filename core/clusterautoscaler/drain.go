package clusterautoscaler

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// maxGracefulTermination is how long a drain waits, once every eviction
// was accepted, for the evicted pods to be gone before it removes the node
// anyway (cluster-autoscaler's --max-graceful-termination-sec, 600).
const maxGracefulTermination = 10 * time.Minute

// drain is a node being removed: tainted, its pods being evicted.
type drain struct {
	node, group string
	since       time.Time
}

// startDrain begins removing r.Node: it taints the node
// ToBeDeletedByClusterAutoscaler (NoSchedule, so that nothing new lands
// there), then evicts its pods; an empty node is deleted at once. A
// failed taint leaves the node alone until a later pass.
func (a *Autoscaler) startDrain(v *view, r Removal) {
	n, ok := a.nodes.Get("", r.Node)
	if !ok {
		return
	}
	n = api.DeepCopy(n)
	n.Spec.Taints = append(n.Spec.Taints, api.Taint{Key: ToBeDeletedTaint, Value: strconv.FormatInt(v.now.Unix(), 10),
		Effect: api.TaintNoSchedule})
	if _, err := client.For[*api.Node](a.cfg.Client).Update(context.Background(), n, client.WriteOptions{}); err != nil {
		return
	}
	d := &drain{node: r.Node, group: r.Group, since: v.now}
	a.draining[r.Node] = d
	delete(a.unneededSince, r.Node)
	a.cfg.Recorder.Eventf(n, client.EventNormal, "ScaleDown", "marked the node as toBeDeleted/unschedulable")
	for _, p := range r.Evict {
		a.evict(p)
	}
	if len(r.Evict) == 0 {
		a.finishDrain(v, d)
	}
}

// evict asks for one pod's eviction; a refusal (a budget, 429) or a
// failure is asked again by the next pass.
func (a *Autoscaler) evict(p *api.Pod) {
	if err := a.cfg.Evict(a.cfg.Client, p); err == nil {
		a.cfg.Recorder.Eventf(p, client.EventNormal, "ScaleDown", "deleting pod for node scale down")
	}
}

// continueDrains carries every drain a step on: it deletes a node whose
// pods are gone, evicts again the pods still there, and gives up on a
// node whose pods could not all be evicted within MaxPodEvictionTime
// (the taint is removed and scale-down waits ScaleDownDelayAfterFailure).
// Evicted pods still terminating are waited for up to
// maxGracefulTermination more; then the node goes anyway.
func (a *Autoscaler) continueDrains(v *view) {
	names := make([]string, 0, len(a.draining))
	for n := range a.draining {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		d := a.draining[name]
		if _, ok := a.nodes.Get("", name); !ok {
			delete(a.draining, name) // gone already
			continue
		}
		var left, asked []*api.Pod
		for _, p := range a.podsOn(name) {
			if ref := p.ControllerRef(); ref != nil && ref.Kind == "DaemonSet" || api.IsPodTerminal(p) {
				continue
			}
			if _, mirror := p.Annotations[mirrorAnnotation]; mirror {
				continue
			}
			if p.DeletionTimestamp == nil {
				left = append(left, p)
			} else {
				asked = append(asked, p)
			}
		}
		elapsed := v.now.Sub(d.since)
		switch {
		case len(left) == 0 && (len(asked) == 0 || elapsed > a.opts.MaxPodEvictionTime+maxGracefulTermination):
			a.finishDrain(v, d)
		case len(left) > 0 && elapsed > a.opts.MaxPodEvictionTime:
			a.abortDrain(v, d, "failed to drain the node, aborting ScaleDown")
		default:
			for _, p := range left {
				a.evict(p)
			}
		}
	}
}

// finishDrain asks the provider to delete the drained node; on failure
// the removal is abandoned.
func (a *Autoscaler) finishDrain(v *view, d *drain) {
	if err := a.cfg.Provider.DeleteNodes(d.group, []string{d.node}); err != nil {
		a.abortDrain(v, d, "failed to delete the node: "+err.Error())
		return
	}
	delete(a.draining, d.node)
}

// abortDrain gives up on removing d.node: the taint comes off and
// scale-down waits ScaleDownDelayAfterFailure.
func (a *Autoscaler) abortDrain(v *view, d *drain, why string) {
	delete(a.draining, d.node)
	a.lastScaleDownFailure = v.now
	if n, ok := a.nodes.Get("", d.node); ok {
		a.untaint(n)
		a.cfg.Recorder.Eventf(n, client.EventWarning, "ScaleDownFailed", "%s", why)
	}
}

// cleanTaints removes the ToBeDeleted taints an earlier incarnation left
// on nodes it did not get to delete, as cluster-autoscaler does when it
// starts.
func (a *Autoscaler) cleanTaints(v *view) {
	for _, n := range v.nodes {
		if hasTaint(n, ToBeDeletedTaint) && a.draining[n.Name] == nil {
			a.untaint(n)
		}
	}
}

// untaint removes the ToBeDeleted taint from n (best effort).
func (a *Autoscaler) untaint(n *api.Node) {
	n = api.DeepCopy(n)
	n.Spec.Taints = slices.DeleteFunc(n.Spec.Taints, func(t api.Taint) bool { return t.Key == ToBeDeletedTaint })
	_, _ = client.For[*api.Node](a.cfg.Client).Update(context.Background(), n, client.WriteOptions{})
}

// Evict asks the API server to evict pod through its eviction
// subresource (POST pods/NAME/eviction), on the condition that it is
// still the same pod (uid). The server refuses with 429 TooManyRequests
// when a PodDisruptionBudget allows no disruption now: that is how the
// autoscaler honours budgets without reading them itself.
func Evict(c *client.Client, pod *api.Pod) error {
	uid := pod.UID
	ev := api.Eviction{TypeMeta: api.TypeMeta{APIVersion: "policy/v1", Kind: "Eviction"},
		ObjectMeta:    api.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace},
		DeleteOptions: &api.EvictionDeleteOptions{Preconditions: &api.EvictionPreconditions{UID: &uid}}}
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = c.Do(context.Background(), &rest.Request{Method: http.MethodPost,
		Path:        "/api/v1/namespaces/" + pod.Namespace + "/pods/" + pod.Name + "/eviction",
		ContentType: rest.ContentJSON, Body: body})
	return err
}
