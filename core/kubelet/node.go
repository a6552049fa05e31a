package kubelet

import (
	"context"
	"maps"
	"slices"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// LeaseNamespace holds the nodes' heartbeat Leases.
const LeaseNamespace = "kube-node-lease"

// LabelHostname is the node label naming the node.
const LabelHostname = "kubernetes.io/hostname"

// nodeLabels are the labels the kubelet puts on its Node.
func (k *Kubelet) nodeLabels() map[string]string {
	l := map[string]string{LabelHostname: k.cfg.NodeName}
	maps.Copy(l, k.cfg.Labels)
	return l
}

// nodeStatus is the status the kubelet reports, with a fresh heartbeat.
// The Ready condition keeps its transition time from prev.
func (k *Kubelet) nodeStatus(prev *api.NodeStatus) api.NodeStatus {
	now := api.NewTime(k.cfg.Loop.Now())
	ready := api.NodeCondition{Type: api.NodeReady, Status: api.ConditionTrue, LastHeartbeatTime: now,
		LastTransitionTime: now, Reason: "KubeletReady", Message: "kubelet is posting ready status"}
	if prev != nil {
		if c := prev.FindCondition(api.NodeReady); c != nil && c.Status == ready.Status && c.LastTransitionTime != nil {
			ready.LastTransitionTime = c.LastTransitionTime
		}
	}
	var addrs []api.NodeAddress
	if k.cfg.Address != "" {
		addrs = append(addrs, api.NodeAddress{Type: "InternalIP", Address: k.cfg.Address})
	}
	addrs = append(addrs, api.NodeAddress{Type: "Hostname", Address: k.cfg.NodeName})
	name, version := k.runtime.Version()
	return api.NodeStatus{
		Capacity:        maps.Clone(k.cfg.Capacity),
		Allocatable:     maps.Clone(k.cfg.Capacity),
		Conditions:      []api.NodeCondition{ready},
		Addresses:       addrs,
		DaemonEndpoints: api.NodeDaemonEndpoints{KubeletEndpoint: api.DaemonEndpoint{Port: k.cfg.Port}},
		NodeInfo: api.NodeSystemInfo{MachineID: k.cfg.NodeName, KubeletVersion: "tinykube",
			ContainerRuntimeVersion: name + "://" + version, OperatingSystem: "linux"},
	}
}

// postNodeStatus registers the Node the first time (creating it, or
// taking over one that exists) and posts its status. Afterwards it reads
// the Node each time and posts the status only if it differs from what
// the Node says (the node controller marked it Unknown, the runtime
// changed) or ReportInterval has passed, as Kubernetes' kubelet does since
// NodeLease: the Lease says the node lives, and an unchanged Node is not
// written, nor sent to everyone who watches Nodes, every 10 seconds. A
// failed write leaves k.node nil, so the next tick registers again if it
// must.
func (k *Kubelet) postNodeStatus() {
	ctx := context.Background()
	nodes := client.For[*api.Node](k.cfg.Client)
	if k.node != nil {
		n, err := nodes.Get(ctx, "", k.cfg.NodeName)
		if api.IsNotFound(err) {
			k.node = nil // deleted: register again on the next tick
			return
		}
		if err != nil {
			return
		}
		k.node = n
		if !k.statusDue(n) {
			return
		}
	} else {
		n, err := nodes.Get(ctx, "", k.cfg.NodeName)
		if api.IsNotFound(err) {
			fresh := &api.Node{ObjectMeta: api.ObjectMeta{Name: k.cfg.NodeName, Labels: k.nodeLabels()}}
			fresh.Status = k.nodeStatus(nil)
			created, err := nodes.Create(ctx, fresh, client.WriteOptions{})
			if err == nil {
				k.node, k.reported = created, k.cfg.Loop.Now()
				k.event(created, client.EventNormal, "RegisteredNode", "Node %s event: Registered Node %s", k.cfg.NodeName, k.cfg.NodeName)
			}
			return
		}
		if err != nil {
			return
		}
		// The node exists (a restarted kubelet): make sure it carries our
		// labels, then fall through to post our status.
		want := n.Labels
		if want == nil {
			want = map[string]string{}
		}
		changed := false
		for key, v := range k.nodeLabels() {
			if want[key] != v {
				want[key] = v
				changed = true
			}
		}
		if changed {
			n.Labels = want
			if n, err = nodes.Update(ctx, n, client.WriteOptions{}); err != nil {
				return
			}
		}
		k.node = n
	}
	n := *k.node
	n.Status = k.nodeStatus(&k.node.Status)
	updated, err := nodes.UpdateStatus(context.Background(), &n, client.WriteOptions{})
	if err != nil {
		k.node = nil
		return
	}
	k.node = updated
	k.reported = k.cfg.Loop.Now()
}

// statusDue reports whether n's status must be posted: ReportInterval has
// passed since the last post, or the status the kubelet would post differs
// from n's in anything but heartbeat times.
func (k *Kubelet) statusDue(n *api.Node) bool {
	if k.cfg.Loop.Now().Sub(k.reported) >= k.cfg.ReportInterval {
		return true
	}
	return !sameNodeStatus(n.Status, k.nodeStatus(&n.Status))
}

// sameNodeStatus reports whether a and b say the same, heartbeat times
// aside: quantities by value, conditions and addresses in order.
func sameNodeStatus(a, b api.NodeStatus) bool {
	sameList := func(x, y api.ResourceList) bool {
		if len(x) != len(y) {
			return false
		}
		for name, q := range x {
			if o, ok := y[name]; !ok || q.Cmp(o) != 0 {
				return false
			}
		}
		return true
	}
	sameTime := func(x, y *api.Time) bool {
		return (x == nil) == (y == nil) && (x == nil || x.Equal(y.Time))
	}
	sameCond := func(x, y api.NodeCondition) bool {
		return x.Type == y.Type && x.Status == y.Status && x.Reason == y.Reason && x.Message == y.Message &&
			sameTime(x.LastTransitionTime, y.LastTransitionTime)
	}
	return sameList(a.Capacity, b.Capacity) && sameList(a.Allocatable, b.Allocatable) && a.Phase == b.Phase &&
		slices.EqualFunc(a.Conditions, b.Conditions, sameCond) && slices.Equal(a.Addresses, b.Addresses) &&
		a.DaemonEndpoints == b.DaemonEndpoints && a.NodeInfo == b.NodeInfo
}

// renewLease creates or renews the node's Lease in kube-node-lease: the
// cheap heartbeat the node controller watches.
func (k *Kubelet) renewLease() {
	ctx := context.Background()
	leases := client.For[*api.Lease](k.cfg.Client)
	now := api.NewMicroTime(k.cfg.Loop.Now())
	holder := k.cfg.NodeName
	secs := int32(k.cfg.LeaseDuration.Seconds())
	if k.lease == nil {
		l, err := leases.Get(ctx, LeaseNamespace, k.cfg.NodeName)
		if api.IsNotFound(err) {
			fresh := &api.Lease{ObjectMeta: api.ObjectMeta{Name: k.cfg.NodeName, Namespace: LeaseNamespace},
				Spec: api.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &secs, AcquireTime: now, RenewTime: now}}
			created, err := leases.Create(ctx, fresh, client.WriteOptions{})
			if api.IsNotFound(err) {
				// The namespace is missing: tinykube's API server does not
				// create it, so the first kubelet does.
				ns := &api.Namespace{ObjectMeta: api.ObjectMeta{Name: LeaseNamespace}}
				if _, nsErr := client.For[*api.Namespace](k.cfg.Client).Create(ctx, ns, client.WriteOptions{}); nsErr == nil || api.IsAlreadyExists(nsErr) {
					created, err = leases.Create(ctx, fresh, client.WriteOptions{})
				}
			}
			if err == nil {
				k.lease = created
			}
			return
		}
		if err != nil {
			return
		}
		k.lease = l
	}
	l := *k.lease
	l.Spec.HolderIdentity = &holder
	l.Spec.LeaseDurationSeconds = &secs
	l.Spec.RenewTime = now
	updated, err := leases.Update(ctx, &l, client.WriteOptions{})
	if err != nil {
		k.lease = nil
		return
	}
	k.lease = updated
}
