package api

func validateNode(n *Node) FieldErrors {
	errs := validateObjectMeta(&n.ObjectMeta, false, IsDNS1123Subdomain, "metadata")
	p := path("spec")
	type taintKey struct{ key, effect string }
	seen := map[taintKey]bool{}
	for i, t := range n.Spec.Taints {
		tp := p.child("taints").index(i)
		for _, msg := range IsQualifiedName(t.Key) {
			errs = append(errs, FieldInvalid(tp.child("key").String(), t.Key, msg))
		}
		for _, msg := range IsValidLabelValue(t.Value) {
			errs = append(errs, FieldInvalid(tp.child("value").String(), t.Value, msg))
		}
		switch {
		case t.Effect == "":
			errs = append(errs, FieldRequired(tp.child("effect").String(), ""))
		case !oneOf(t.Effect, taintEffects...):
			errs = append(errs, FieldNotSupported(tp.child("effect").String(), t.Effect, taintEffects))
		}
		k := taintKey{t.Key, t.Effect}
		if seen[k] {
			errs = append(errs, FieldDuplicate(tp.String(), t.Key+":"+t.Effect))
		}
		seen[k] = true
	}
	// A kubelet registers its node with a status; it is checked as a
	// status write would be.
	return append(errs, validateNodeStatus(&n.Status, "status")...)
}

func validateNamespace(ns *Namespace) FieldErrors {
	errs := validateObjectMeta(&ns.ObjectMeta, false, IsDNS1123Label, "metadata")
	for i, f := range ns.Spec.Finalizers {
		fp := path("spec.finalizers").index(i)
		for _, msg := range IsQualifiedName(f) {
			errs = append(errs, FieldInvalid(fp.String(), f, msg))
		}
	}
	if ph := ns.Status.Phase; ph != "" && ph != NamespaceActive && ph != NamespaceTerminating {
		errs = append(errs, FieldNotSupported("status.phase", ph, []string{NamespaceActive, NamespaceTerminating}))
	}
	return errs
}
