package api

import (
	"fmt"
	"strings"
)

// validateJob checks a Job as stored: after the API server has generated
// its selector (see the apiserver's create strategy), so unless
// spec.manualSelector is true the template must carry the generated labels
// and the selector must be the generated one, as Kubernetes requires.
func validateJob(j *Job) FieldErrors {
	errs := validateObjectMeta(&j.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	if !isTrue(j.Spec.ManualSelector) {
		errs = append(errs, validateGeneratedSelector(j)...)
	}
	return append(errs, validateJobSpec(&j.Spec, "spec", true)...)
}

// validateGeneratedSelector checks what the API server's selector
// generation should have put in place; it fails only when the client set
// conflicting labels or a selector of its own.
func validateGeneratedSelector(j *Job) FieldErrors {
	var errs FieldErrors
	if j.UID == "" {
		errs = append(errs, FieldRequired("metadata.uid", ""))
	}
	lp := path("spec").child("template", "metadata", "labels")
	expected := map[string]string{}
	for _, l := range []struct{ key, want string }{
		{LegacyControllerUIDLabel, j.UID}, {LegacyJobNameLabel, j.Name},
		{ControllerUIDLabel, j.UID}, {JobNameLabel, j.Name},
	} {
		expected[l.key] = l.want
		v, ok := j.Spec.Template.Labels[l.key]
		switch {
		case !ok:
			errs = append(errs, FieldRequired(lp.key(l.key).String(), "must be '"+l.want+"'"))
		case v != l.want:
			errs = append(errs, FieldInvalid(lp.key(l.key).String(), v, "must be '"+l.want+"'"))
		}
	}
	if ls := j.Spec.Selector; ls != nil {
		if sel, err := SelectorFromLabelSelector(ls); err == nil && !sel.Matches(expected) {
			errs = append(errs, FieldInvalid("spec.selector", ls, "`selector` not auto-generated"))
		}
	}
	return errs
}

// validateJobSpec checks a Job's spec, or a CronJob's job template spec
// (requireSelector false: the selector is generated when the Job is made).
func validateJobSpec(s *JobSpec, p path, requireSelector bool) FieldErrors {
	var errs FieldErrors
	if s.Parallelism != nil {
		errs = append(errs, nonNegative(int64(*s.Parallelism), p.child("parallelism"))...)
	}
	if s.Completions != nil {
		errs = append(errs, nonNegative(int64(*s.Completions), p.child("completions"))...)
	}
	if s.ActiveDeadlineSeconds != nil {
		errs = append(errs, nonNegative(*s.ActiveDeadlineSeconds, p.child("activeDeadlineSeconds"))...)
	}
	if s.BackoffLimit != nil {
		errs = append(errs, nonNegative(int64(*s.BackoffLimit), p.child("backoffLimit"))...)
	}
	if s.TTLSecondsAfterFinished != nil {
		errs = append(errs, nonNegative(int64(*s.TTLSecondsAfterFinished), p.child("ttlSecondsAfterFinished"))...)
	}
	switch s.CompletionMode {
	case "", NonIndexedCompletion:
	case IndexedCompletion:
		if s.Completions == nil {
			errs = append(errs, FieldRequired(p.child("completions").String(), fmt.Sprintf("when completion mode is %s", IndexedCompletion)))
		}
	default:
		errs = append(errs, FieldNotSupported(p.child("completionMode").String(), s.CompletionMode, []string{NonIndexedCompletion, IndexedCompletion}))
	}
	if requireSelector {
		errs = append(errs, validateSelectorMatches(s.Selector, &s.Template, p)...)
	}
	errs = append(errs, validatePodTemplate(&s.Template, p.child("template"))...)
	if rp := s.Template.Spec.RestartPolicy; rp != RestartOnFailure && rp != RestartNever {
		errs = append(errs, FieldNotSupported(p.child("template", "spec", "restartPolicy").String(), string(rp), []string{string(RestartOnFailure), string(RestartNever)}))
	}
	return errs
}

// cronJobNameMax leaves room for the 11-character suffix of the Jobs a
// CronJob makes within the 63 characters of a label value.
const cronJobNameMax = 52

func validateCronJob(cj *CronJob) FieldErrors {
	errs := validateObjectMeta(&cj.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	if len(cj.Name) > cronJobNameMax {
		errs = append(errs, FieldInvalid("metadata.name", cj.Name, fmt.Sprintf("must be no more than %d characters", cronJobNameMax)))
	}
	p := path("spec")
	s := &cj.Spec
	if s.Schedule == "" {
		errs = append(errs, FieldRequired(p.child("schedule").String(), ""))
	} else if _, err := ParseCronSchedule(s.Schedule); err != nil {
		errs = append(errs, FieldInvalid(p.child("schedule").String(), s.Schedule, err.Error()))
	}
	if s.TimeZone != nil {
		if msg := validTimeZoneName(*s.TimeZone); msg != "" {
			errs = append(errs, FieldInvalid(p.child("timeZone").String(), *s.TimeZone, msg))
		}
	}
	switch s.ConcurrencyPolicy {
	case "", AllowConcurrent, ForbidConcurrent, ReplaceConcurrent:
	default:
		errs = append(errs, FieldNotSupported(p.child("concurrencyPolicy").String(), s.ConcurrencyPolicy, []string{AllowConcurrent, ForbidConcurrent, ReplaceConcurrent}))
	}
	if s.StartingDeadlineSeconds != nil {
		errs = append(errs, nonNegative(*s.StartingDeadlineSeconds, p.child("startingDeadlineSeconds"))...)
	}
	if s.SuccessfulJobsHistoryLimit != nil {
		errs = append(errs, nonNegative(int64(*s.SuccessfulJobsHistoryLimit), p.child("successfulJobsHistoryLimit"))...)
	}
	if s.FailedJobsHistoryLimit != nil {
		errs = append(errs, nonNegative(int64(*s.FailedJobsHistoryLimit), p.child("failedJobsHistoryLimit"))...)
	}
	jp := p.child("jobTemplate")
	t := &s.JobTemplate
	errs = append(errs, validateLabels(t.Labels, jp.child("metadata", "labels"))...)
	errs = append(errs, validateAnnotations(t.Annotations, jp.child("metadata", "annotations"))...)
	if t.Spec.Selector != nil {
		errs = append(errs, FieldInvalid(jp.child("spec", "selector").String(), t.Spec.Selector, "`selector` will be auto-generated"))
	}
	if isTrue(t.Spec.ManualSelector) {
		errs = append(errs, FieldNotSupported(jp.child("spec", "manualSelector").String(), t.Spec.ManualSelector, []string{"nil", "false"}))
	}
	return append(errs, validateJobSpec(&t.Spec, jp.child("spec"), false)...)
}

// validTimeZoneName checks the shape of a tz database name ("UTC",
// "Europe/Berlin", "Etc/GMT+5"). Whether the zone exists needs the tz
// database, which is IO: the CronJob controller finds out, and says so in
// an UnknownTimeZone event. "Local" is refused, as in Kubernetes: it
// would mean whatever zone the controller's machine is in.
func validTimeZoneName(tz string) string {
	switch {
	case tz == "":
		return "timeZone must be nil or non-empty string"
	case tz == "Local":
		return "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"
	case strings.HasPrefix(tz, "/") || strings.HasSuffix(tz, "/") || strings.Contains(tz, "//"):
		return "unknown time zone: a tz database name such as UTC or Europe/Berlin has no empty parts"
	}
	for _, part := range strings.Split(tz, "/") {
		if part == "." || part == ".." {
			return "unknown time zone: a tz database name has no . or .. parts"
		}
		for _, r := range part {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '+' || r == '.') {
				return fmt.Sprintf("unknown time zone: %q may not appear in a tz database name (letters, digits, _ - + . and / only)", r)
			}
		}
	}
	return ""
}

// claimAccessModes are the access modes a claim may ask for.
var claimAccessModes = []string{ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod}

func validateClaim(c *PersistentVolumeClaim) FieldErrors {
	errs := validateObjectMeta(&c.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	return append(errs, validateClaimSpec(&c.Spec, "spec")...)
}

// validateClaimSpec checks a claim's spec, standing alone or as a
// StatefulSet's volumeClaimTemplate.
func validateClaimSpec(s *PersistentVolumeClaimSpec, p path) FieldErrors {
	var errs FieldErrors
	ap := p.child("accessModes")
	if len(s.AccessModes) == 0 {
		errs = append(errs, FieldRequired(ap.String(), "at least 1 access mode is required"))
	}
	for _, m := range s.AccessModes {
		if !oneOf(m, claimAccessModes...) {
			errs = append(errs, FieldNotSupported(ap.String(), m, claimAccessModes))
		}
	}
	if oneOf(ReadWriteOncePod, s.AccessModes...) && len(s.AccessModes) > 1 {
		errs = append(errs, FieldForbidden(ap.String(), "may not use ReadWriteOncePod with other access modes"))
	}
	rp := p.child("resources")
	q, ok := s.Resources.Requests[ResourceStorage]
	switch {
	case !ok:
		errs = append(errs, FieldRequired(rp.key(string(ResourceStorage)).String(), ""))
	case q.Cmp(Quantity{}) <= 0:
		errs = append(errs, FieldInvalid(rp.child("requests").key(string(ResourceStorage)).String(), q.String(), "must be greater than zero"))
	}
	if sc := s.StorageClassName; sc != nil && *sc != "" {
		for _, msg := range IsDNS1123Subdomain(*sc) {
			errs = append(errs, FieldInvalid(p.child("storageClassName").String(), *sc, msg))
		}
	}
	return errs
}
