package apiserver

import (
	"context"
	"fmt"
	"sort"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/podsecurity"
)

// Pod Security admission: each namespace chooses, through its
// pod-security.kubernetes.io/* labels, a Pod Security Standards level for
// three modes (core/podsecurity reads the labels and runs the checks):
//
//	enforce  a pod that violates it is refused, 403 Forbidden
//	warn     the client is told (Warning headers), the write goes ahead
//	audit    the audit event records the violation, the write goes ahead
//
// Pods are checked when created and when an update changes what the
// checks see (the containers, or an image: the rest of a pod's spec is
// immutable). Workloads with a pod template (Deployments, ReplicaSets,
// StatefulSets, DaemonSets, Jobs, CronJobs) are warned and audited, never
// refused: their pods are refused instead, when their controller creates
// them. Namespaces are checked too: a label that names no level or version
// is refused, and tightening enforce warns about the pods already there.
//
// Nothing is exempt and unlabelled namespaces are privileged, as in
// Kubernetes' default configuration; so kube-system's pods keep running
// until someone labels it.

// podSecurityError is the audit annotation Kubernetes writes when a
// namespace's labels cannot be read.
const podSecurityError = "pod-security.kubernetes.io/error"

// maxPodsToCheck bounds the pods a namespace label change evaluates, as
// Kubernetes bounds them.
const maxPodsToCheck = 3000

// admitPodSecurity is the PodSecurity plugin. It looks at namespaces, pods
// and the workload kinds; subresources (status, scale, binding …) and
// deletes are left alone.
func admitPodSecurity(s *Server, ctx context.Context, r *admissionRequest) error {
	if r.op == opDelete || r.subresource != "" || r.obj == nil {
		return nil
	}
	if r.res.Group == "" && r.res.Plural == "namespaces" {
		return s.admitNamespaceLabels(ctx, r)
	}
	meta, spec, isPod := podSpecOf(r.obj)
	if spec == nil {
		return nil
	}
	if isPod && r.op == opUpdate && !significantPodUpdate(r.obj.(*api.Pod), r.old.(*api.Pod)) {
		return nil
	}
	labels, err := s.namespaceLabels(ctx, r.obj.GetObjectMeta().Namespace)
	if err != nil {
		return err
	}
	policy, errs := podsecurity.PolicyFromLabels(labels)
	if len(errs) == 0 {
		switch {
		case isPod && policy.FullyPrivileged():
			r.annotate(podsecurity.EnforcePolicyAnnotation, policy.Enforce.String())
			return nil
		case !isPod && policy.Warn.Level == podsecurity.Privileged && policy.Audit.Level == podsecurity.Privileged:
			return nil
		}
	}
	if len(errs) > 0 {
		r.annotate(podSecurityError, "Failed to parse policy: "+errs.Error())
	}
	return evaluatePodSecurity(r, policy, meta, spec, isPod)
}

// evaluatePodSecurity applies policy to one pod (enforce true) or pod
// template (enforce false): a refusal for enforce, an audit annotation for
// audit, a warning for warn — unless the write is refused anyway. Modes
// at the same level and version share one evaluation.
func evaluatePodSecurity(r *admissionRequest, policy podsecurity.Policy, meta *api.ObjectMeta, spec *api.PodSpec, enforce bool) error {
	results := map[podsecurity.LevelVersion][]podsecurity.Violation{}
	evaluate := func(lv podsecurity.LevelVersion) []podsecurity.Violation {
		vs, ok := results[lv]
		if !ok {
			vs = podsecurity.Evaluate(lv.Level, lv.Version, meta, spec)
			results[lv] = vs
		}
		return vs
	}
	var refused error
	if enforce {
		r.annotate(podsecurity.EnforcePolicyAnnotation, policy.Enforce.String())
		if vs := evaluate(policy.Enforce); len(vs) > 0 {
			refused = errForbidden(r.res, r.obj.GetObjectMeta().Name,
				fmt.Sprintf("violates PodSecurity %q: %s", policy.Enforce.String(), podsecurity.Detail(vs)))
		}
	}
	if vs := evaluate(policy.Audit); len(vs) > 0 {
		r.annotate(podsecurity.AuditViolationsAnnotation,
			fmt.Sprintf("would violate PodSecurity %q: %s", policy.Audit.String(), podsecurity.Detail(vs)))
	}
	if refused == nil {
		if vs := evaluate(policy.Warn); len(vs) > 0 {
			r.warnings = append(r.warnings,
				fmt.Sprintf("would violate PodSecurity %q: %s", policy.Warn.String(), podsecurity.Detail(vs)))
		}
	}
	return refused
}

// podSpecOf returns the pod spec an object carries and its metadata: a
// pod's own (isPod), or a workload's pod template. spec is nil for other
// kinds.
func podSpecOf(obj api.Object) (meta *api.ObjectMeta, spec *api.PodSpec, isPod bool) {
	var t *api.PodTemplateSpec
	switch o := obj.(type) {
	case *api.Pod:
		return &o.ObjectMeta, &o.Spec, true
	case *api.Deployment:
		t = &o.Spec.Template
	case *api.ReplicaSet:
		t = &o.Spec.Template
	case *api.StatefulSet:
		t = &o.Spec.Template
	case *api.DaemonSet:
		t = &o.Spec.Template
	case *api.Job:
		t = &o.Spec.Template
	case *api.CronJob:
		t = &o.Spec.JobTemplate.Spec.Template
	default:
		return nil, nil, false
	}
	return &t.ObjectMeta, &t.Spec, false
}

