package api

// Pod QoS classes, which decide who is evicted first under memory pressure.
const (
	QOSGuaranteed = "Guaranteed"
	QOSBurstable  = "Burstable"
	QOSBestEffort = "BestEffort"
)

// PodQOSClass classifies a pod as Kubernetes does: BestEffort when no
// container requests or limits CPU or memory; Guaranteed when every container
// has CPU and memory limits equal to its requests; Burstable otherwise.
// Call it after defaulting (requests default to limits).
func PodQOSClass(p *Pod) string {
	all := append(append([]Container(nil), p.Spec.InitContainers...), p.Spec.Containers...)
	any, guaranteed := false, true
	for _, c := range all {
		for _, r := range []ResourceName{ResourceCPU, ResourceMemory} {
			req, hasReq := c.Resources.Requests[r]
			lim, hasLim := c.Resources.Limits[r]
			if (hasReq && !req.IsZero()) || (hasLim && !lim.IsZero()) {
				any = true
			}
			if !hasLim || !hasReq || req.Cmp(lim) != 0 {
				guaranteed = false
			}
		}
	}
	switch {
	case !any:
		return QOSBestEffort
	case guaranteed:
		return QOSGuaranteed
	}
	return QOSBurstable
}
