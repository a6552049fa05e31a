package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

const immutableMsg = "field is immutable"

// ValidateUpdate checks newObj as a replacement of oldObj: everything
// Validate checks, plus what may not change. metadata.name and namespace
// never change (nor uid or creationTimestamp once set, though the API server
// keeps its own values of those anyway). Per kind:
//
//   - Pod: spec is immutable except containers[*].image,
//     initContainers[*].image, activeDeadlineSeconds (set or lowered),
//     tolerations (additions only) and terminationGracePeriodSeconds.
//   - ReplicaSet, Deployment, DaemonSet: spec.selector.
//   - StatefulSet: everything in spec but replicas, template,
//     updateStrategy and minReadySeconds.
//   - Job: spec.selector, spec.template, spec.completions and
//     spec.completionMode.
//   - PersistentVolumeClaim: spec except resources.requests, volumeName
//     and storageClassName while they are unset.
//   - Service: spec.clusterIP once set (it may go from "" to an address).
//     An API server that lets a client omit clusterIP on update must copy
//     the old value in before calling this, as Kubernetes does.
//   - ConfigMap, Secret: with immutable=true nothing of the data may change
//     and immutable may not be unset; a Secret's type never changes.
//   - Node: spec.podCIDR once set.
//   - CertificateSigningRequest: status rules (approval and certificate
//     stay once set; see validateCertificateSigningRequestUpdate).
//
// Both objects should have been through Default.
func ValidateUpdate(newObj, oldObj Object) FieldErrors {
	if reflect.TypeOf(newObj) != reflect.TypeOf(oldObj) {
		return FieldErrors{FieldInvalid("kind", newObj.GetTypeMeta().Kind, fmt.Sprintf("may not change (was %T, now %T)", oldObj, newObj))}
	}
	errs := Validate(newObj)
	errs = append(errs, validateObjectMetaUpdate(newObj.GetObjectMeta(), oldObj.GetObjectMeta(), "metadata")...)
	switch n := newObj.(type) {
	case *Pod:
		errs = append(errs, validatePodSpecUpdate(&n.Spec, &oldObj.(*Pod).Spec, "spec")...)
	case *ReplicaSet:
		errs = append(errs, validateSelectorUpdate(n.Spec.Selector, oldObj.(*ReplicaSet).Spec.Selector, "spec.selector")...)
	case *Deployment:
		errs = append(errs, validateSelectorUpdate(n.Spec.Selector, oldObj.(*Deployment).Spec.Selector, "spec.selector")...)
	case *DaemonSet:
		errs = append(errs, validateSelectorUpdate(n.Spec.Selector, oldObj.(*DaemonSet).Spec.Selector, "spec.selector")...)
	case *StatefulSet:
		errs = append(errs, validateStatefulSetSpecUpdate(&n.Spec, &oldObj.(*StatefulSet).Spec)...)
	case *Job:
		errs = append(errs, validateJobSpecUpdate(&n.Spec, &oldObj.(*Job).Spec)...)
	case *PersistentVolumeClaim:
		ns, os := n.Spec, oldObj.(*PersistentVolumeClaim).Spec
		ns.Resources.Requests, os.Resources.Requests = nil, nil
		// The binder sets volumeName once, and a claim created before
		// there was a default class may get one (as in Kubernetes).
		if os.VolumeName == "" {
			os.VolumeName = ns.VolumeName
		}
		if os.StorageClassName == nil {
			os.StorageClassName = ns.StorageClassName
		}
		if !equalJSON(ns, os) {
			errs = append(errs, FieldForbidden("spec", "spec is immutable after creation except resources.requests"))
		}
	case *Service:
		o := oldObj.(*Service)
		if n.Spec.Type != ServiceExternalName && o.Spec.Type != ServiceExternalName &&
			o.Spec.ClusterIP != "" && n.Spec.ClusterIP != o.Spec.ClusterIP {
			errs = append(errs, FieldInvalid("spec.clusterIP", n.Spec.ClusterIP, immutableMsg))
		}
	case *ConfigMap:
		o := oldObj.(*ConfigMap)
		if isTrue(o.Immutable) {
			errs = append(errs, immutableDataUpdate(n.Immutable)...)
			if !equalJSON(n.Data, o.Data) {
				errs = append(errs, FieldForbidden("data", "field is immutable when `immutable` is set"))
			}
			if !equalJSON(n.BinaryData, o.BinaryData) {
				errs = append(errs, FieldForbidden("binaryData", "field is immutable when `immutable` is set"))
			}
		}
	case *Secret:
		o := oldObj.(*Secret)
		if n.Type != o.Type {
			errs = append(errs, FieldInvalid("type", n.Type, immutableMsg))
		}
		if isTrue(o.Immutable) {
			errs = append(errs, immutableDataUpdate(n.Immutable)...)
			if !equalJSON(n.Data, o.Data) || len(n.StringData) > 0 {
				errs = append(errs, FieldForbidden("data", "field is immutable when `immutable` is set"))
			}
		}
	case *RoleBinding:
		if n.RoleRef != oldObj.(*RoleBinding).RoleRef {
			errs = append(errs, FieldInvalid("roleRef", n.RoleRef, "cannot change roleRef"))
		}
	case *ClusterRoleBinding:
		if n.RoleRef != oldObj.(*ClusterRoleBinding).RoleRef {
			errs = append(errs, FieldInvalid("roleRef", n.RoleRef, "cannot change roleRef"))
		}
	case *Node:
		o := oldObj.(*Node)
		if o.Spec.PodCIDR != "" && n.Spec.PodCIDR != o.Spec.PodCIDR {
			errs = append(errs, FieldForbidden("spec.podCIDR", `node updates may not change podCIDR except from "" to valid`))
		}
	case *CertificateSigningRequest:
		errs = append(errs, validateCertificateSigningRequestUpdate(n, oldObj.(*CertificateSigningRequest))...)
	}
	return errs
}

