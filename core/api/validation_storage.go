package api

import (
	"maps"
	"slices"
	"strings"
)

// Validation of the storage kinds: PersistentVolume and StorageClass (a
// claim's own checks are in validation_batch.go, beside StatefulSets'
// volumeClaimTemplates that share them).

var (
	reclaimPolicies = []string{ReclaimRetain, ReclaimDelete}
	volumeModes     = []string{VolumeFilesystem, VolumeBlock}
	bindingModes    = []string{BindingImmediate, BindingWaitForFirstConsumer}
)

func validatePersistentVolume(pv *PersistentVolume) FieldErrors {
	errs := validateObjectMeta(&pv.ObjectMeta, false, IsDNS1123Subdomain, "metadata")
	s, p := &pv.Spec, path("spec")
	ap := p.child("accessModes")
	if len(s.AccessModes) == 0 {
		errs = append(errs, FieldRequired(ap.String(), "must specify at least 1 access mode"))
	}
	for _, m := range s.AccessModes {
		if !oneOf(m, claimAccessModes...) {
			errs = append(errs, FieldNotSupported(ap.String(), m, claimAccessModes))
		}
	}
	cp := p.child("capacity")
	q, ok := s.Capacity[ResourceStorage]
	switch {
	case !ok || len(s.Capacity) == 0:
		errs = append(errs, FieldRequired(cp.String(), "must specify a storage capacity"))
	case q.Cmp(Quantity{}) <= 0:
		errs = append(errs, FieldInvalid(cp.key(string(ResourceStorage)).String(), q.String(), "must be greater than zero"))
	}
	for _, name := range slices.Sorted(maps.Keys(s.Capacity)) {
		if name != ResourceStorage {
			errs = append(errs, FieldNotSupported(cp.key(string(name)).String(), string(name), []string{string(ResourceStorage)}))
		}
	}
	n := 0
	if hp := s.HostPath; hp != nil {
		n++
		errs = append(errs, validateVolumePath(hp.Path, p.child("hostPath", "path"))...)
	}
	if l := s.Local; l != nil {
		n++
		errs = append(errs, validateVolumePath(l.Path, p.child("local", "path"))...)
		if s.NodeAffinity == nil || s.NodeAffinity.Required == nil {
			errs = append(errs, FieldRequired(p.child("nodeAffinity").String(), "Local volume requires node affinity"))
		}
	}
	switch n {
	case 0:
		errs = append(errs, FieldRequired(p.String(), "must specify a volume type (hostPath or local)"))
	case 1:
	default:
		errs = append(errs, FieldForbidden(p.child("local").String(), "may not specify more than 1 volume type"))
	}
	if r := s.PersistentVolumeReclaimPolicy; r != "" && !oneOf(r, reclaimPolicies...) {
		errs = append(errs, FieldNotSupported(p.child("persistentVolumeReclaimPolicy").String(), r, reclaimPolicies))
	}
	if sc := s.StorageClassName; sc != "" {
		for _, msg := range IsDNS1123Subdomain(sc) {
			errs = append(errs, FieldInvalid(p.child("storageClassName").String(), sc, msg))
		}
	}
	if m := s.VolumeMode; m != nil && !oneOf(*m, volumeModes...) {
		errs = append(errs, FieldNotSupported(p.child("volumeMode").String(), *m, volumeModes))
	}
	if a := s.NodeAffinity; a != nil {
		rp := p.child("nodeAffinity", "required")
		if a.Required == nil {
			errs = append(errs, FieldRequired(rp.String(), "must specify required node constraints"))
		} else {
			if len(a.Required.NodeSelectorTerms) == 0 {
				errs = append(errs, FieldRequired(rp.child("nodeSelectorTerms").String(), "must have at least one node selector term"))
			}
			for i, t := range a.Required.NodeSelectorTerms {
				errs = append(errs, validateNodeSelectorTerm(t, rp.child("nodeSelectorTerms").index(i))...)
			}
		}
	}
	if ref := s.ClaimRef; ref != nil {
		rp := p.child("claimRef")
		if ref.Name == "" {
			errs = append(errs, FieldRequired(rp.child("name").String(), ""))
		}
		if ref.Namespace == "" {
			errs = append(errs, FieldRequired(rp.child("namespace").String(), ""))
		}
	}
	return errs
}

// validateVolumePath checks a node path a volume names: absolute, with no
// ".." element.
func validateVolumePath(v string, p path) FieldErrors {
	switch {
	case v == "":
		return FieldErrors{FieldRequired(p.String(), "")}
	case !strings.HasPrefix(v, "/"):
		return FieldErrors{FieldInvalid(p.String(), v, "must be an absolute path")}
	}
	for _, part := range strings.Split(v, "/") {
		if part == ".." {
			return FieldErrors{FieldInvalid(p.String(), v, "must not contain '..'")}
		}
	}
	return nil
}

func validateStorageClass(sc *StorageClass) FieldErrors {
	errs := validateObjectMeta(&sc.ObjectMeta, false, IsDNS1123Subdomain, "metadata")
	if sc.Provisioner == "" {
		errs = append(errs, FieldRequired("provisioner", ""))
	} else {
		for _, msg := range IsQualifiedName(strings.ToLower(sc.Provisioner)) {
			errs = append(errs, FieldInvalid("provisioner", sc.Provisioner, msg))
		}
	}
	if r := sc.ReclaimPolicy; r != nil && !oneOf(*r, reclaimPolicies...) {
		errs = append(errs, FieldNotSupported("reclaimPolicy", *r, reclaimPolicies))
	}
	if m := sc.VolumeBindingMode; m != nil && !oneOf(*m, bindingModes...) {
		errs = append(errs, FieldNotSupported("volumeBindingMode", *m, bindingModes))
	}
	return errs
}
