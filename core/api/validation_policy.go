package api

// validatePodDisruptionBudget checks a PDB as policy/v1 does: at most one
// of minAvailable and maxUnavailable, each a non-negative integer or a
// percentage of at most 100%, a well-formed selector, and a known
// unhealthy pod eviction policy.
func validatePodDisruptionBudget(pdb *PodDisruptionBudget) FieldErrors {
	errs := validateObjectMeta(&pdb.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	p := path("spec")
	s := &pdb.Spec
	if s.MinAvailable != nil && s.MaxUnavailable != nil {
		errs = append(errs, FieldInvalid(p.String(), "minAvailable and maxUnavailable", "minAvailable and maxUnavailable cannot be both set"))
	}
	for _, f := range []struct {
		v    *IntOrString
		name string
	}{{s.MinAvailable, "minAvailable"}, {s.MaxUnavailable, "maxUnavailable"}} {
		if f.v == nil {
			continue
		}
		fp := p.child(f.name)
		if e := validateIntOrPercent(f.v, fp); len(e) > 0 {
			errs = append(errs, e...)
			continue
		}
		if f.v.IsString && intOrPercentValue(*f.v) > 100 {
			errs = append(errs, FieldInvalid(fp.String(), f.v, "must not be greater than 100%"))
		}
	}
	if s.Selector != nil {
		if _, err := SelectorFromLabelSelector(s.Selector); err != nil {
			errs = append(errs, FieldInvalid(p.child("selector").String(), s.Selector, "invalid label selector: "+err.Error()))
		}
	}
	if up := s.UnhealthyPodEvictionPolicy; up != nil && *up != IfHealthyBudget && *up != AlwaysAllow {
		errs = append(errs, FieldNotSupported(p.child("unhealthyPodEvictionPolicy").String(), *up, []string{AlwaysAllow, IfHealthyBudget}))
	}
	return errs
}
