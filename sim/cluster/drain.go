package cluster

import (
	"context"
	"net/http"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/sim/scenario"
)

// drainRetry is how long the drain waits after a refused eviction before
// it asks again (kubectl drain's 5 seconds).
const drainRetry = 5 * time.Second

// drainNode does what `kubectl drain NODE --ignore-daemonsets` does: it
// cordons the node, then asks the eviction subresource to remove each of
// its pods (DaemonSet pods, finished pods and pods already being deleted
// are left), asking again every drainRetry while a disruption budget
// refuses. Runs on the world's loop; a failure other than a refusal is
// only noted, as kubectl would report it and the operator move on.
func (c *Cluster) drainNode(f scenario.Fault) {
	ctx := context.Background()
	nodes := client.For[*api.Node](c.Admin)
	if _, err := nodes.Patch(ctx, "", f.Node, rest.ContentMergePatch, []byte(`{"spec":{"unschedulable":true}}`), "", client.WriteOptions{}); err != nil {
		c.W.Trace.Note("fault", "drain %s: cordon failed: %v", f.Node, err)
		return
	}
	pods, err := client.For[*api.Pod](c.Admin).List(ctx, "", client.ListOptions{FieldSelector: "spec.nodeName=" + f.Node})
	if err != nil {
		c.W.Trace.Note("fault", "drain %s: listing its pods failed: %v", f.Node, err)
		return
	}
	for _, p := range pods.Items {
		if ref := p.ControllerRef(); (ref != nil && ref.Kind == "DaemonSet") || api.IsPodTerminal(p) || p.DeletionTimestamp != nil {
			continue
		}
		c.evict(p.Namespace, p.Name, p.UID)
	}
}

// evict asks for one eviction, and again after drainRetry while a budget
// refuses (429) and the pod (same uid) is still there.
func (c *Cluster) evict(ns, name, uid string) {
	body := []byte(`{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"` + name + `","namespace":"` + ns + `"},"deleteOptions":{"preconditions":{"uid":"` + uid + `"}}}`)
	_, err := c.Admin.Do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "/api/v1/namespaces/" + ns + "/pods/" + name + "/eviction", ContentType: rest.ContentJSON, Body: body})
	switch {
	case err == nil:
		c.W.Trace.Note("fault", "evicted %s/%s", ns, name)
	case isStatusCode(err, http.StatusTooManyRequests):
		c.W.Loop.After(drainRetry, func() { c.evict(ns, name, uid) })
	case api.IsNotFound(err) || api.IsConflict(err):
		// Gone or replaced already: nothing left to evict.
	default:
		c.W.Trace.Note("fault", "evict %s/%s failed: %v", ns, name, err)
	}
}

func isStatusCode(err error, code int32) bool {
	se, isStatus := err.(*api.StatusError)
	return isStatus && se.Status.Code == code
}
