package scheduler

import (
	"sort"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// assumeTimeout is how long a pod stays assumed when the informer never
// shows it bound: a safety net, not a mechanism. The informer normally
// confirms a binding within a watch round trip.
const assumeTimeout = 30 * time.Second

// assumeCache holds the pods this scheduler has bound (or is binding) but
// whose binding its pod informer has not shown yet.
//
// Why it exists: the informer lags the API. Between a successful Bind and
// the watch event that brings the bound pod into the cache, the cache still
// shows the pod pending and its node without it. A scheduler that trusted
// the cache alone would place the next pods on that node as if the first
// were not there, and over-commit it. So each binding is counted here the
// moment it is decided, and NodeInfos are built from the informer's pods
// plus these.
//
// Contract: an entry is removed when the informer shows the pod bound or
// deleted (confirm/forget), when a Bind definitely failed (forget), or once
// its deadline has passed (expire, at the start of each cycle). An entry
// whose Bind had an unknown outcome (no answer) stays: counting a pod that
// may be on a node is safe, forgetting one that is there is not.
type assumeCache struct {
	pods map[string]*assumedPod // pod key -> entry
}

type assumedPod struct {
	pod      *api.Pod // a copy, with spec.nodeName set to node
	node     string
	deadline time.Time
	// bound is true once the API has acknowledged the binding, binding
	// while the binding is under way off the loop (loop.Offload): either
	// way a cycle of the pod leaves it alone until the informer catches up.
	bound, binding bool
}

func newAssumeCache() *assumeCache { return &assumeCache{pods: map[string]*assumedPod{}} }

// assume counts pod on node until deadline, replacing any earlier entry of
// the same pod.
func (c *assumeCache) assume(key string, pod *api.Pod, node string, deadline time.Time) *assumedPod {
	cp := *pod
	cp.Spec.NodeName = node
	a := &assumedPod{pod: &cp, node: node, deadline: deadline}
	c.pods[key] = a
	return a
}

// forget drops key's entry, if any.
func (c *assumeCache) forget(key string) { delete(c.pods, key) }

// get returns key's entry.
func (c *assumeCache) get(key string) (*assumedPod, bool) {
	a, ok := c.pods[key]
	return a, ok
}

// expire drops the entries whose deadline is not after now.
func (c *assumeCache) expire(now time.Time) {
	for k, a := range c.pods {
		if !a.deadline.After(now) {
			delete(c.pods, k)
		}
	}
}

// keys returns the assumed pods' keys in order.
func (c *assumeCache) keys() []string {
	out := make([]string, 0, len(c.pods))
	for k := range c.pods {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
