package api

import "strings"

// Validation of the RBAC kinds: roles' rules, bindings' subjects and
// roleRef. Their names are freer than most: "system:kube-scheduler" is a
// good name; anything that can stand as one segment of a URL path is.

// IsValidPathSegmentName reports what keeps s from being one segment of
// an API path: "." and "..", and names holding "/" or "%".
func IsValidPathSegmentName(s string) []string {
	var msgs []string
	if s == "." || s == ".." {
		return []string{"may not be '" + s + "'"}
	}
	for _, c := range []string{"/", "%"} {
		if strings.Contains(s, c) {
			msgs = append(msgs, "may not contain '"+c+"'")
		}
	}
	return msgs
}

func validateRole(r *Role) FieldErrors {
	errs := validateObjectMeta(&r.ObjectMeta, true, IsValidPathSegmentName, "metadata")
	for i, rule := range r.Rules {
		errs = append(errs, validatePolicyRule(rule, true, path("rules").index(i))...)
	}
	return errs
}

func validateClusterRole(r *ClusterRole) FieldErrors {
	errs := validateObjectMeta(&r.ObjectMeta, false, IsValidPathSegmentName, "metadata")
	for i, rule := range r.Rules {
		errs = append(errs, validatePolicyRule(rule, false, path("rules").index(i))...)
	}
	return errs
}

// validatePolicyRule: a rule needs verbs, and is either about resources
// (API groups and resources both given) or about non-resource URLs, which
// only a ClusterRole may name (they have no namespace).
func validatePolicyRule(r PolicyRule, namespaced bool, p path) FieldErrors {
	var errs FieldErrors
	if len(r.Verbs) == 0 {
		errs = append(errs, FieldRequired(p.child("verbs").String(), "verbs must contain at least one value"))
	}
	if len(r.NonResourceURLs) > 0 {
		up := p.child("nonResourceURLs").String()
		if namespaced {
			errs = append(errs, FieldInvalid(up, r.NonResourceURLs, "namespaced rules cannot apply to non-resource URLs"))
		}
		if len(r.APIGroups) > 0 || len(r.Resources) > 0 {
			errs = append(errs, FieldInvalid(up, r.NonResourceURLs, "rules cannot apply to both regular resources and non-resource URLs"))
		}
		return errs
	}
	if len(r.APIGroups) == 0 {
		errs = append(errs, FieldRequired(p.child("apiGroups").String(), "resource rules must supply at least one api group"))
	}
	if len(r.Resources) == 0 {
		errs = append(errs, FieldRequired(p.child("resources").String(), "resource rules must supply at least one resource"))
	}
	return errs
}

func validateRoleBinding(b *RoleBinding) FieldErrors {
	errs := validateObjectMeta(&b.ObjectMeta, true, IsValidPathSegmentName, "metadata")
	errs = append(errs, validateRoleRef(b.RoleRef, []string{"Role", "ClusterRole"})...)
	for i, s := range b.Subjects {
		errs = append(errs, validateSubject(s, true, path("subjects").index(i))...)
	}
	return errs
}

func validateClusterRoleBinding(b *ClusterRoleBinding) FieldErrors {
	errs := validateObjectMeta(&b.ObjectMeta, false, IsValidPathSegmentName, "metadata")
	errs = append(errs, validateRoleRef(b.RoleRef, []string{"ClusterRole"})...)
	for i, s := range b.Subjects {
		errs = append(errs, validateSubject(s, false, path("subjects").index(i))...)
	}
	return errs
}

// validateRoleRef: a binding names a role of the RBAC group, of one of
// kinds (a ClusterRoleBinding cannot name a namespace's Role).
func validateRoleRef(r RoleRef, kinds []string) FieldErrors {
	var errs FieldErrors
	if r.APIGroup != RBACGroup {
		errs = append(errs, FieldNotSupported("roleRef.apiGroup", r.APIGroup, []string{RBACGroup}))
	}
	if !oneOf(r.Kind, kinds...) {
		errs = append(errs, FieldNotSupported("roleRef.kind", r.Kind, kinds))
	}
	if r.Name == "" {
		errs = append(errs, FieldRequired("roleRef.name", ""))
	}
	for _, msg := range IsValidPathSegmentName(r.Name) {
		errs = append(errs, FieldInvalid("roleRef.name", r.Name, msg))
	}
	return errs
}

// validateSubject: a User or Group (of the RBAC API group) or a
// ServiceAccount (of the core group, with a valid name, and a namespace
// unless a RoleBinding's own is meant).
func validateSubject(s Subject, namespaced bool, p path) FieldErrors {
	var errs FieldErrors
	if s.Name == "" {
		errs = append(errs, FieldRequired(p.child("name").String(), ""))
	}
	switch s.Kind {
	case SubjectServiceAccount:
		if s.Name != "" {
			for _, msg := range IsDNS1123Subdomain(s.Name) {
				errs = append(errs, FieldInvalid(p.child("name").String(), s.Name, msg))
			}
		}
		if s.APIGroup != "" {
			errs = append(errs, FieldNotSupported(p.child("apiGroup").String(), s.APIGroup, []string{""}))
		}
		if !namespaced && s.Namespace == "" {
			errs = append(errs, FieldRequired(p.child("namespace").String(), ""))
		}
	case SubjectUser, SubjectGroup:
		if s.APIGroup != RBACGroup {
			errs = append(errs, FieldNotSupported(p.child("apiGroup").String(), s.APIGroup, []string{RBACGroup}))
		}
	default:
		errs = append(errs, FieldNotSupported(p.child("kind").String(), s.Kind, []string{SubjectServiceAccount, SubjectUser, SubjectGroup}))
	}
	return errs
}
