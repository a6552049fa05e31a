// Package node is the node lifecycle controller: it watches each node's
// heartbeat (its Lease in kube-node-lease), marks a node whose heartbeat
// stops Ready=Unknown and taints it unreachable, evicts the pods of a
// tainted node once they stop tolerating the taint (gracefully: they stay
// terminating until their kubelet confirms, since an unreachable node's
// containers may still run), and force-deletes the pods of nodes removed
// from the API.
//
// Heartbeats are judged by when this controller saw them change, on its own
// clock, never by the timestamps the kubelet wrote: the two clocks may
// disagree, and only the controller's own is consistent with its timers.
//
// Book: chapter 7, "Node failure" (book/07-node-failure.md).
package node
