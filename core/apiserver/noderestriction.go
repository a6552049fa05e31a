package apiserver

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/node"
)

// NodeRestriction is the admission plugin that keeps a kubelet to its own
// objects. The node authorizer lets a node write Nodes, pods' status and
// Leases by kind; only here, with the objects in hand, can the server
// tell whose they are. For a user system:node:NAME:
//
//   - a Node: only NAME may be created, updated or deleted; its labels may
//     not gain or change a node-restriction.kubernetes.io/ label or a
//     kubernetes.io / k8s.io label the kubelet does not own, and
//     kubernetes.io/hostname may only be NAME itself (a node that called
//     itself another would attract that node's local volumes); on update
//     its taints and spec.providerID may not change;
//   - a pod: none may be created (Kubernetes lets a node create mirror
//     pods of its static pods; tinykube has none), only status may be
//     updated and only of a pod bound to NAME, without touching labels;
//     only a pod bound to NAME may be deleted;
//   - a Lease: only NAME, in kube-node-lease;
//   - a PersistentVolume: created and deleted only when its node affinity
//     ties it to NAME (the node's local-path provisioner), never updated;
//   - a TokenRequest: only bound to a pod (by name and uid) bound to NAME.
//
// Other users, and in-process callers, pass untouched.
func admitNodeRestriction(s *Server, ctx context.Context, r *admissionRequest) error {
	nodeName, ok := auth.NodeName(r.user)
	if !ok {
		return nil
	}
	switch {
	case r.res.Group == "" && r.res.Plural == "nodes":
		return restrictNode(nodeName, r)
	case r.res.Group == "" && r.res.Plural == "pods":
		return restrictPod(nodeName, r)
	case r.res.Group == "coordination.k8s.io" && r.res.Plural == "leases":
		return restrictLease(nodeName, r)
	case r.res.Group == "" && r.res.Plural == "persistentvolumes":
		return restrictVolume(nodeName, r)
	case r.res.Group == "" && r.res.Plural == "serviceaccounts" && r.subresource == "token" && r.op == opCreate:
		return s.restrictToken(ctx, nodeName, r)
	}
	return nil
}

// subject returns the object a request writes: the new one, or on delete
// the stored one.
func (r *admissionRequest) subject() api.Object {
	if r.obj != nil {
		return r.obj
	}
	return r.old
}

// objectName returns the name of the object r writes.
func (r *admissionRequest) objectName() string {
	if o := r.subject(); o != nil {
		return o.GetObjectMeta().Name
	}
	return r.name
}

// restrictNode admits a write of a Node by node nodeName.
func restrictNode(nodeName string, r *admissionRequest) error {
	name := r.objectName()
	if name != nodeName {
		return errForbidden(r.res, name, fmt.Sprintf("node %q is not allowed to modify node %q", nodeName, name))
	}
	n, _ := r.obj.(*api.Node)
	old, _ := r.old.(*api.Node)
	switch r.op {
	case opCreate:
		if bad := forbiddenNodeLabels(nodeName, modifiedLabels(n.Labels, nil), n.Labels); len(bad) > 0 {
			return errForbidden(r.res, name, fmt.Sprintf("node %q is not allowed to set the following labels: %s", nodeName, strings.Join(bad, ", ")))
		}
	case opUpdate:
		if !reflect.DeepEqual(n.Spec.Taints, old.Spec.Taints) && !(len(n.Spec.Taints) == 0 && len(old.Spec.Taints) == 0) {
			return errForbidden(r.res, name, fmt.Sprintf("node %q is not allowed to modify taints", nodeName))
		}
		if n.Spec.ProviderID != old.Spec.ProviderID {
			return errForbidden(r.res, name, fmt.Sprintf("node %q is not allowed to modify spec.providerID", nodeName))
		}
		if bad := forbiddenNodeLabels(nodeName, modifiedLabels(n.Labels, old.Labels), n.Labels); len(bad) > 0 {
			return errForbidden(r.res, name, fmt.Sprintf("node %q is not allowed to modify labels: %s", nodeName, strings.Join(bad, ", ")))
		}
	}
	return nil
}

