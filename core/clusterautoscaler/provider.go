package clusterautoscaler

import "github.com/tinykube/tinykube/core/api"

// CloudProvider is the autoscaler's view of the machines behind the
// cluster: groups of identical nodes it may grow and shrink. It is the
// essence of Kubernetes' cluster-autoscaler cloudprovider interface.
// Calls come from the autoscaler's loop; the provider acts later (a
// machine boots, registers its Node) and the autoscaler learns of it from
// the API.
type CloudProvider interface {
	// NodeGroups returns every group, in a stable order.
	NodeGroups() []NodeGroup
	// NodeGroupForNode returns the ID of the group node belongs to, or ""
	// for a node no group manages (the autoscaler never removes it).
	NodeGroupForNode(node *api.Node) string
	// IncreaseSize asks for delta (> 0) more nodes in group. It fails
	// when that would take the group beyond its MaxSize.
	IncreaseSize(group string, delta int) error
	// DecreaseTargetSize lowers group's target by delta (> 0) without
	// removing any registered node: it takes back a request for nodes
	// that have not come up.
	DecreaseTargetSize(group string, delta int) error
	// DeleteNodes removes the named nodes (machines and Node objects) of
	// group and lowers its target by as many. It fails when that would
	// take the group below its MinSize.
	DeleteNodes(group string, nodes []string) error
}

// NodeGroup is one group of identical nodes.
type NodeGroup struct {
	ID string
	// MinSize and MaxSize bound TargetSize.
	MinSize, MaxSize int
	// TargetSize is how many nodes the group should have: those
	// registered and those asked for that have not come up.
	TargetSize int
	// Template is what a new node of the group will look like once it
	// registers: capacity, allocatable, labels and taints. The
	// autoscaler simulates pods on copies of it.
	Template *api.Node
}
