package endpoints

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// Subsets returns the subsets an Endpoints object for svc should hold,
// given pods: every pod in the service's namespace that its selector
// matches (Subsets does not check the selector or namespace again).
// The result is canonical — subsets ordered by their ports, ports by name,
// addresses by IP then pod name, empty lists nil — so that equal inputs
// give equal (and equally marshalled) outputs, whatever the order of pods.
//
// As Kubernetes does, a service without ports lists its pods (in one
// subset without ports) only when it is headless.
func Subsets(svc *api.Service, pods []*api.Pod) []api.EndpointSubset {
	type group struct {
		ports           []api.EndpointPort
		ready, notReady []api.EndpointAddress
	}
	groups := map[string]*group{}
	for _, p := range pods {
		if !listed(p) {
			continue
		}
		var ports []api.EndpointPort
		if len(svc.Spec.Ports) == 0 {
			if svc.Spec.ClusterIP != clusterIPNone {
				continue
			}
		} else {
			ports = podPorts(svc, p)
			if len(ports) == 0 {
				continue // the pod serves none of the service's ports
			}
		}
		key := portsKey(ports)
		g := groups[key]
		if g == nil {
			g = &group{ports: ports}
			groups[key] = g
		}
		addr := address(svc, p)
		if svc.Spec.PublishNotReadyAddresses || api.IsPodReady(p) {
			g.ready = append(g.ready, addr)
		} else {
			g.notReady = append(g.notReady, addr)
		}
	}
	var out []api.EndpointSubset
	for _, key := range slices.Sorted(maps.Keys(groups)) {
		g := groups[key]
		slices.SortFunc(g.ready, compareAddresses)
		slices.SortFunc(g.notReady, compareAddresses)
		out = append(out, api.EndpointSubset{Addresses: g.ready, NotReadyAddresses: g.notReady, Ports: g.ports})
	}
	return out
}

// listed reports whether p belongs in any Endpoints at all: it has an IP,
// has not finished, and is not terminating. Kubernetes' controller drops a
// terminating pod the moment its deletionTimestamp is set, so that the
// proxies stop sending it new connections while it shuts down.
func listed(p *api.Pod) bool {
	return p.Status.PodIP != "" && api.IsPodActive(p)
}

// podPorts resolves each of the service's ports on p, sorted by name. A
// port whose target is a name p's containers do not declare (with the
// same protocol) is left out.
func podPorts(svc *api.Service, p *api.Pod) []api.EndpointPort {
	var out []api.EndpointPort
	for _, sp := range svc.Spec.Ports {
		proto := protocol(sp.Protocol)
		n, ok := targetPort(sp, proto, p)
		if !ok {
			continue
		}
		out = append(out, api.EndpointPort{Name: sp.Name, Port: n, Protocol: proto})
	}
	slices.SortFunc(out, comparePorts)
	return out
}

// targetPort returns the port number sp sends traffic to on p: its
// targetPort when that is a number, the service port itself when the
// target is unset, or the container port named by the target.
func targetPort(sp api.ServicePort, proto api.Protocol, p *api.Pod) (int32, bool) {
	t := sp.TargetPort
	switch {
	case !t.IsString && t.IntVal == 0, t.IsString && t.StrVal == "":
		return sp.Port, true
	case !t.IsString:
		return t.IntVal, true
	}
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == t.StrVal && protocol(cp.Protocol) == proto {
				return cp.ContainerPort, true
			}
		}
	}
	return 0, false
}

// address is p's entry in svc's Endpoints. The hostname is set only for a
// pod that asked to be found under this service (spec.subdomain): that is
// what gives StatefulSet pods their own DNS names under a headless service.
func address(svc *api.Service, p *api.Pod) api.EndpointAddress {
	a := api.EndpointAddress{
		IP:        p.Status.PodIP,
		TargetRef: &api.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID},
	}
	if p.Spec.NodeName != "" {
		node := p.Spec.NodeName
		a.NodeName = &node
	}
	if p.Spec.Hostname != "" && p.Spec.Subdomain == svc.Name {
		a.Hostname = p.Spec.Hostname
	}
	return a
}

// clusterIPNone is the clusterIP of a headless service.
const clusterIPNone = "None"

func protocol(p api.Protocol) api.Protocol {
	if p == "" {
		return api.ProtocolTCP
	}
	return p
}

func comparePorts(a, b api.EndpointPort) int {
	return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.Port, b.Port), strings.Compare(string(a.Protocol), string(b.Protocol)))
}

func compareAddresses(a, b api.EndpointAddress) int {
	return cmp.Or(strings.Compare(a.IP, b.IP), strings.Compare(a.TargetRef.Name, b.TargetRef.Name))
}

// portsKey names a sorted port set; pods with equal keys share a subset,
// and subsets are ordered by it.
func portsKey(ports []api.EndpointPort) string {
	var b strings.Builder
	for _, p := range ports {
		b.WriteString(p.Name)
		b.WriteByte(0)
		b.WriteString(string(p.Protocol))
		b.WriteByte(0)
		b.WriteString(strconv.Itoa(int(p.Port)))
		b.WriteByte(0)
	}
	return b.String()
}
