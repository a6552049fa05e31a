package statefulset

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// Labels the controller puts on every pod, as Kubernetes does.
const (
	PodNameLabel  = "statefulset.kubernetes.io/pod-name"
	PodIndexLabel = "apps.kubernetes.io/pod-index"
	RevisionLabel = "controller-revision-hash"
)

// podName is the stable name of ordinal i: SET-i.
func podName(set *api.StatefulSet, i int) string { return fmt.Sprintf("%s-%d", set.Name, i) }

// ordinalOf parses the ordinal out of a pod name SET-i, and false when
// the name is not of that shape.
func ordinalOf(set *api.StatefulSet, p *api.Pod) (int, bool) {
	rest, ok := strings.CutPrefix(p.Name, set.Name+"-")
	if !ok || rest == "" || (len(rest) > 1 && rest[0] == '0') {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	if err != nil || i < 0 {
		return 0, false
	}
	return i, true
}

// claimName is the claim of template t for ordinal i: TEMPLATE-SET-i.
func claimName(t *api.PersistentVolumeClaim, set *api.StatefulSet, i int) string {
	return t.Name + "-" + podName(set, i)
}

// revision names the set's pod template: SET-HASH, HASH an FNV-32a of the
// template's JSON in hex (JSON writes map keys sorted, so equal templates
// name equally). It stands in for a ControllerRevision's name.
func revision(set *api.StatefulSet) string {
	b, err := json.Marshal(&set.Spec.Template)
	if err != nil {
		// A template that came out of the API server always marshals.
		panic(fmt.Sprintf("statefulset: hashing pod template: %v", err))
	}
	h := fnv.New32a()
	h.Write(b)
	return fmt.Sprintf("%s-%08x", set.Name, h.Sum32())
}

// newPod is ordinal i of set at revision rev: the template, the identity
// labels, hostname and subdomain, a volume per claim template and a
// controller reference.
func newPod(set *api.StatefulSet, i int, rev string) *api.Pod {
	tmpl := api.DeepCopy(set).Spec.Template
	name := podName(set, i)
	labels := map[string]string{}
	for k, v := range tmpl.Labels {
		labels[k] = v
	}
	labels[PodNameLabel] = name
	labels[PodIndexLabel] = strconv.Itoa(i)
	labels[RevisionLabel] = rev
	t := true
	p := &api.Pod{
		ObjectMeta: api.ObjectMeta{
			Name: name, Namespace: set.Namespace, Labels: labels, Annotations: tmpl.Annotations,
			OwnerReferences: []api.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: set.Name, UID: set.UID, Controller: &t, BlockOwnerDeletion: &t}},
		},
		Spec: tmpl.Spec,
	}
	p.Spec.Hostname = name
	p.Spec.Subdomain = set.Spec.ServiceName
	// A claim template's volume replaces a template volume of the same
	// name, as in Kubernetes.
	for _, ct := range set.Spec.VolumeClaimTemplates {
		v := api.Volume{Name: ct.Name, VolumeSource: api.VolumeSource{
			PersistentVolumeClaim: &api.PersistentVolumeClaimVolumeSource{ClaimName: claimName(&ct, set, i)}}}
		replaced := false
		for j := range p.Spec.Volumes {
			if p.Spec.Volumes[j].Name == ct.Name {
				p.Spec.Volumes[j], replaced = v, true
			}
		}
		if !replaced {
			p.Spec.Volumes = append(p.Spec.Volumes, v)
		}
	}
	return p
}

// newClaim is claim template t for ordinal i. It is made with no owner;
// the owners the retention policy wants are added once the pod exists
// (retention.go), as Kubernetes does.
func newClaim(set *api.StatefulSet, t *api.PersistentVolumeClaim, i int) *api.PersistentVolumeClaim {
	c := api.DeepCopy(t)
	labels := map[string]string{}
	for k, v := range c.Labels {
		labels[k] = v
	}
	if set.Spec.Selector != nil {
		for k, v := range set.Spec.Selector.MatchLabels {
			labels[k] = v
		}
	}
	c.ObjectMeta = api.ObjectMeta{Name: claimName(t, set, i), Namespace: set.Namespace, Labels: labels, Annotations: c.Annotations}
	c.Status = api.PersistentVolumeClaimStatus{}
	return c
}

// runningAndReady: the pod counts as up for ordering and updates.
func runningAndReady(p *api.Pod) bool {
	return p.DeletionTimestamp == nil && p.Status.Phase == api.PodRunning && api.IsPodReady(p)
}

func terminating(p *api.Pod) bool { return p.DeletionTimestamp != nil }
