package scheduler

import (
	"github.com/tinykube/tinykube/core/api"
)

// Resources is an amount of the three resources the scheduler accounts
// for: CPU in millicores, memory in bytes, and a count of pods.
type Resources struct {
	MilliCPU int64
	Memory   int64
	Pods     int64
}

// Add adds o to r.
func (r *Resources) Add(o Resources) {
	r.MilliCPU += o.MilliCPU
	r.Memory += o.Memory
	r.Pods += o.Pods
}

// PodRequests returns what pod asks of a node, as Kubernetes computes it:
// its containers run together, so their requests add up; its init
// containers run one at a time before them, so the pod needs the largest
// init container's request if that is more than the sum. A pod counts as
// one pod.
func PodRequests(pod *api.Pod) Resources {
	var sum Resources
	for i := range pod.Spec.Containers {
		req := pod.Spec.Containers[i].Resources.Requests
		sum.MilliCPU += req.Cpu().MilliValue()
		sum.Memory += req.Memory().Value()
	}
	for i := range pod.Spec.InitContainers {
		req := pod.Spec.InitContainers[i].Resources.Requests
		sum.MilliCPU = max(sum.MilliCPU, req.Cpu().MilliValue())
		sum.Memory = max(sum.Memory, req.Memory().Value())
	}
	sum.Pods = 1
	return sum
}

// hostPort is one host port a pod claims: on a protocol, at an address
// ("" and "0.0.0.0" mean every address of the node).
type hostPort struct {
	protocol api.Protocol
	ip       string
	port     int32
}

// podHostPorts returns the host ports pod's containers claim.
func podHostPorts(pod *api.Pod) []hostPort {
	var out []hostPort
	for i := range pod.Spec.Containers {
		for _, p := range pod.Spec.Containers[i].Ports {
			if p.HostPort <= 0 {
				continue
			}
			proto := p.Protocol
			if proto == "" {
				proto = api.ProtocolTCP
			}
			ip := p.HostIP
			if ip == "0.0.0.0" {
				ip = ""
			}
			out = append(out, hostPort{protocol: proto, ip: ip, port: p.HostPort})
		}
	}
	return out
}

// controllerUID returns the uid of pod's controller, or "".
func controllerUID(pod *api.Pod) string {
	if ref := pod.ControllerRef(); ref != nil {
		return ref.UID
	}
	return ""
}

// NodeInfo is the scheduler's view of one node during a scheduling cycle:
// the node's allocatable resources and scheduling-relevant facts, and the
// sum of what the pods bound (or assumed bound) to it request. It is
// computed once per cycle, so the filters and scores, which run once per
// node per pod, only compare numbers.
type NodeInfo struct {
	// Name is the node's name.
	Name string
	// Node is the node object, which NodeInfo does not modify.
	Node *api.Node
	// Allocatable is what pods may use in total; Requested is what the
	// pods counted on the node ask for.
	Allocatable Resources
	Requested   Resources
	// Pods are the pods counted on the node, in the order they were
	// added. Assumed are those of them that this scheduler bound (or is
	// binding) and its informer does not show bound yet: counting them is
	// what keeps two pods scheduled in quick succession from both taking
	// the last room on a node.
	Pods, Assumed []*api.Pod

	ready       bool
	usedPorts   map[hostPort]bool
	ownerCounts map[string]int // controller uid -> pods on the node
}

// NewNodeInfo returns the view of node with no pods counted on it.
func NewNodeInfo(node *api.Node) *NodeInfo {
	alloc := node.Status.Allocatable
	if alloc == nil {
		alloc = node.Status.Capacity
	}
	ready := false
	if c := node.Status.FindCondition(api.NodeReady); c != nil {
		ready = c.Status == api.ConditionTrue
	}
	return &NodeInfo{
		Name: node.Name,
		Node: node,
		Allocatable: Resources{
			MilliCPU: alloc.Cpu().MilliValue(),
			Memory:   alloc.Memory().Value(),
			Pods:     alloc.Pods().Value(),
		},
		ready: ready,
	}
}

// AddPod counts pod as running on the node: its requests, its host ports,
// and its controller, for spreading.
func (n *NodeInfo) AddPod(pod *api.Pod) {
	n.Pods = append(n.Pods, pod)
	n.Requested.Add(PodRequests(pod))
	for _, hp := range podHostPorts(pod) {
		if n.usedPorts == nil {
			n.usedPorts = map[hostPort]bool{}
		}
		n.usedPorts[hp] = true
	}
	if uid := controllerUID(pod); uid != "" {
		if n.ownerCounts == nil {
			n.ownerCounts = map[string]int{}
		}
		n.ownerCounts[uid]++
	}
}

// AddAssumedPod counts pod, which this scheduler assumes is bound to the
// node, as AddPod does, and lists it in Assumed.
func (n *NodeInfo) AddAssumedPod(pod *api.Pod) {
	n.AddPod(pod)
	n.Assumed = append(n.Assumed, pod)
}
