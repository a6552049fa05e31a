package scheduler

import (
	"github.com/tinykube/tinykube/core/api"
)

// The builders below make pods and nodes for tests, only as detailed as
// each test needs.

type podOpt func(*api.Pod)

func newPod(name string, opts ...podOpt) *api.Pod {
	p := &api.Pod{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", UID: "uid-" + name},
		Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox:1"}}},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

func resources(cpu, mem string) api.ResourceList {
	rl := api.ResourceList{}
	if cpu != "" {
		rl[api.ResourceCPU] = api.MustParseQuantity(cpu)
	}
	if mem != "" {
		rl[api.ResourceMemory] = api.MustParseQuantity(mem)
	}
	return rl
}

// requests sets the first container's requests.
func requests(cpu, mem string) podOpt {
	return func(p *api.Pod) { p.Spec.Containers[0].Resources.Requests = resources(cpu, mem) }
}

func container(cpu, mem string) podOpt {
	return func(p *api.Pod) {
		p.Spec.Containers = append(p.Spec.Containers, api.Container{Name: "c" + string(rune('0'+len(p.Spec.Containers))),
			Image: "busybox:1", Resources: api.ResourceRequirements{Requests: resources(cpu, mem)}})
	}
}

func initContainer(cpu, mem string) podOpt {
	return func(p *api.Pod) {
		p.Spec.InitContainers = append(p.Spec.InitContainers, api.Container{Name: "i" + string(rune('0'+len(p.Spec.InitContainers))),
			Image: "busybox:1", Resources: api.ResourceRequirements{Requests: resources(cpu, mem)}})
	}
}

func hostPortOpt(proto api.Protocol, ip string, port int32) podOpt {
	return func(p *api.Pod) {
		c := &p.Spec.Containers[0]
		c.Ports = append(c.Ports, api.ContainerPort{ContainerPort: 80, HostPort: port, Protocol: proto, HostIP: ip})
	}
}

func nodeSelectorOpt(kv ...string) podOpt {
	return func(p *api.Pod) {
		p.Spec.NodeSelector = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			p.Spec.NodeSelector[kv[i]] = kv[i+1]
		}
	}
}

func affinityOpt(key, op string, values ...string) podOpt {
	return func(p *api.Pod) {
		p.Spec.Affinity = &api.Affinity{NodeAffinity: &api.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &api.NodeSelector{NodeSelectorTerms: []api.NodeSelectorTerm{{
				MatchExpressions: []api.NodeSelectorRequirement{{Key: key, Operator: op, Values: values}},
			}}},
		}}
	}
}

func toleration(key, op, value, effect string) podOpt {
	return func(p *api.Pod) {
		p.Spec.Tolerations = append(p.Spec.Tolerations, api.Toleration{Key: key, Operator: op, Value: value, Effect: effect})
	}
}

func ownedBy(uid string) podOpt {
	yes := true
	return func(p *api.Pod) {
		p.OwnerReferences = []api.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "rs-" + uid, UID: uid, Controller: &yes}}
	}
}

type nodeOpt func(*api.Node)

// newNode returns a Ready node with the given allocatable CPU and memory
// and room for 110 pods.
func newNode(name, cpu, mem string, opts ...nodeOpt) *api.Node {
	alloc := resources(cpu, mem)
	alloc[api.ResourcePods] = api.MustParseQuantity("110")
	n := &api.Node{
		ObjectMeta: api.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name}},
		Status: api.NodeStatus{Capacity: alloc, Allocatable: alloc,
			Conditions: []api.NodeCondition{{Type: api.NodeReady, Status: api.ConditionTrue}}},
	}
	for _, o := range opts {
		o(n)
	}
	return n
}

func maxPods(n string) nodeOpt {
	return func(node *api.Node) { node.Status.Allocatable[api.ResourcePods] = api.MustParseQuantity(n) }
}

func taint(key, value, effect string) nodeOpt {
	return func(n *api.Node) {
		n.Spec.Taints = append(n.Spec.Taints, api.Taint{Key: key, Value: value, Effect: effect})
	}
}

func label(k, v string) nodeOpt { return func(n *api.Node) { n.Labels[k] = v } }

func cordoned(n *api.Node) { n.Spec.Unschedulable = true }

func notReady(n *api.Node) { n.Status.Conditions[0].Status = api.ConditionFalse }

// infoWith returns node's NodeInfo with pods counted on it.
func infoWith(node *api.Node, pods ...*api.Pod) *NodeInfo {
	ni := NewNodeInfo(node)
	for _, p := range pods {
		ni.AddPod(p)
	}
	return ni
}
