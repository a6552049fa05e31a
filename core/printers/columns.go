package printers

// The per-kind columns and row functions of get tables. Each mirrors the
// printer of the same kind in kubectl (pkg/printers/internalversion).

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

var podColumns = []Column{
	{Name: "NAME"}, {Name: "READY"}, {Name: "STATUS"}, {Name: "RESTARTS"}, {Name: "AGE"},
	{Name: "IP", Wide: true}, {Name: "NODE", Wide: true},
	{Name: "NOMINATED NODE", Wide: true}, {Name: "READINESS GATES", Wide: true},
}

// podRow: see summarizePod for READY, STATUS and RESTARTS. tinykube pods
// have no nominated node or readiness gates yet, so those show "<none>".
func podRow(p *api.Pod, now time.Time) Row {
	s := summarizePod(p, now)
	ip := p.Status.PodIP
	if len(p.Status.PodIPs) > 0 {
		ip = p.Status.PodIPs[0].IP
	}
	return Row{Cells: []string{
		p.Name, fmt.Sprintf("%d/%d", s.ready, s.total), s.status, s.restarts, Age(p.CreationTimestamp, now),
		orNone(ip), orNone(p.Spec.NodeName), "<none>", "<none>",
	}}
}

var nodeColumns = []Column{
	{Name: "NAME"}, {Name: "STATUS"}, {Name: "ROLES"}, {Name: "AGE"}, {Name: "VERSION"},
	{Name: "INTERNAL-IP", Wide: true}, {Name: "EXTERNAL-IP", Wide: true}, {Name: "OS-IMAGE", Wide: true},
	{Name: "KERNEL-VERSION", Wide: true}, {Name: "CONTAINER-RUNTIME", Wide: true},
}

// nodeRow: STATUS is "Ready" when the Ready condition is True, "NotReady"
// when it is False or Unknown (a node whose heartbeat stopped), "Unknown"
// when the node has never reported one, plus ",SchedulingDisabled" when
// cordoned.
func nodeRow(n *api.Node, now time.Time) Row {
	status := "Unknown"
	if c := n.Status.FindCondition(api.NodeReady); c != nil {
		status = "NotReady"
		if c.Status == api.ConditionTrue {
			status = "Ready"
		}
	}
	if n.Spec.Unschedulable {
		status += ",SchedulingDisabled"
	}
	info := n.Status.NodeInfo
	return Row{Cells: []string{
		n.Name, status, orNone(strings.Join(nodeRoles(n), ",")), Age(n.CreationTimestamp, now), info.KubeletVersion,
		nodeAddress(n, "InternalIP"), nodeAddress(n, "ExternalIP"),
		orUnknown(info.OSImage), orUnknown(info.KernelVersion), orUnknown(info.ContainerRuntimeVersion),
	}}
}

// nodeRoles reads roles from labels as kubectl does:
// node-role.kubernetes.io/<role> and kubernetes.io/role=<role>, sorted.
func nodeRoles(n *api.Node) []string {
	var roles []string
	for k, v := range n.Labels {
		switch {
		case strings.HasPrefix(k, "node-role.kubernetes.io/"):
			if r := strings.TrimPrefix(k, "node-role.kubernetes.io/"); r != "" {
				roles = append(roles, r)
			}
		case k == "kubernetes.io/role" && v != "":
			roles = append(roles, v)
		}
	}
	slices.Sort(roles)
	return slices.Compact(roles)
}

// nodeAddress returns the node's first address of type t, or "<none>".
func nodeAddress(n *api.Node, t string) string {
	for _, a := range n.Status.Addresses {
		if a.Type == t {
			return a.Address
		}
	}
	return "<none>"
}

var namespaceColumns = []Column{{Name: "NAME"}, {Name: "STATUS"}, {Name: "AGE"}}

func namespaceRow(ns *api.Namespace, now time.Time) Row {
	return Row{Cells: []string{ns.Name, ns.Status.Phase, Age(ns.CreationTimestamp, now)}}
}

var replicaSetColumns = []Column{
	{Name: "NAME"}, {Name: "DESIRED"}, {Name: "CURRENT"}, {Name: "READY"}, {Name: "AGE"},
	{Name: "CONTAINERS", Wide: true}, {Name: "IMAGES", Wide: true}, {Name: "SELECTOR", Wide: true},
}

func replicaSetRow(rs *api.ReplicaSet, now time.Time) Row {
	names, images := containerCells(rs.Spec.Template.Spec.Containers)
	return Row{Cells: []string{
		rs.Name, itoa(replicas(rs.Spec.Replicas)), itoa(rs.Status.Replicas), itoa(rs.Status.ReadyReplicas),
		Age(rs.CreationTimestamp, now),
		names, images, formatLabelSelector(rs.Spec.Selector),
	}}
}

