package api

// podPhases are the phases a pod may report.
var podPhases = []string{string(PodPending), string(PodRunning), string(PodSucceeded), string(PodFailed), string(PodUnknown)}

// validatePodStatusUpdate checks a pod's status as its kubelet (or anyone
// with access to pods/status) writes it over old (nil when there is no
// old pod):
//
//   - phase from the known set, conditions well formed;
//   - hostIP, podIP and every podIPs[i].ip an IP address, podIPs without
//     repeats and starting with podIP when both are set (Kubernetes'
//     conversion refuses the mismatch);
//   - container statuses only for containers in spec.containers, init
//     container statuses only for spec.initContainers, each name once,
//     restartCount not negative. Kubernetes does not check these (it notes
//     that its kubelet never writes such statuses); a status for a
//     container the pod does not have misleads every reader, so tinykube
//     refuses it;
//   - qosClass, once set, never changes;
//   - a container that terminated in a pod that will not restart it stays
//     terminated, as in Kubernetes.
func validatePodStatusUpdate(n, o *Pod) FieldErrors {
	p := path("status")
	s := &n.Status
	errs := validatePhase(string(s.Phase), podPhases, p.child("phase"))
	conds := make([]conditionFields, len(s.Conditions))
	for i, c := range s.Conditions {
		conds[i] = conditionFields{c.Type, c.Status}
	}
	errs = append(errs, validateConditions(conds, p.child("conditions"))...)
	if s.HostIP != "" {
		errs = append(errs, validateIP(s.HostIP, p.child("hostIP"))...)
	}
	errs = append(errs, validatePodIPs(s, p)...)
	errs = append(errs, validateContainerStatuses(s.ContainerStatuses, n.Spec.Containers, "`spec.containers`", p.child("containerStatuses"))...)
	errs = append(errs, validateContainerStatuses(s.InitContainerStatuses, n.Spec.InitContainers, "`spec.initContainers`", p.child("initContainerStatuses"))...)
	if o == nil {
		return errs
	}
	if o.Status.QOSClass != "" && s.QOSClass != o.Status.QOSClass {
		errs = append(errs, FieldInvalid(p.child("qosClass").String(), s.QOSClass, immutableMsg))
	}
	policy := o.Spec.RestartPolicy
	errs = append(errs, stayTerminated(s.ContainerStatuses, o.Status.ContainerStatuses, policy, p.child("containerStatuses"))...)
	if policy != RestartAlways {
		// An init container runs to completion once, whatever the
		// pod's policy says of failures.
		errs = append(errs, stayTerminated(s.InitContainerStatuses, o.Status.InitContainerStatuses, policy, p.child("initContainerStatuses"))...)
	}
	return errs
}

// validatePodIPs checks podIP and podIPs: addresses, no repeats, at most
// one per family, and podIPs[0] equal to podIP when both are given.
func validatePodIPs(s *PodStatus, p path) FieldErrors {
	var errs FieldErrors
	if s.PodIP != "" {
		errs = append(errs, validateIP(s.PodIP, p.child("podIP"))...)
	}
	seen := map[string]bool{}
	v4, v6 := 0, 0
	for i, ip := range s.PodIPs {
		ipp := p.child("podIPs").index(i).child("ip")
		if e := validateIP(ip.IP, ipp); len(e) > 0 {
			errs = append(errs, e...)
			continue
		}
		if seen[ip.IP] {
			errs = append(errs, FieldDuplicate(ipp.String(), ip.IP))
		}
		seen[ip.IP] = true
		if isIPv4(ip.IP) {
			v4++
		} else {
			v6++
		}
	}
	if v4 > 1 || v6 > 1 {
		errs = append(errs, FieldInvalid(p.child("podIPs").String(), podIPList(s.PodIPs), "may specify no more than one IP for each IP family"))
	}
	if s.PodIP != "" && len(s.PodIPs) > 0 && s.PodIPs[0].IP != s.PodIP {
		errs = append(errs, FieldInvalid(p.child("podIPs").index(0).child("ip").String(), s.PodIPs[0].IP, "must match `status.podIP`"))
	}
	return errs
}

// podIPList lists the addresses of podIPs, for an error's value.
func podIPList(ips []PodIP) []string {
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.IP
	}
	return out
}

// validateContainerStatuses checks statuses against the containers they
// report on: each name one of containers' (listed as where, such as
// "`spec.containers`"), no name twice, no negative restartCount.
func validateContainerStatuses(statuses []ContainerStatus, containers []Container, where string, p path) FieldErrors {
	var errs FieldErrors
	known := make(map[string]bool, len(containers))
	for _, c := range containers {
		known[c.Name] = true
	}
	seen := map[string]bool{}
	for i, cs := range statuses {
		ip := p.index(i)
		switch {
		case cs.Name == "":
			errs = append(errs, FieldRequired(ip.child("name").String(), ""))
		case !known[cs.Name]:
			errs = append(errs, FieldInvalid(ip.child("name").String(), cs.Name, "must match the name of an entry in "+where))
		case seen[cs.Name]:
			errs = append(errs, FieldDuplicate(ip.child("name").String(), cs.Name))
		}
		seen[cs.Name] = true
		errs = append(errs, nonNegative(int64(cs.RestartCount), ip.child("restartCount"))...)
	}
	return errs
}

// stayTerminated refuses to bring back a container that terminated for
// good: under restartPolicy Never any termination is final, under
// OnFailure a successful one (exit code 0) is; under Always nothing is.
// It reports at the old status's index, as Kubernetes does.
func stayTerminated(statuses, old []ContainerStatus, policy RestartPolicy, p path) FieldErrors {
	if policy == RestartAlways || policy == "" {
		return nil
	}
	var errs FieldErrors
	for i, os := range old {
		t := os.State.Terminated
		if t == nil || (t.ExitCode != 0 && policy == RestartOnFailure) {
			continue
		}
		for _, ns := range statuses {
			if ns.Name == os.Name && ns.State.Terminated == nil {
				errs = append(errs, FieldForbidden(p.index(i).child("state").String(), "may not be transitioned to non-terminated state"))
			}
		}
	}
	return errs
}
