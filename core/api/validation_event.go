package api

// validateEvent checks that an event says what it is about, and that its
// namespace agrees with the object's: events about namespaced objects live
// in that namespace; events about cluster-scoped objects (Nodes) live in
// "default".
func validateEvent(ev *Event) FieldErrors {
	errs := validateObjectMeta(&ev.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	io := path("involvedObject")
	if ev.InvolvedObject.Kind == "" {
		errs = append(errs, FieldRequired(io.child("kind").String(), ""))
	}
	if ev.InvolvedObject.Name == "" {
		errs = append(errs, FieldRequired(io.child("name").String(), ""))
	}
	ns := ev.InvolvedObject.Namespace
	switch {
	case ns == "" && ev.Namespace != "" && ev.Namespace != "default":
		errs = append(errs, FieldInvalid(io.child("namespace").String(), ns, "does not match event.namespace"))
	case ns != "" && ns != ev.Namespace:
		errs = append(errs, FieldInvalid(io.child("namespace").String(), ns, "does not match event.namespace"))
	}
	if ev.Type != "" && ev.Type != "Normal" && ev.Type != "Warning" {
		errs = append(errs, FieldNotSupported("type", ev.Type, []string{"Normal", "Warning"}))
	}
	errs = append(errs, nonNegative(int64(ev.Count), "count")...)
	return errs
}

// validateLease checks a Lease's timing fields.
func validateLease(l *Lease) FieldErrors {
	errs := validateObjectMeta(&l.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	p := path("spec")
	if d := l.Spec.LeaseDurationSeconds; d != nil && *d <= 0 {
		errs = append(errs, FieldInvalid(p.child("leaseDurationSeconds").String(), *d, "must be greater than 0"))
	}
	if t := l.Spec.LeaseTransitions; t != nil {
		errs = append(errs, nonNegative(int64(*t), p.child("leaseTransitions"))...)
	}
	return errs
}
