package printers

import (
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// node writes kubectl's describe of a node, without the list of pods on it
// and their summed requests, which would need the pods.
func (d *describer) node(n *api.Node) {
	d.nameAndNamespace(&n.ObjectMeta)
	d.line(0, "Roles:\t%s\n", orNone(strings.Join(nodeRoles(n), ",")))
	d.labels("Labels", n.Labels)
	d.annotations("Annotations", n.Annotations)
	d.line(0, "CreationTimestamp:\t%s\n", timestamp(n.CreationTimestamp))
	d.taints(n.Spec.Taints)
	d.line(0, "Unschedulable:\t%t\n", n.Spec.Unschedulable)
	if len(n.Status.Conditions) > 0 {
		d.line(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
		d.line(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
		for _, c := range n.Status.Conditions {
			d.line(1, "%s \t%s \t%s \t%s \t%s \t%s\n", c.Type, c.Status,
				timestamp(c.LastHeartbeatTime), timestamp(c.LastTransitionTime), c.Reason, c.Message)
		}
	}
	d.line(0, "Addresses:\n")
	for _, a := range n.Status.Addresses {
		d.line(1, "%s:\t%s\n", a.Type, a.Address)
	}
	if len(n.Status.Capacity) > 0 {
		d.line(0, "Capacity:\n")
		d.resourceList(1, n.Status.Capacity)
	}
	if len(n.Status.Allocatable) > 0 {
		d.line(0, "Allocatable:\n")
		d.resourceList(1, n.Status.Allocatable)
	}
	info := n.Status.NodeInfo
	d.line(0, "System Info:\n")
	d.line(1, "Machine ID:\t%s\n", info.MachineID)
	d.line(1, "Kernel Version:\t%s\n", info.KernelVersion)
	d.line(1, "OS Image:\t%s\n", info.OSImage)
	d.line(1, "Operating System:\t%s\n", info.OperatingSystem)
	d.line(1, "Architecture:\t%s\n", info.Architecture)
	d.line(1, "Container Runtime Version:\t%s\n", info.ContainerRuntimeVersion)
	d.line(1, "Kubelet Version:\t%s\n", info.KubeletVersion)
	if n.Spec.PodCIDR != "" {
		d.line(0, "PodCIDR:\t%s\n", n.Spec.PodCIDR)
	}
	if len(n.Spec.PodCIDRs) > 0 {
		d.line(0, "PodCIDRs:\t%s\n", strings.Join(n.Spec.PodCIDRs, ","))
	}
	if n.Spec.ProviderID != "" {
		d.line(0, "ProviderID:\t%s\n", n.Spec.ProviderID)
	}
}

// taints writes "key=value:Effect" lines sorted by effect then key.
func (d *describer) taints(ts []api.Taint) {
	d.line(0, "Taints:\t")
	if len(ts) == 0 {
		d.line(0, "<none>\n")
		return
	}
	ts = slices.Clone(ts)
	slices.SortStableFunc(ts, func(a, b api.Taint) int {
		return strings.Compare(a.Effect+","+a.Key, b.Effect+","+b.Key)
	})
	for i, t := range ts {
		if i > 0 {
			d.line(0, "\t")
		}
		s := t.Key
		if t.Value != "" {
			s += "=" + t.Value
		}
		if t.Effect != "" {
			s += ":" + t.Effect
		}
		d.line(0, "%s\n", s)
	}
}
