package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// ParsePolicy reads a Policy from YAML or JSON, as kube-apiserver reads
// --audit-policy-file: apiVersion must be audit.k8s.io/v1 and kind Policy,
// there must be at least one rule, and every level, stage, group and path
// must be valid. Fields it does not know are not fatal (Kubernetes decodes
// leniently too) but come back as warnings naming them, since a misspelt
// "verb:" silently widens a rule to every verb. Errors name the field:
// "rules[2].level: unsupported value "Full": supported values: ...".
func ParsePolicy(data []byte) (p *Policy, warnings []string, err error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, nil, fmt.Errorf("not YAML or JSON: %w", err)
	}
	var generic map[string]any
	if err := json.Unmarshal(js, &generic); err != nil {
		return nil, nil, fmt.Errorf("not a Policy object (a YAML or JSON map with apiVersion, kind and rules): %w", err)
	}
	warnings = unknownFields(generic)
	p = &Policy{}
	if err := json.NewDecoder(bytes.NewReader(js)).Decode(p); err != nil {
		return nil, warnings, fmt.Errorf("decoding the Policy: %w", err)
	}
	if p.APIVersion != APIVersion || p.Kind != KindPolicy {
		return nil, warnings, fmt.Errorf("apiVersion %q, kind %q: an audit policy is apiVersion %s, kind %s", p.APIVersion, p.Kind, APIVersion, KindPolicy)
	}
	if errs := ValidatePolicy(p); len(errs) > 0 {
		return nil, warnings, errors.Join(errs...)
	}
	return p, warnings, nil
}

// ValidatePolicy returns one error per invalid field of p, each naming
// it by its path (rules[0].resources[1].group), as Kubernetes validates a
// policy. A policy without rules is invalid: it would record nothing.
func ValidatePolicy(p *Policy) []error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	if len(p.Rules) == 0 {
		bad("rules", "a policy needs at least one rule (a catch-all `- level: None` records nothing, `- level: Metadata` everything)")
	}
	validStages(p.OmitStages, "omitStages", bad)
	for i, r := range p.Rules {
		path := fmt.Sprintf("rules[%d]", i)
		switch {
		case r.Level == "":
			bad(path+".level", "required: one of %s", quoteAll(levels))
		case !validLevel(r.Level):
			bad(path+".level", "unsupported value %q: supported values: %s", r.Level, quoteAll(levels))
		}
		validStages(r.OmitStages, path+".omitStages", bad)
		for j, u := range r.NonResourceURLs {
			at := fmt.Sprintf("%s.nonResourceURLs[%d]", path, j)
			if u == "*" {
				continue
			}
			if !strings.HasPrefix(u, "/") {
				bad(at, "invalid value %q: a non-resource URL begins with /", u)
			}
			if u != "" && strings.Contains(u[:len(u)-1], "*") {
				bad(at, "invalid value %q: a * may only end a non-resource URL", u)
			}
		}
		if len(r.NonResourceURLs) > 0 && (len(r.Resources) > 0 || len(r.Namespaces) > 0) {
			bad(path+".nonResourceURLs", "a rule matches resources (resources, namespaces) or non-resource URLs, not both: split it in two")
		}
		for j, gr := range r.Resources {
			at := fmt.Sprintf("%s.resources[%d]", path, j)
			if gr.Group != "" && gr.Group != "*" && !dnsSubdomain(gr.Group) {
				bad(at+".group", "invalid value %q: an API group is a lower-case DNS subdomain without a version (apps, rbac.authorization.k8s.io)", gr.Group)
			}
			if len(gr.ResourceNames) > 0 && len(gr.Resources) == 0 {
				bad(at+".resourceNames", "resourceNames need at least one resource to name objects of")
			}
		}
	}
	return errs
}

func validLevel(l Level) bool {
	_, ok := levelOrder[l]
	return ok
}

// validStages reports through bad each entry of ss that is not a stage.
func validStages(ss []Stage, path string, bad func(path, format string, args ...any)) {
	for i, s := range ss {
		ok := false
		for _, v := range stages {
			ok = ok || s == v
		}
		if !ok {
			bad(fmt.Sprintf("%s[%d]", path, i), "unsupported value %q: supported values: %s", s, quoteAll(stages))
		}
	}
}

// dnsSubdomain reports whether s is a DNS-1123 subdomain: dot-separated
// labels of lower-case letters, digits and inner dashes, 253 at most.
func dnsSubdomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func quoteAll[T ~string](vs []T) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// Fields known at each level of a Policy document.
var (
	policyFields = map[string]bool{"apiVersion": true, "kind": true, "metadata": true, "rules": true, "omitStages": true, "omitManagedFields": true}
	ruleFields   = map[string]bool{"level": true, "users": true, "userGroups": true, "verbs": true, "resources": true,
		"namespaces": true, "nonResourceURLs": true, "omitStages": true, "omitManagedFields": true}
	groupResourceFields = map[string]bool{"group": true, "resources": true, "resourceNames": true}
)

// unknownFields returns a warning for each field of a Policy document
// that no Policy has, by its path, in sorted order.
func unknownFields(doc map[string]any) []string {
	var out []string
	check := func(m map[string]any, known map[string]bool, path string) {
		for k := range m {
			if !known[k] {
				out = append(out, fmt.Sprintf("%s%s: unknown field, ignored", path, k))
			}
		}
	}
	check(doc, policyFields, "")
	rules, _ := doc["rules"].([]any)
	for i, r := range rules {
		rm, ok := r.(map[string]any)
		if !ok {
			continue
		}
		path := fmt.Sprintf("rules[%d].", i)
		check(rm, ruleFields, path)
		grs, _ := rm["resources"].([]any)
		for j, gr := range grs {
			if grm, ok := gr.(map[string]any); ok {
				check(grm, groupResourceFields, fmt.Sprintf("%sresources[%d].", path, j))
			}
		}
	}
	sort.Strings(out)
	return out
}