// modifiedLabels returns the keys whose value differs between a and b
// (present in one only, or with another value), sorted.
func modifiedLabels(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || v != w {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// kubeletLabels are the kubernetes.io labels a kubelet may set on its own
// Node, and kubeletLabelDomains the label domains it owns, as Kubernetes
// lists them.
var (
	kubeletLabels = map[string]bool{
		api.LabelHostname:                          true,
		"kubernetes.io/os":                         true,
		"kubernetes.io/arch":                       true,
		"beta.kubernetes.io/os":                    true,
		"beta.kubernetes.io/arch":                  true,
		"beta.kubernetes.io/instance-type":         true,
		"node.kubernetes.io/instance-type":         true,
		"topology.kubernetes.io/zone":              true,
		"topology.kubernetes.io/region":            true,
		"failure-domain.beta.kubernetes.io/zone":   true,
		"failure-domain.beta.kubernetes.io/region": true,
	}
	kubeletLabelDomains = []string{"kubelet.kubernetes.io", "node.kubernetes.io"}
)

// forbiddenNodeLabels returns which of the modified label keys node
// nodeName may not write, given the labels it asks for (labels): a
// node-restriction.kubernetes.io/ label, a kubernetes.io or k8s.io label
// that is not the kubelet's, or a hostname label other than its own name.
func forbiddenNodeLabels(nodeName string, modified []string, labels map[string]string) []string {
	var bad []string
	for _, k := range modified {
		domain, _, _ := strings.Cut(k, "/")
		if !strings.Contains(k, "/") {
			domain = ""
		}
		switch {
		case inDomain(domain, "node-restriction.kubernetes.io"):
			bad = append(bad, k)
		case k == api.LabelHostname:
			if v, ok := labels[k]; ok && v != nodeName {
				bad = append(bad, k)
			}
		case (inDomain(domain, "kubernetes.io") || inDomain(domain, "k8s.io")) && !kubeletLabel(k, domain):
			bad = append(bad, k)
		}
	}
	return bad
}

// inDomain: domain is d or a subdomain of it.
func inDomain(domain, d string) bool {
	return domain == d || strings.HasSuffix(domain, "."+d)
}

func kubeletLabel(key, domain string) bool {
	if kubeletLabels[key] {
		return true
	}
	for _, d := range kubeletLabelDomains {
		if inDomain(domain, d) {
			return true
		}
	}
	return false
}

// restrictPod admits a write of a pod by node nodeName.
func restrictPod(nodeName string, r *admissionRequest) error {
	name := r.objectName()
	switch {
	case r.op == opCreate && r.subresource == "":
		return errForbidden(r.res, name, fmt.Sprintf("pod does not have %q annotation, node %q can only create mirror pods", "kubernetes.io/config.mirror", nodeName))
	case r.op == opDelete:
		if old, _ := r.old.(*api.Pod); old == nil || old.Spec.NodeName != nodeName {
			return errForbidden(r.res, name, fmt.Sprintf("node %q can only delete pods with spec.nodeName set to itself", nodeName))
		}
	case r.op == opUpdate && r.subresource == "status":
		old, _ := r.old.(*api.Pod)
		if old == nil || old.Spec.NodeName != nodeName {
			return errForbidden(r.res, name, fmt.Sprintf("node %q can only update pod status for pods with spec.nodeName set to itself", nodeName))
		}
		if p, _ := r.obj.(*api.Pod); p != nil && !maps.Equal(p.Labels, old.Labels) {
			return errForbidden(r.res, name, fmt.Sprintf("node %q cannot update labels through pod status", nodeName))
		}
	case r.op == opUpdate && r.subresource == "":
		return errForbidden(r.res, name, fmt.Sprintf("unexpected operation %q, node %q can only create and delete mirror pods", r.op, nodeName))
	default:
		return errForbidden(r.res, name, fmt.Sprintf("unexpected pod subresource %q, only 'status' is allowed", r.subresource))
	}
	return nil
}

// restrictLease admits a write of a Lease by node nodeName: its own, in
// kube-node-lease.
func restrictLease(nodeName string, r *admissionRequest) error {
	name, ns := r.objectName(), ""
	if o := r.subject(); o != nil {
		ns = o.GetObjectMeta().Namespace
	}
	if ns != node.LeaseNamespace {
		return errForbidden(r.res, name, fmt.Sprintf("can only access leases in the %q system namespace", node.LeaseNamespace))
	}
	if name != nodeName {
		return errForbidden(r.res, name, "can only access node lease with the same name as the requesting node")
	}
	return nil
}

// restrictVolume admits a write of a PersistentVolume by node nodeName:
// create or delete one tied to the node.
func restrictVolume(nodeName string, r *admissionRequest) error {
	name := r.objectName()
	if r.op == opUpdate {
		return errForbidden(r.res, name, fmt.Sprintf("node %q can only create and delete persistentvolumes, not update them", nodeName))
	}
	pv, _ := r.subject().(*api.PersistentVolume)
	if pv == nil || !tiedToNode(pv, nodeName) {
		verb := "create"
		if r.op == opDelete {
			verb = "delete"
		}
		return errForbidden(r.res, name, fmt.Sprintf("node %q can only %s persistentvolumes whose node affinity requires %s In [%s]", nodeName, verb, api.LabelHostname, nodeName))
	}
	return nil
}

// tiedToNode: every term of pv's required node affinity asks for
// kubernetes.io/hostname In [nodeName] — which, with NodeRestriction
// keeping each node's hostname label its own, only nodeName satisfies.
func tiedToNode(pv *api.PersistentVolume, nodeName string) bool {
	a := pv.Spec.NodeAffinity
	if a == nil || a.Required == nil || len(a.Required.NodeSelectorTerms) == 0 {
		return false
	}
	for _, t := range a.Required.NodeSelectorTerms {
		tied := false
		for _, e := range t.MatchExpressions {
			if e.Key == api.LabelHostname && e.Operator == "In" && slices.Equal(e.Values, []string{nodeName}) {
				tied = true
			}
		}
		if !tied {
			return false
		}
	}
	return true
}

// restrictToken admits a TokenRequest by node nodeName: it must be bound
// to a pod, named with its uid, that is bound to the node.
func (s *Server) restrictToken(ctx context.Context, nodeName string, r *admissionRequest) error {
	tr, _ := r.obj.(*api.TokenRequest)
	sa := r.name
	ns := r.namespace
	if tr != nil && ns == "" {
		ns = tr.Namespace
	}
	if tr == nil {
		return errForbidden(r.res, sa, fmt.Sprintf("unexpected type %T", r.obj))
	}
	ref := tr.Spec.BoundObjectRef
	if ref == nil || ref.APIVersion != "v1" || ref.Kind != "Pod" || ref.Name == "" {
		return errForbidden(r.res, sa, "node requested token not bound to a pod")
	}
	if ref.UID == "" {
		return errForbidden(r.res, sa, "node requested token with a pod binding without a uid")
	}
	obj, _, err := s.read(ctx, api.ResourceByPlural("", "pods"), ns, ref.Name)
	if err != nil {
		return err
	}
	pod := obj.(*api.Pod)
	if pod.UID != ref.UID {
		return errForbidden(r.res, sa, fmt.Sprintf("the UID in the bound object reference (%s) does not match the UID in record. The object might have been deleted and then recreated", ref.UID))
	}
	if pod.Spec.NodeName != nodeName {
		return errForbidden(r.res, sa, "node requested token bound to a pod scheduled on a different node")
	}
	return nil
}
