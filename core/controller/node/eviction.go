package node

import (
	"context"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// evict deletes the pods of a node with a NoExecute taint of ours once they
// no longer tolerate it:
//
//	taint added ──── toleration ────▶ graceful delete ──── (kubelet back) ────▶ gone
//
// The deletion is graceful and stays so: an evicted pod is Terminating
// until its kubelet comes back, stops its containers and confirms, or
// until the node is removed from the API (collectPods). The controller
// does not force-delete pods of a node that is merely unreachable, as
// Kubernetes does not: a partitioned node's containers may still run,
// and a pod with a fixed identity (a StatefulSet's) must not be replaced
// while they might. A ReplicaSet does not wait: it replaces a pod as soon
// as it is terminating.
func (c *Controller) evict(n *api.Node) {
	taint := noExecuteTaint(n)
	if taint == nil {
		return
	}
	added := c.loop.Now()
	if taint.TimeAdded != nil {
		added = taint.TimeAdded.Time
	}
	now := c.loop.Now()
	for _, p := range c.pods.ByIndex(byNode, n.Name) {
		if p.DeletionTimestamp != nil {
			continue // already on its way out; only its kubelet may finish it
		}
		delay, ok := c.tolerationDelay(p, taint)
		if !ok || now.Before(added.Add(delay)) {
			continue
		}
		_, err := client.For[*api.Pod](c.client).Delete(context.Background(), p.Namespace, p.Name, client.DeleteOptions{UID: p.UID})
		if err == nil {
			c.rec.Eventf(p, client.EventNormal, "TaintManagerEviction", "Marking for deletion Pod %s/%s", p.Namespace, p.Name)
		}
	}
}

// noExecuteTaint returns the node's unreachable or not-ready NoExecute
// taint, or nil.
func noExecuteTaint(n *api.Node) *api.Taint {
	for i, t := range n.Spec.Taints {
		if t.Effect == api.TaintNoExecute && (t.Key == TaintUnreachable || t.Key == TaintNotReady) {
			return &n.Spec.Taints[i]
		}
	}
	return nil
}

// tolerationDelay returns how long p stays after taint is added, and false
// if it stays for ever. Without a matching toleration it is
// EvictionTimeout (the role of Kubernetes' DefaultTolerationSeconds
// admission, which gives every pod 300s); with matching tolerations it is
// the smallest tolerationSeconds among them, and for ever when none sets
// one.
func (c *Controller) tolerationDelay(p *api.Pod, taint *api.Taint) (time.Duration, bool) {
	matched, bounded := false, false
	var least int64
	for _, tol := range p.Spec.Tolerations {
		if !tolerates(tol, taint) {
			continue
		}
		matched = true
		if tol.TolerationSeconds == nil {
			continue
		}
		s := max(*tol.TolerationSeconds, 0)
		if !bounded || s < least {
			least, bounded = s, true
		}
	}
	switch {
	case !matched:
		return c.cfg.EvictionTimeout, true
	case !bounded:
		return 0, false
	}
	return time.Duration(least) * time.Second, true
}

// tolerates is Kubernetes' ToleratesTaint: the effect matches (or the
// toleration names none), and the key matches (an empty key with Exists
// matches every key) with Exists, or with Equal and the same value.
func tolerates(tol api.Toleration, t *api.Taint) bool {
	if tol.Effect != "" && tol.Effect != t.Effect {
		return false
	}
	if tol.Key == "" {
		return tol.Operator == "Exists"
	}
	if tol.Key != t.Key {
		return false
	}
	switch tol.Operator {
	case "Exists":
		return true
	case "", "Equal":
		return tol.Value == t.Value
	}
	return false
}