func isTrue(b *bool) bool { return b != nil && *b }

func immutableDataUpdate(newImmutable *bool) FieldErrors {
	if !isTrue(newImmutable) {
		return FieldErrors{FieldForbidden("immutable", "field is immutable when `immutable` is set")}
	}
	return nil
}

// equalJSON compares two values by their JSON encoding, so that nil and
// empty maps and slices (which encode alike under omitempty) compare equal.
func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	if errA != nil || errB != nil {
		return reflect.DeepEqual(a, b)
	}
	if bytes.Equal(ja, jb) {
		return true
	}
	// null, {} and [] all mean "nothing".
	empty := func(j []byte) bool { s := string(j); return s == "null" || s == "{}" || s == "[]" }
	return empty(ja) && empty(jb)
}

func validateObjectMetaUpdate(n, o *ObjectMeta, p path) FieldErrors {
	var errs FieldErrors
	if n.Name != o.Name {
		errs = append(errs, FieldInvalid(p.child("name").String(), n.Name, immutableMsg))
	}
	if n.Namespace != o.Namespace {
		errs = append(errs, FieldInvalid(p.child("namespace").String(), n.Namespace, immutableMsg))
	}
	if o.UID != "" && n.UID != "" && n.UID != o.UID {
		errs = append(errs, FieldInvalid(p.child("uid").String(), n.UID, immutableMsg))
	}
	if o.CreationTimestamp != nil && n.CreationTimestamp != nil && !n.CreationTimestamp.Equal(o.CreationTimestamp.Time) {
		errs = append(errs, FieldInvalid(p.child("creationTimestamp").String(), n.CreationTimestamp.UTC().Format("2006-01-02T15:04:05Z"), immutableMsg))
	}
	return errs
}

func validateSelectorUpdate(n, o *LabelSelector, p path) FieldErrors {
	if !equalJSON(n, o) {
		return FieldErrors{FieldInvalid(p.String(), n, immutableMsg)}
	}
	return nil
}

