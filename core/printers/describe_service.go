package printers

import (
	"cmp"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// service writes kubectl's describe of a service. ep may be nil, in which
// case every port's endpoints are "<none>".
func (d *describer) service(s *api.Service, ep *api.Endpoints) {
	d.nameAndNamespace(&s.ObjectMeta)
	d.labels("Labels", s.Labels)
	d.annotations("Annotations", s.Annotations)
	d.line(0, "Selector:\t%s\n", formatLabels(s.Spec.Selector))
	d.line(0, "Type:\t%s\n", s.Spec.Type)
	d.line(0, "IP:\t%s\n", s.Spec.ClusterIP)
	if len(s.Spec.ClusterIPs) > 0 {
		d.line(0, "IPs:\t%s\n", strings.Join(s.Spec.ClusterIPs, ","))
	} else {
		d.line(0, "IPs:\t<none>\n")
	}
	if len(s.Spec.ExternalIPs) > 0 {
		d.line(0, "External IPs:\t%s\n", strings.Join(s.Spec.ExternalIPs, ","))
	}
	if s.Spec.LoadBalancerIP != "" {
		d.line(0, "IP:\t%s\n", s.Spec.LoadBalancerIP)
	}
	if s.Spec.ExternalName != "" {
		d.line(0, "External Name:\t%s\n", s.Spec.ExternalName)
	}
	if in := s.Status.LoadBalancer.Ingress; len(in) > 0 {
		var addrs []string
		for _, i := range in {
			addrs = append(addrs, cmp.Or(i.IP, i.Hostname))
		}
		d.line(0, "LoadBalancer Ingress:\t%s\n", strings.Join(addrs, ", "))
	}
	for _, p := range s.Spec.Ports {
		name := p.Name
		if name == "" {
			name = "<unset>"
		}
		proto := protocol(p.Protocol)
		d.line(0, "Port:\t%s\t%d/%s\n", name, p.Port, proto)
		d.line(0, "TargetPort:\t%s/%s\n", p.TargetPort.String(), proto)
		if p.NodePort != 0 {
			d.line(0, "NodePort:\t%s\t%d/%s\n", name, p.NodePort, proto)
		}
		endpoints := "<none>"
		if ep != nil {
			endpoints = formatEndpoints(ep, &p.Name)
		}
		d.line(0, "Endpoints:\t%s\n", endpoints)
	}
	d.line(0, "Session Affinity:\t%s\n", s.Spec.SessionAffinity)
	if s.Spec.ExternalTrafficPolicy != "" {
		d.line(0, "External Traffic Policy:\t%s\n", s.Spec.ExternalTrafficPolicy)
	}
	if s.Spec.InternalTrafficPolicy != nil {
		d.line(0, "Internal Traffic Policy:\t%s\n", *s.Spec.InternalTrafficPolicy)
	}
}