// significantPodUpdate reports whether a pod update changes what the
// checks could see: its containers (their number) or an image, the fields
// of a pod's spec an update may change. Other updates (labels, status,
// tolerations) are let through unchecked, as Kubernetes does, so that a
// pod admitted under an older policy can still be relabelled.
func significantPodUpdate(pod, old *api.Pod) bool {
	if len(pod.Spec.Containers) != len(old.Spec.Containers) || len(pod.Spec.InitContainers) != len(old.Spec.InitContainers) {
		return true
	}
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Image != old.Spec.Containers[i].Image {
			return true
		}
	}
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Image != old.Spec.InitContainers[i].Image {
			return true
		}
	}
	return false
}

// namespaceLabels returns namespace ns's labels, from the namespace cache
// when it knows ns, else from the store (ns may have been created a moment
// ago). A namespace that does not exist has none: the verbs refuse writes
// into it on their own.
func (s *Server) namespaceLabels(ctx context.Context, ns string) (map[string]string, error) {
	if e, known := s.namespaces.entry(s, ns); known {
		return e.labels, nil
	}
	obj, _, err := s.read(ctx, api.ResourceByPlural("", "namespaces"), "", ns)
	if api.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return obj.GetObjectMeta().Labels, nil
}

// admitNamespaceLabels refuses Pod Security labels that name no level or
// version (422, on create, and on update when they changed), and when an
// update makes enforce stricter, warns about the namespace's pods that the
// new level would refuse.
func (s *Server) admitNamespaceLabels(ctx context.Context, r *admissionRequest) error {
	ns := r.obj.(*api.Namespace)
	policy, errs := podsecurity.PolicyFromLabels(ns.Labels)
	if r.op == opCreate {
		if len(errs) > 0 {
			return errInvalid(r.res, ns.Name, errs)
		}
		return nil
	}
	oldPolicy, oldErrs := podsecurity.PolicyFromLabels(r.old.GetObjectMeta().Labels)
	// A namespace already carrying the same bad labels may still be
	// updated otherwise (its finalizers, its annotations).
	if len(errs) > 0 && errs.Error() != oldErrs.Error() {
		return errInvalid(r.res, ns.Name, errs)
	}
	next, prev := policy.Enforce, oldPolicy.Enforce
	if next == prev || next.Level == podsecurity.Privileged {
		return nil
	}
	if next.Version == prev.Version && !next.Level.StricterThan(prev.Level) {
		return nil
	}
	warnings, err := s.existingPodViolations(ctx, ns.Name, next)
	if err != nil {
		r.warnings = append(r.warnings, "failed to list pods while checking new PodSecurity enforce level")
		return nil
	}
	r.warnings = append(r.warnings, warnings...)
	return nil
}

// existingPodViolations evaluates the pods of namespace ns against a new
// enforce level and words the result as Kubernetes does: a headline, then
// one line per distinct set of reasons, naming the first pod (by name)
// and how many others share it, sorted. Pods of a controller already
// evaluated are checked last, so the bound of maxPodsToCheck covers as many
// workloads as it can.
func (s *Server) existingPodViolations(ctx context.Context, ns string, enforce podsecurity.LevelVersion) ([]string, error) {
	objs, err := s.listAll(ctx, api.ResourceByPlural("", "pods"), ns)
	if err != nil {
		return nil, err
	}
	var first, rest []*api.Pod
	seen := map[string]bool{}
	for _, o := range objs {
		pod := o.(*api.Pod)
		if ref := pod.ControllerRef(); ref != nil {
			if seen[ref.UID] {
				rest = append(rest, pod)
				continue
			}
			seen[ref.UID] = true
		}
		first = append(first, pod)
	}
	pods := append(first, rest...)
	total := len(pods)
	if len(pods) > maxPodsToCheck {
		pods = pods[:maxPodsToCheck]
	}
	type group struct {
		pod   string // the lexically first pod with these reasons
		count int
	}
	groups := map[string]*group{}
	var reasons []string
	for _, pod := range pods {
		vs := podsecurity.Evaluate(enforce.Level, enforce.Version, &pod.ObjectMeta, &pod.Spec)
		if len(vs) == 0 {
			continue
		}
		why := podsecurity.Reasons(vs)
		g, ok := groups[why]
		if !ok {
			g = &group{pod: pod.Name}
			groups[why] = g
			reasons = append(reasons, why)
		} else if pod.Name < g.pod {
			g.pod = pod.Name
		}
		g.count++
	}
	var out []string
	if len(pods) < total {
		out = append(out, fmt.Sprintf("new PodSecurity enforce level only checked against the first %d of %d existing pods", len(pods), total))
	}
	if len(reasons) == 0 {
		return out, nil
	}
	out = append(out, fmt.Sprintf("existing pods in namespace %q violate the new PodSecurity enforce level %q", ns, enforce.String()))
	lines := make([]string, len(reasons))
	for i, why := range reasons {
		g := groups[why]
		switch g.count {
		case 1:
			lines[i] = fmt.Sprintf("%s: %s", g.pod, why)
		case 2:
			lines[i] = fmt.Sprintf("%s (and 1 other pod): %s", g.pod, why)
		default:
			lines[i] = fmt.Sprintf("%s (and %d other pods): %s", g.pod, g.count-1, why)
		}
	}
	sort.Strings(lines)
	return append(out, lines...), nil
}
