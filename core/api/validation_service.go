package api

var (
	serviceTypes      = []string{ServiceClusterIP, ServiceExternalName, ServiceLoadBalancer, ServiceNodePort}
	sessionAffinities = []string{"ClientIP", "None"}
)

// validateService checks a Service. Allocating the cluster IP and node
// ports, and checking them against the cluster's ranges, is the API
// server's job; here a set cluster IP need only be an address.
func validateService(svc *Service) FieldErrors {
	errs := validateObjectMeta(&svc.ObjectMeta, true, IsDNS1035Label, "metadata")
	p := path("spec")
	s := &svc.Spec
	if s.Type != "" && !oneOf(s.Type, serviceTypes...) {
		errs = append(errs, FieldNotSupported(p.child("type").String(), s.Type, serviceTypes))
	}
	headless := s.ClusterIP == "None"
	if len(s.Ports) == 0 && !headless && s.Type != ServiceExternalName {
		errs = append(errs, FieldRequired(p.child("ports").String(), ""))
	}
	names := map[string]bool{}
	for i, port := range s.Ports {
		ip := p.child("ports").index(i)
		if port.Name == "" {
			if len(s.Ports) > 1 {
				errs = append(errs, FieldRequired(ip.child("name").String(), ""))
			}
		} else {
			errs = append(errs, validateName(port.Name, IsDNS1123Label, ip.child("name"))...)
			if names[port.Name] {
				errs = append(errs, FieldDuplicate(ip.child("name").String(), port.Name))
			}
			names[port.Name] = true
		}
		for _, msg := range IsValidPortNum(int(port.Port)) {
			errs = append(errs, FieldInvalid(ip.child("port").String(), port.Port, msg))
		}
		if port.Protocol != "" && !oneOf(string(port.Protocol), protocols...) {
			errs = append(errs, FieldNotSupported(ip.child("protocol").String(), string(port.Protocol), protocols))
		}
		// An unset target port (0 or "") is defaulted to port.
		if port.TargetPort.IsString && port.TargetPort.StrVal != "" || !port.TargetPort.IsString && port.TargetPort.IntVal != 0 {
			errs = append(errs, validatePortNumOrName(port.TargetPort, ip.child("targetPort"))...)
		}
		if port.NodePort != 0 {
			if port.NodePort < 0 || port.NodePort > 65535 {
				errs = append(errs, FieldInvalid(ip.child("nodePort").String(), port.NodePort, inclusiveRangeError(0, 65535)))
			}
			if s.Type == "" || s.Type == ServiceClusterIP {
				errs = append(errs, FieldForbidden(ip.child("nodePort").String(), "may not be used when `type` is 'ClusterIP'"))
			}
		}
	}
	switch {
	case s.Type == ServiceExternalName:
		if s.ClusterIP != "" {
			errs = append(errs, FieldForbidden(p.child("clusterIP").String(), "may not be set for ExternalName services"))
		}
		if s.ExternalName == "" {
			errs = append(errs, FieldRequired(p.child("externalName").String(), ""))
		} else {
			errs = append(errs, validateName(trimDot(s.ExternalName), IsDNS1123Subdomain, p.child("externalName"))...)
		}
	case s.ClusterIP != "" && !headless && !IsValidIP(s.ClusterIP):
		errs = append(errs, FieldInvalid(p.child("clusterIP").String(), s.ClusterIP, ipErrMsg))
	}
	for i, ip := range s.ClusterIPs {
		if ip != "None" && !IsValidIP(ip) {
			errs = append(errs, FieldInvalid(p.child("clusterIPs").index(i).String(), ip, ipErrMsg))
		}
	}
	if len(s.ClusterIPs) > 0 && s.ClusterIP != "" && s.ClusterIPs[0] != s.ClusterIP {
		errs = append(errs, FieldInvalid(p.child("clusterIPs").String(), s.ClusterIPs, "first value must match `clusterIP`"))
	}
	for i, ip := range s.ExternalIPs {
		if !IsValidIP(ip) {
			errs = append(errs, FieldInvalid(p.child("externalIPs").index(i).String(), ip, ipErrMsg))
		}
	}
	if s.SessionAffinity != "" && !oneOf(s.SessionAffinity, sessionAffinities...) {
		errs = append(errs, FieldNotSupported(p.child("sessionAffinity").String(), s.SessionAffinity, sessionAffinities))
	}
	if c := s.SessionAffinityConfig; c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil {
		tp := p.child("sessionAffinityConfig").child("clientIP").child("timeoutSeconds")
		switch t := *c.ClientIP.TimeoutSeconds; {
		case s.SessionAffinity != "ClientIP":
			errs = append(errs, FieldForbidden(tp.String(), "may only be set when `sessionAffinity` is 'ClientIP'"))
		case t <= 0 || t > 86400:
			errs = append(errs, FieldInvalid(tp.String(), t, inclusiveRangeError(1, 86400)))
		}
	}
	errs = append(errs, validateLabels(s.Selector, p.child("selector"))...)
	return errs
}

func trimDot(s string) string {
	if len(s) > 1 && s[len(s)-1] == '.' {
		return s[:len(s)-1]
	}
	return s
}

// validateEndpoints checks addresses and ports. Which pods stand behind
// which addresses is the endpoints controller's business, not validation's.
func validateEndpoints(ep *Endpoints) FieldErrors {
	errs := validateObjectMeta(&ep.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	for i, ss := range ep.Subsets {
		sp := path("subsets").index(i)
		for _, list := range []struct {
			addrs []EndpointAddress
			name  string
		}{{ss.Addresses, "addresses"}, {ss.NotReadyAddresses, "notReadyAddresses"}} {
			for j, a := range list.addrs {
				ap := sp.child(list.name).index(j)
				if !IsValidIP(a.IP) {
					errs = append(errs, FieldInvalid(ap.child("ip").String(), a.IP, ipErrMsg))
				}
				if a.Hostname != "" {
					errs = append(errs, validateName(a.Hostname, IsDNS1123Label, ap.child("hostname"))...)
				}
				if a.NodeName != nil {
					errs = append(errs, validateName(*a.NodeName, IsDNS1123Subdomain, ap.child("nodeName"))...)
				}
			}
		}
		names := map[string]bool{}
		for j, port := range ss.Ports {
			pp := sp.child("ports").index(j)
			if port.Name == "" {
				if len(ss.Ports) > 1 {
					errs = append(errs, FieldRequired(pp.child("name").String(), ""))
				}
			} else {
				errs = append(errs, validateName(port.Name, IsDNS1123Label, pp.child("name"))...)
				if names[port.Name] {
					errs = append(errs, FieldDuplicate(pp.child("name").String(), port.Name))
				}
				names[port.Name] = true
			}
			for _, msg := range IsValidPortNum(int(port.Port)) {
				errs = append(errs, FieldInvalid(pp.child("port").String(), port.Port, msg))
			}
			if port.Protocol != "" && !oneOf(string(port.Protocol), protocols...) {
				errs = append(errs, FieldNotSupported(pp.child("protocol").String(), string(port.Protocol), protocols))
			}
		}
	}
	return errs
}
