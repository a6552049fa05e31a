package api

import (
	"slices"
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
	return validateWorkload(ls, t, p, "deployment", "ReplicaSet")
}

// validateWorkload is validateSelectorAndTemplate with Kubernetes' wording
// for each kind: "empty selector is invalid for <emptyFor>" and
// "activeDeadlineSeconds in <kind> is not Supported".
func validateWorkload(ls *LabelSelector, t *PodTemplateSpec, p path, emptyFor, kind string) FieldErrors {
	var errs FieldErrors
	if ls != nil && len(ls.MatchLabels)+len(ls.MatchExpressions) == 0 {
		errs = append(errs, FieldInvalid(p.child("selector").String(), ls, "empty selector is invalid for "+emptyFor))
	} else {
		errs = append(errs, validateSelectorMatches(ls, t, p)...)
	}
	errs = append(errs, validatePodTemplate(t, p.child("template"))...)
	tp := p.child("template")
	if rp := t.Spec.RestartPolicy; rp != "" && rp != RestartAlways {
		errs = append(errs, FieldNotSupported(tp.child("spec", "restartPolicy").String(), string(rp), []string{"Always"}))
	}
	if t.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, FieldInvalid(tp.child("spec", "activeDeadlineSeconds").String(), t.Spec.ActiveDeadlineSeconds, "activeDeadlineSeconds in "+kind+" is not Supported"))
	}
	return errs
}

// validateSelectorMatches checks that the selector is present, well formed
// and matches the template's labels.
func validateSelectorMatches(ls *LabelSelector, t *PodTemplateSpec, p path) FieldErrors {
	sp := p.child("selector")
	if ls == nil {
		return FieldErrors{FieldRequired(sp.String(), "")}
	}
	sel, err := SelectorFromLabelSelector(ls)
	if err != nil {
		return FieldErrors{FieldInvalid(sp.String(), ls, "invalid label selector: "+err.Error())}
	}
	if !sel.Matches(t.Labels) {
		return FieldErrors{FieldInvalid(p.child("template", "metadata", "labels").String(), t.Labels, "`selector` does not match template `labels`")}
	}
	return nil
}

// validatePodTemplate checks a template's metadata (it is not an object's:
// it has no name or namespace of its own, but its labels and annotations
// must be valid) and its pod spec.
func validatePodTemplate(t *PodTemplateSpec, tp path) FieldErrors {
	errs := validateLabels(t.Labels, tp.child("metadata", "labels"))
	errs = append(errs, validateAnnotations(t.Annotations, tp.child("metadata", "annotations"))...)
	return append(errs, validatePodSpec(&t.Spec, tp.child("spec"))...)
}