var deploymentColumns = []Column{
	{Name: "NAME"}, {Name: "READY"}, {Name: "UP-TO-DATE"}, {Name: "AVAILABLE"}, {Name: "AGE"},
	{Name: "CONTAINERS", Wide: true}, {Name: "IMAGES", Wide: true}, {Name: "SELECTOR", Wide: true},
}

// deploymentRow: READY is ready/desired replicas. An empty selector prints
// as an empty cell, as in kubectl (unlike ReplicaSet's "<none>").
func deploymentRow(d *api.Deployment, now time.Time) Row {
	names, images := containerCells(d.Spec.Template.Spec.Containers)
	return Row{Cells: []string{
		d.Name, fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, replicas(d.Spec.Replicas)),
		itoa(d.Status.UpdatedReplicas), itoa(d.Status.AvailableReplicas), Age(d.CreationTimestamp, now),
		names, images, selectorString(d.Spec.Selector),
	}}
}

// containerCells returns the CONTAINERS and IMAGES cells of a template.
func containerCells(cs []api.Container) (names, images string) {
	var ns, is []string
	for _, c := range cs {
		ns = append(ns, c.Name)
		is = append(is, c.Image)
	}
	return strings.Join(ns, ","), strings.Join(is, ",")
}

var serviceColumns = []Column{
	{Name: "NAME"}, {Name: "TYPE"}, {Name: "CLUSTER-IP"}, {Name: "EXTERNAL-IP"}, {Name: "PORT(S)"}, {Name: "AGE"},
	{Name: "SELECTOR", Wide: true},
}

// serviceRow: EXTERNAL-IP is the external IPs, the load balancer's
// addresses, "<pending>" for a LoadBalancer that has none yet, the DNS name
// of an ExternalName service, or "<none>".
func serviceRow(s *api.Service, now time.Time) Row {
	clusterIP := "<none>"
	if len(s.Spec.ClusterIPs) > 0 {
		clusterIP = s.Spec.ClusterIPs[0]
	} else if s.Spec.ClusterIP != "" {
		clusterIP = s.Spec.ClusterIP
	}
	ports := servicePorts(s.Spec.Ports)
	row := Row{Cells: []string{
		s.Name, s.Spec.Type, clusterIP, serviceExternalIP(s, true), orNone(ports), Age(s.CreationTimestamp, now),
		formatLabels(s.Spec.Selector),
	}}
	if narrow := serviceExternalIP(s, false); narrow != row.Cells[3] {
		row.Narrow = map[int]string{3: narrow}
	}
	return row
}

// serviceExternalIP is kubectl's EXTERNAL-IP cell. Outside -o wide kubectl
// cuts a load-balancer address list longer than 16 characters to 13 and
// "...".
func serviceExternalIP(s *api.Service, wide bool) string {
	switch s.Spec.Type {
	case api.ServiceClusterIP, api.ServiceNodePort:
		if len(s.Spec.ExternalIPs) > 0 {
			return strings.Join(s.Spec.ExternalIPs, ",")
		}
		return "<none>"
	case api.ServiceLoadBalancer:
		var lb []string
		for _, in := range s.Status.LoadBalancer.Ingress {
			if in.IP != "" {
				lb = append(lb, in.IP)
			} else if in.Hostname != "" {
				lb = append(lb, in.Hostname)
			}
		}
		slices.Sort(lb)
		lbs := strings.Join(slices.Compact(lb), ",")
		if !wide && len(lbs) > 16 {
			lbs = lbs[:13] + "..."
		}
		var all []string
		if lbs != "" {
			all = append(all, lbs)
		}
		all = append(all, s.Spec.ExternalIPs...)
		if len(all) == 0 {
			return "<pending>"
		}
		return strings.Join(all, ",")
	case api.ServiceExternalName:
		return s.Spec.ExternalName
	}
	return "<unknown>"
}

// servicePorts is the PORT(S) cell: "80/TCP", "80:30080/TCP", comma
// separated. An unset protocol is TCP, the API's default.
func servicePorts(ps []api.ServicePort) string {
	var parts []string
	for _, p := range ps {
		if p.NodePort > 0 {
			parts = append(parts, fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, protocol(p.Protocol)))
		} else {
			parts = append(parts, fmt.Sprintf("%d/%s", p.Port, protocol(p.Protocol)))
		}
	}
	return strings.Join(parts, ",")
}

var endpointsColumns = []Column{{Name: "NAME"}, {Name: "ENDPOINTS"}, {Name: "AGE"}}

func endpointsRow(e *api.Endpoints, now time.Time) Row {
	return Row{Cells: []string{e.Name, formatEndpoints(e, nil), Age(e.CreationTimestamp, now)}}
}

