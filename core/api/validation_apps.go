package api

import (
	"strconv"
	"strings"
)

func validateReplicaSet(rs *ReplicaSet) FieldErrors {
	errs := validateObjectMeta(&rs.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	p := path("spec")
	if rs.Spec.Replicas != nil {
		errs = append(errs, nonNegative(int64(*rs.Spec.Replicas), p.child("replicas"))...)
	}
	errs = append(errs, nonNegative(int64(rs.Spec.MinReadySeconds), p.child("minReadySeconds"))...)
	return append(errs, validateSelectorAndTemplate(rs.Spec.Selector, &rs.Spec.Template, p)...)
}

func validateDeployment(d *Deployment) FieldErrors {
	errs := validateObjectMeta(&d.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	p := path("spec")
	s := &d.Spec
	if s.Replicas != nil {
		errs = append(errs, nonNegative(int64(*s.Replicas), p.child("replicas"))...)
	}
	errs = append(errs, validateSelectorAndTemplate(s.Selector, &s.Template, p)...)
	errs = append(errs, validateDeploymentStrategy(&s.Strategy, p.child("strategy"))...)
	errs = append(errs, nonNegative(int64(s.MinReadySeconds), p.child("minReadySeconds"))...)
	if s.RevisionHistoryLimit != nil {
		errs = append(errs, nonNegative(int64(*s.RevisionHistoryLimit), p.child("revisionHistoryLimit"))...)
	}
	if pd := s.ProgressDeadlineSeconds; pd != nil {
		pp := p.child("progressDeadlineSeconds")
		if *pd < 0 {
			errs = append(errs, nonNegative(int64(*pd), pp)...)
		} else if *pd <= s.MinReadySeconds {
			errs = append(errs, FieldInvalid(pp.String(), *pd, "must be greater than minReadySeconds"))
		}
	}
	return errs
}

// validateSelectorAndTemplate checks what ReplicaSets and Deployments share:
// a non-empty selector that matches the template's labels, and a template
// whose pods restart Always (a workload replaces pods; it never lets them
// finish).
func validateSelectorAndTemplate(ls *LabelSelector, t *PodTemplateSpec, p path) FieldErrors {
	var errs FieldErrors
	sp := p.child("selector")
	var sel Selector
	selOK := false
	switch {
	case ls == nil:
		errs = append(errs, FieldRequired(sp.String(), ""))
	case len(ls.MatchLabels)+len(ls.MatchExpressions) == 0:
		errs = append(errs, FieldInvalid(sp.String(), ls, "empty selector is invalid for deployment"))
	default:
		var err error
		if sel, err = SelectorFromLabelSelector(ls); err != nil {
			errs = append(errs, FieldInvalid(sp.String(), ls, "invalid label selector: "+err.Error()))
		} else {
			selOK = true
		}
	}
	tp := p.child("template")
	if selOK && !sel.Matches(t.Labels) {
		errs = append(errs, FieldInvalid(tp.child("metadata", "labels").String(), t.Labels, "`selector` does not match template `labels`"))
	}
	// The template's metadata is not an object's: it has no name or
	// namespace of its own, but its labels and annotations must be valid.
	errs = append(errs, validateLabels(t.Labels, tp.child("metadata", "labels"))...)
	errs = append(errs, validateAnnotations(t.Annotations, tp.child("metadata", "annotations"))...)
	errs = append(errs, validatePodSpec(&t.Spec, tp.child("spec"))...)
	if rp := t.Spec.RestartPolicy; rp != "" && rp != RestartAlways {
		errs = append(errs, FieldNotSupported(tp.child("spec", "restartPolicy").String(), string(rp), []string{"Always"}))
	}
	if t.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, FieldInvalid(tp.child("spec", "activeDeadlineSeconds").String(), t.Spec.ActiveDeadlineSeconds, "activeDeadlineSeconds in ReplicaSet is not Supported"))
	}
	return errs
}

func validateDeploymentStrategy(s *DeploymentStrategy, p path) FieldErrors {
	var errs FieldErrors
	switch s.Type {
	case StrategyRecreate:
		if s.RollingUpdate != nil {
			errs = append(errs, FieldForbidden(p.child("rollingUpdate").String(), "may not be specified when strategy `type` is 'Recreate'"))
		}
	case StrategyRollingUpdate, "":
		if ru := s.RollingUpdate; ru != nil {
			rp := p.child("rollingUpdate")
			errs = append(errs, validateIntOrPercent(ru.MaxUnavailable, rp.child("maxUnavailable"))...)
			errs = append(errs, validateIntOrPercent(ru.MaxSurge, rp.child("maxSurge"))...)
			if ru.MaxUnavailable != nil && ru.MaxSurge != nil && intOrPercentValue(*ru.MaxUnavailable) == 0 && intOrPercentValue(*ru.MaxSurge) == 0 {
				errs = append(errs, FieldInvalid(rp.child("maxUnavailable").String(), ru.MaxUnavailable, "may not be 0 when `maxSurge` is 0"))
			}
			if mu := ru.MaxUnavailable; mu != nil && mu.IsString && isPercent(mu.StrVal) && intOrPercentValue(*mu) > 100 {
				errs = append(errs, FieldInvalid(rp.child("maxUnavailable").String(), mu, "must not be greater than 100%"))
			}
		}
	default:
		errs = append(errs, FieldNotSupported(p.child("type").String(), s.Type, []string{StrategyRecreate, StrategyRollingUpdate}))
	}
	return errs
}

// isPercent reports whether s is "<digits>%".
func isPercent(s string) bool {
	n, ok := strings.CutSuffix(s, "%")
	if !ok || n == "" {
		return false
	}
	for _, c := range n {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// intOrPercentValue returns the number of an integer or of "N%".
func intOrPercentValue(v IntOrString) int {
	if !v.IsString {
		return int(v.IntVal)
	}
	n, err := strconv.Atoi(strings.TrimSuffix(v.StrVal, "%"))
	if err != nil {
		return -1
	}
	return n
}

// validateIntOrPercent checks a rollout bound: a non-negative integer or a
// non-negative percentage such as "25%".
func validateIntOrPercent(v *IntOrString, p path) FieldErrors {
	if v == nil {
		return nil
	}
	if v.IsString && !isPercent(v.StrVal) {
		return FieldErrors{FieldInvalid(p.String(), v, "must be an integer or percentage (e.g '5%')")}
	}
	return nonNegative(int64(intOrPercentValue(*v)), p)
}