func validateStatefulSet(ss *StatefulSet) FieldErrors {
	errs := validateObjectMeta(&ss.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	p := path("spec")
	s := &ss.Spec
	if s.Replicas != nil {
		errs = append(errs, nonNegative(int64(*s.Replicas), p.child("replicas"))...)
	}
	// The pods' volumes are the template's plus one per claim template (replacing one of the
	// same name), so
	// mounts of a claim template's name are valid (Kubernetes skips the
	// template's pod validation for this reason).
	tmpl := s.Template
	tmpl.Spec.Volumes = append([]Volume(nil), s.Template.Spec.Volumes...)
	for _, ct := range s.VolumeClaimTemplates {
		if ct.Name == "" || slices.ContainsFunc(tmpl.Spec.Volumes, func(v Volume) bool { return v.Name == ct.Name }) {
			continue // unnamed: reported below; else the claim's volume replaces it in each pod
		}
		tmpl.Spec.Volumes = append(tmpl.Spec.Volumes, Volume{Name: ct.Name, VolumeSource: VolumeSource{PersistentVolumeClaim: &PersistentVolumeClaimVolumeSource{ClaimName: ct.Name}}})
	}
	errs = append(errs, validateWorkload(s.Selector, &tmpl, p, "statefulset", "StatefulSet")...)
	if s.ServiceName != "" {
		for _, msg := range IsDNS1035Label(s.ServiceName) {
			errs = append(errs, FieldInvalid(p.child("serviceName").String(), s.ServiceName, msg))
		}
	}
	switch s.PodManagementPolicy {
	case "", OrderedReadyPodManagement, ParallelPodManagement:
	default:
		errs = append(errs, FieldNotSupported(p.child("podManagementPolicy").String(), s.PodManagementPolicy, []string{OrderedReadyPodManagement, ParallelPodManagement}))
	}
	up := p.child("updateStrategy")
	switch s.UpdateStrategy.Type {
	case StrategyOnDelete:
		if s.UpdateStrategy.RollingUpdate != nil {
			errs = append(errs, FieldInvalid(up.child("rollingUpdate").String(), s.UpdateStrategy.RollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"))
		}
	case StrategyRollingUpdate, "":
		if ru := s.UpdateStrategy.RollingUpdate; ru != nil {
			rp := up.child("rollingUpdate")
			if ru.Partition != nil {
				errs = append(errs, nonNegative(int64(*ru.Partition), rp.child("partition"))...)
			}
			if mu := ru.MaxUnavailable; mu != nil {
				mp := rp.child("maxUnavailable")
				if verrs := validateIntOrPercent(mu, mp); len(verrs) > 0 {
					errs = append(errs, verrs...)
				} else if intOrPercentValue(*mu) == 0 {
					errs = append(errs, FieldInvalid(mp.String(), mu, "must be greater than 0"))
				} else if mu.IsString && intOrPercentValue(*mu) > 100 {
					errs = append(errs, FieldInvalid(mp.String(), mu, "must not be greater than 100%"))
				}
			}
		}
	default:
		errs = append(errs, FieldNotSupported(up.child("type").String(), s.UpdateStrategy.Type, []string{StrategyOnDelete, StrategyRollingUpdate}))
	}
	if s.RevisionHistoryLimit != nil {
		errs = append(errs, nonNegative(int64(*s.RevisionHistoryLimit), p.child("revisionHistoryLimit"))...)
	}
	errs = append(errs, nonNegative(int64(s.MinReadySeconds), p.child("minReadySeconds"))...)
	if rp := s.PersistentVolumeClaimRetentionPolicy; rp != nil {
		pp := p.child("persistentVolumeClaimRetentionPolicy")
		for _, f := range []struct{ name, value string }{{"whenDeleted", rp.WhenDeleted}, {"whenScaled", rp.WhenScaled}} {
			if f.value != RetainClaimRetention && f.value != DeleteClaimRetention {
				errs = append(errs, FieldNotSupported(pp.child(f.name).String(), f.value, []string{RetainClaimRetention, DeleteClaimRetention}))
			}
		}
	}
	for i := range s.VolumeClaimTemplates {
		c := &s.VolumeClaimTemplates[i]
		cp := p.child("volumeClaimTemplates").index(i)
		if c.Name == "" {
			errs = append(errs, FieldRequired(cp.child("metadata", "name").String(), ""))
		} else {
			for _, msg := range IsDNS1123Subdomain(c.Name) {
				errs = append(errs, FieldInvalid(cp.child("metadata", "name").String(), c.Name, msg))
			}
		}
		errs = append(errs, validateLabels(c.Labels, cp.child("metadata", "labels"))...)
		errs = append(errs, validateClaimSpec(&c.Spec, cp.child("spec"))...)
	}
	return errs
}

func validateDaemonSet(ds *DaemonSet) FieldErrors {
	errs := validateObjectMeta(&ds.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	p := path("spec")
	s := &ds.Spec
	errs = append(errs, validateWorkload(s.Selector, &s.Template, p, "daemonset", "DaemonSet")...)
	up := p.child("updateStrategy")
	switch s.UpdateStrategy.Type {
	case StrategyOnDelete:
	case StrategyRollingUpdate, "":
		if ru := s.UpdateStrategy.RollingUpdate; ru != nil {
			rp := up.child("rollingUpdate")
			errs = append(errs, validateIntOrPercent(ru.MaxUnavailable, rp.child("maxUnavailable"))...)
			errs = append(errs, validateIntOrPercent(ru.MaxSurge, rp.child("maxSurge"))...)
			surge := ru.MaxSurge == nil || intOrPercentValue(*ru.MaxSurge) == 0
			if ru.MaxUnavailable != nil && intOrPercentValue(*ru.MaxUnavailable) == 0 && surge {
				errs = append(errs, FieldInvalid(rp.child("maxUnavailable").String(), ru.MaxUnavailable, "may not be 0 when `maxSurge` is 0"))
			}
			if mu := ru.MaxUnavailable; mu != nil && mu.IsString && isPercent(mu.StrVal) && intOrPercentValue(*mu) > 100 {
				errs = append(errs, FieldInvalid(rp.child("maxUnavailable").String(), mu, "must not be greater than 100%"))
			}
		}
	default:
		errs = append(errs, FieldNotSupported(up.child("type").String(), s.UpdateStrategy.Type, []string{StrategyOnDelete, StrategyRollingUpdate}))
	}
	errs = append(errs, nonNegative(int64(s.MinReadySeconds), p.child("minReadySeconds"))...)
	if s.RevisionHistoryLimit != nil {
		errs = append(errs, nonNegative(int64(*s.RevisionHistoryLimit), p.child("revisionHistoryLimit"))...)
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