// podUpdatableFields is Kubernetes' list of what a pod update may change,
// in its words.
const podUpdatableFields = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds`"

// validatePodSpecUpdate compares the specs with their mutable fields masked
// and names the top-level fields that differ.
func validatePodSpecUpdate(n, o *PodSpec, p path) FieldErrors {
	var errs FieldErrors
	if o.ActiveDeadlineSeconds != nil {
		ap := p.child("activeDeadlineSeconds").String()
		switch {
		case n.ActiveDeadlineSeconds == nil:
			errs = append(errs, FieldInvalid(ap, n.ActiveDeadlineSeconds, "must not update from a positive integer to nil value"))
		case *n.ActiveDeadlineSeconds > *o.ActiveDeadlineSeconds:
			errs = append(errs, FieldInvalid(ap, *n.ActiveDeadlineSeconds, "must be less than or equal to previous value"))
		}
	}
	for _, ot := range o.Tolerations {
		found := false
		for _, nt := range n.Tolerations {
			if equalJSON(ot, nt) {
				found = true
				break
			}
		}
		if !found {
			errs = append(errs, FieldForbidden(p.child("tolerations").String(), "existing toleration can not be modified except its tolerationSeconds"))
			break
		}
	}

	// Mask what may change, then compare the rest field by field.
	masked := copyPodSpec(n)
	for i := range masked.Containers {
		if i < len(o.Containers) {
			masked.Containers[i].Image = o.Containers[i].Image
		}
	}
	for i := range masked.InitContainers {
		if i < len(o.InitContainers) {
			masked.InitContainers[i].Image = o.InitContainers[i].Image
		}
	}
	masked.ActiveDeadlineSeconds = o.ActiveDeadlineSeconds
	masked.Tolerations = o.Tolerations
	masked.TerminationGracePeriodSeconds = o.TerminationGracePeriodSeconds
	if changed := changedFields(masked, o); len(changed) > 0 {
		for i := range changed {
			changed[i] = p.child(changed[i]).String()
		}
		errs = append(errs, FieldForbidden(p.String(),
			"pod updates may not change fields other than "+podUpdatableFields+" (changed: "+strings.Join(changed, ", ")+")"))
	}
	return errs
}

func copyPodSpec(s *PodSpec) *PodSpec {
	var out PodSpec
	b, err := json.Marshal(s)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		panic(fmt.Sprintf("api: PodSpec does not survive a JSON round trip: %v", err))
	}
	return &out
}

// changedFields returns the JSON names of the top-level fields that differ
// between two values of the same struct type, sorted.
func changedFields(a, b any) []string {
	var ma, mb map[string]json.RawMessage
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	_ = json.Unmarshal(ja, &ma)
	_ = json.Unmarshal(jb, &mb)
	var out []string
	for _, k := range slices.Sorted(maps.Keys(ma)) {
		if !equalRaw(ma[k], mb[k]) {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(mb)) {
		if _, ok := ma[k]; !ok && !equalRaw(nil, mb[k]) {
			out = append(out, k)
		}
	}
	return sortStrings(out)
}

func equalRaw(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	empty := func(j json.RawMessage) bool { s := string(j); return s == "" || s == "null" || s == "{}" || s == "[]" }
	return empty(a) && empty(b)
}

func sortStrings(s []string) []string {
	m := make(map[string]bool, len(s))
	for _, x := range s {
		m[x] = true
	}
	return slices.Sorted(maps.Keys(m))
}

// validateStatefulSetSpecUpdate allows Kubernetes' updatable fields only.
func validateStatefulSetSpecUpdate(n, o *StatefulSetSpec) FieldErrors {
	nc, oc := *n, *o
	nc.Replicas, oc.Replicas = nil, nil
	nc.Template, oc.Template = PodTemplateSpec{}, PodTemplateSpec{}
	nc.UpdateStrategy, oc.UpdateStrategy = StatefulSetUpdateStrategy{}, StatefulSetUpdateStrategy{}
	nc.MinReadySeconds, oc.MinReadySeconds = 0, 0
	nc.PersistentVolumeClaimRetentionPolicy, oc.PersistentVolumeClaimRetentionPolicy = nil, nil
	if !equalJSON(nc, oc) {
		return FieldErrors{FieldForbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")}
	}
	return nil
}

func validateJobSpecUpdate(n, o *JobSpec) FieldErrors {
	errs := validateSelectorUpdate(n.Selector, o.Selector, "spec.selector")
	if !equalJSON(n.Template, o.Template) {
		errs = append(errs, FieldInvalid("spec.template", n.Template, immutableMsg))
	}
	if !equalJSON(n.Completions, o.Completions) {
		errs = append(errs, FieldInvalid("spec.completions", n.Completions, immutableMsg))
	}
	if n.CompletionMode != o.CompletionMode {
		errs = append(errs, FieldInvalid("spec.completionMode", n.CompletionMode, immutableMsg))
	}
	return errs
}
