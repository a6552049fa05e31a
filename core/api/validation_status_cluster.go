package api

// The phases of the cluster-scoped and storage kinds.
var (
	nodePhases       = []string{"Pending", "Running", "Terminated"}
	volumePhases     = []string{VolumePending, VolumeAvailable, VolumeBound, VolumeReleased, VolumeFailed}
	claimPhases      = []string{ClaimPending, ClaimBound, ClaimLost}
	nodeAddressTypes = []string{"Hostname", "InternalIP", "ExternalIP", "InternalDNS", "ExternalDNS"}
)

// validateNodeStatus checks what a kubelet reports of its node: capacity
// and allocatable not negative (pods whole), as Kubernetes checks them on
// every node write; no address twice, as Kubernetes checks on update; and,
// beyond Kubernetes, a known phase, well-formed conditions, known address
// types and InternalIP/ExternalIP addresses that are IP addresses (the
// scheduler and every "kubectl get nodes -o wide" read them).
func validateNodeStatus(s *NodeStatus, p path) FieldErrors {
	errs := validatePhase(s.Phase, nodePhases, p.child("phase"))
	for _, l := range []struct {
		name string
		list ResourceList
	}{{"capacity", s.Capacity}, {"allocatable", s.Allocatable}} {
		lp := p.child(l.name)
		errs = append(errs, validateStatusResources(l.list, func(n ResourceName) path { return lp.child(string(n)) },
			"must be greater than or equal to 0")...)
	}
	conds := make([]conditionFields, len(s.Conditions))
	for i, c := range s.Conditions {
		conds[i] = conditionFields{c.Type, c.Status}
	}
	errs = append(errs, validateConditions(conds, p.child("conditions"))...)
	seen := map[NodeAddress]bool{}
	for i, a := range s.Addresses {
		ap := p.child("addresses").index(i)
		if seen[a] {
			errs = append(errs, FieldDuplicate(ap.String(), a))
		}
		seen[a] = true
		switch {
		case !oneOf(a.Type, nodeAddressTypes...):
			errs = append(errs, FieldNotSupported(ap.child("type").String(), a.Type, nodeAddressTypes))
		case a.Type == "InternalIP" || a.Type == "ExternalIP":
			errs = append(errs, validateIP(a.Address, ap.child("address"))...)
		}
	}
	if port := s.DaemonEndpoints.KubeletEndpoint.Port; port < 0 || port > 65535 {
		errs = append(errs, FieldInvalid(p.child("daemonEndpoints", "kubeletEndpoint", "Port").String(), port, "must be between 0 and 65535, inclusive"))
	}
	return errs
}

// validateNamespaceStatus checks a namespace's phase as Kubernetes does:
// Active while it lives, Terminating once deletion has begun (the
// namespace controller empties it in that phase, and nothing may revive
// it), and its conditions.
func validateNamespaceStatus(ns *Namespace) FieldErrors {
	var errs FieldErrors
	pp := path("status").child("phase").String()
	if ns.DeletionTimestamp == nil {
		if ns.Status.Phase != NamespaceActive {
			errs = append(errs, FieldInvalid(pp, ns.Status.Phase, "may only be 'Active' if `deletionTimestamp` is empty"))
		}
	} else if ns.Status.Phase != NamespaceTerminating {
		errs = append(errs, FieldInvalid(pp, ns.Status.Phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"))
	}
	conds := make([]conditionFields, len(ns.Status.Conditions))
	for i, c := range ns.Status.Conditions {
		conds[i] = conditionFields{c.Type, c.Status}
	}
	return append(errs, validateConditions(conds, path("status").child("conditions"))...)
}

// validateServiceStatus checks a Service's load-balancer ingress as
// Kubernetes does: only a LoadBalancer service has one, each ip an IP
// address, each hostname a DNS name and not an address.
func validateServiceStatus(svc *Service) FieldErrors {
	ing := svc.Status.LoadBalancer.Ingress
	p := path("status").child("loadBalancer", "ingress")
	if len(ing) > 0 && svc.Spec.Type != ServiceLoadBalancer {
		return FieldErrors{FieldForbidden(p.String(), "may only be used when `spec.type` is 'LoadBalancer'")}
	}
	var errs FieldErrors
	for i, in := range ing {
		ip := p.index(i)
		if in.IP != "" {
			errs = append(errs, validateIP(in.IP, ip.child("ip"))...)
		}
		if in.Hostname != "" {
			errs = append(errs, validateName(in.Hostname, IsDNS1123Subdomain, ip.child("hostname"))...)
			if IsValidIP(in.Hostname) {
				errs = append(errs, FieldInvalid(ip.child("hostname").String(), in.Hostname, "must be a DNS name, not an IP address"))
			}
		}
	}
	return errs
}

// validatePersistentVolumeStatus checks a volume's phase (beyond
// Kubernetes, which leaves it to the decoder).
func validatePersistentVolumeStatus(s *PersistentVolumeStatus, p path) FieldErrors {
	return validatePhase(s.Phase, volumePhases, p.child("phase"))
}

// validateClaimStatus checks a claim's phase and access modes (beyond
// Kubernetes) and its capacity, none negative, as Kubernetes does.
func validateClaimStatus(s *PersistentVolumeClaimStatus, p path) FieldErrors {
	errs := validatePhase(s.Phase, claimPhases, p.child("phase"))
	for i, m := range s.AccessModes {
		if !oneOf(m, claimAccessModes...) {
			errs = append(errs, FieldNotSupported(p.child("accessModes").index(i).String(), m, claimAccessModes))
		}
	}
	cp := p.child("capacity")
	return append(errs, validateStatusResources(s.Capacity, func(n ResourceName) path { return cp.key(string(n)) },
		"must be a valid resource quantity")...)
}

// validateCustomResourceDefinitionStatus checks a definition's conditions
// and that every stored version is named.
func validateCustomResourceDefinitionStatus(s *CustomResourceDefinitionStatus, p path) FieldErrors {
	conds := make([]conditionFields, len(s.Conditions))
	for i, c := range s.Conditions {
		conds[i] = conditionFields{c.Type, c.Status}
	}
	errs := validateConditions(conds, p.child("conditions"))
	for i, v := range s.StoredVersions {
		if v == "" {
			errs = append(errs, FieldRequired(p.child("storedVersions").index(i).String(), ""))
		}
	}
	return errs
}