// formatEndpoints lists the ready addresses as ip:port, at most three, then
// " + N more...", as kubectl does. With portName set only ports of that
// name count (describe service, one line per port). An object without
// subsets is "<none>"; one with only not-ready addresses is "".
func formatEndpoints(e *api.Endpoints, portName *string) string {
	if len(e.Subsets) == 0 {
		return "<none>"
	}
	const max = 3
	var list []string
	count := 0
	for _, ss := range e.Subsets {
		if len(ss.Ports) == 0 { // a headless service without ports
			count += len(ss.Addresses)
			for _, a := range ss.Addresses {
				if len(list) < max {
					list = append(list, a.IP)
				}
			}
			continue
		}
		for _, p := range ss.Ports {
			if portName != nil && p.Name != *portName {
				continue
			}
			count += len(ss.Addresses)
			for _, a := range ss.Addresses {
				if len(list) < max {
					list = append(list, joinHostPort(a.IP, p.Port))
				}
			}
		}
	}
	out := strings.Join(list, ",")
	if count > max {
		return fmt.Sprintf("%s + %d more...", out, count-max)
	}
	return out
}

// joinHostPort is net.JoinHostPort without importing net: IPv6 addresses
// are bracketed.
func joinHostPort(ip string, port int32) string {
	if strings.Contains(ip, ":") {
		return "[" + ip + "]:" + itoa(port)
	}
	return ip + ":" + itoa(port)
}

var eventColumns = []Column{
	{Name: "LAST SEEN"}, {Name: "TYPE"}, {Name: "REASON"}, {Name: "OBJECT"},
	{Name: "SUBOBJECT", Wide: true}, {Name: "SOURCE", Wide: true},
	{Name: "MESSAGE"},
	{Name: "FIRST SEEN", Wide: true}, {Name: "COUNT", Wide: true}, {Name: "NAME", Wide: true},
}

// eventRow: OBJECT is "kind/name" of the involved object. LAST SEEN falls
// back to the first timestamp, and COUNT to 1, as for events written by the
// newer events API.
func eventRow(e *api.Event, now time.Time) Row {
	first := Age(e.FirstTimestamp, now)
	last := first
	if e.LastTimestamp != nil && !e.LastTimestamp.IsZero() {
		last = Age(e.LastTimestamp, now)
	}
	count := e.Count
	if count == 0 {
		count = 1
	}
	object := strings.ToLower(e.InvolvedObject.Kind)
	if e.InvolvedObject.Name != "" {
		object += "/" + e.InvolvedObject.Name
	}
	return Row{Cells: []string{
		last, e.Type, e.Reason, object,
		e.InvolvedObject.FieldPath, eventSource(e),
		strings.TrimSpace(e.Message),
		first, itoa(count), e.Name,
	}}
}

// eventSource is "component, host", falling back to the reporting
// component and instance, or "<unknown>".
func eventSource(e *api.Event) string {
	component := cmp.Or(e.Source.Component, e.ReportingComponent)
	instance := cmp.Or(e.Source.Host, e.ReportingInstance)
	switch {
	case component == "":
		return "<unknown>"
	case instance != "":
		return component + ", " + instance
	}
	return component
}

var configMapColumns = []Column{{Name: "NAME"}, {Name: "DATA"}, {Name: "AGE"}}

func configMapRow(c *api.ConfigMap, now time.Time) Row {
	return Row{Cells: []string{c.Name, strconv.Itoa(len(c.Data) + len(c.BinaryData)), Age(c.CreationTimestamp, now)}}
}

var secretColumns = []Column{{Name: "NAME"}, {Name: "TYPE"}, {Name: "DATA"}, {Name: "AGE"}}

func secretRow(s *api.Secret, now time.Time) Row {
	return Row{Cells: []string{s.Name, s.Type, strconv.Itoa(len(s.Data)), Age(s.CreationTimestamp, now)}}
}

var serviceAccountColumns = []Column{{Name: "NAME"}, {Name: "SECRETS"}, {Name: "AGE"}}

func serviceAccountRow(sa *api.ServiceAccount, now time.Time) Row {
	return Row{Cells: []string{sa.Name, strconv.Itoa(len(sa.Secrets)), Age(sa.CreationTimestamp, now)}}
}

var leaseColumns = []Column{{Name: "NAME"}, {Name: "HOLDER"}, {Name: "AGE"}}

func leaseRow(l *api.Lease, now time.Time) Row {
	holder := ""
	if l.Spec.HolderIdentity != nil {
		holder = *l.Spec.HolderIdentity
	}
	return Row{Cells: []string{l.Name, holder, Age(l.CreationTimestamp, now)}}
}

// replicas reads spec.replicas; unset means 1, the API's default.
func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// protocol reads a port's protocol; unset means TCP, the API's default.
func protocol(p api.Protocol) api.Protocol {
	return cmp.Or(p, api.ProtocolTCP)
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

func orNone(s string) string    { return cmp.Or(s, "<none>") }
func orUnknown(s string) string { return cmp.Or(s, "<unknown>") }
