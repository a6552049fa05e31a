package audit

import (
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/auth/authorizer"
)

// RequestConfig is what a policy decides for one request: the level, the
// stages not written, and whether managedFields are dropped from bodies.
type RequestConfig struct {
	Level             Level
	OmitStages        []Stage
	OmitManagedFields bool
}

// Records reports whether an event is written at stage s.
func (c RequestConfig) Records(s Stage) bool {
	return c.Level.AtLeast(LevelMetadata) && !slices.Contains(c.OmitStages, s)
}

// Evaluate returns what p decides for a request with attributes a: the
// first rule that matches gives the level, its omitted stages (with the
// policy's) and managedFields choice; when none matches the level is
// None. a.User is the authenticated user. A nil policy records nothing.
func (p *Policy) Evaluate(a authorizer.Attributes) RequestConfig {
	if p == nil {
		return RequestConfig{Level: LevelNone}
	}
	for i := range p.Rules {
		r := &p.Rules[i]
		if !r.matches(a) {
			continue
		}
		omit := p.OmitManagedFields
		if r.OmitManagedFields != nil {
			omit = *r.OmitManagedFields
		}
		stages := slices.Concat(p.OmitStages, r.OmitStages)
		return RequestConfig{Level: r.Level, OmitStages: stages, OmitManagedFields: omit}
	}
	return RequestConfig{Level: LevelNone, OmitStages: p.OmitStages, OmitManagedFields: p.OmitManagedFields}
}

// matches reports whether every field r gives matches a.
func (r *PolicyRule) matches(a authorizer.Attributes) bool {
	if len(r.Users) > 0 && (a.User == nil || !slices.Contains(r.Users, a.User.Name)) {
		return false
	}
	if len(r.UserGroups) > 0 && (a.User == nil || !slices.ContainsFunc(r.UserGroups, a.User.InGroup)) {
		return false
	}
	if len(r.Verbs) > 0 && !slices.Contains(r.Verbs, a.Verb) {
		return false
	}
	switch {
	case len(r.Resources) > 0 || len(r.Namespaces) > 0:
		return a.ResourceRequest && r.matchesResource(a)
	case len(r.NonResourceURLs) > 0:
		return !a.ResourceRequest && slices.ContainsFunc(r.NonResourceURLs, func(spec string) bool {
			return pathMatches(a.Path, spec)
		})
	}
	return true
}

// matchesResource reports whether a's namespace and resource are among
// r's (a is a resource request).
func (r *PolicyRule) matchesResource(a authorizer.Attributes) bool {
	if len(r.Namespaces) > 0 && !slices.Contains(r.Namespaces, a.Namespace) {
		return false
	}
	if len(r.Resources) == 0 {
		return true
	}
	for _, gr := range r.Resources {
		if gr.Group != a.APIGroup && gr.Group != "*" {
			continue
		}
		if len(gr.Resources) == 0 {
			return true
		}
		if len(gr.ResourceNames) > 0 && !slices.Contains(gr.ResourceNames, a.Name) {
			continue
		}
		for _, res := range gr.Resources {
			if resourceMatches(res, a.Resource, a.Subresource) {
				return true
			}
		}
	}
	return false
}

// resourceMatches reports whether a rule's resource spec names resource
// (with subresource, "" for none): "*" anything, "pods" the pods
// themselves, "pods/log" that subresource, "*/status" a status of any
// resource, "pods/*" pods and every subresource of them.
func resourceMatches(spec, resource, subresource string) bool {
	combined := resource
	if subresource != "" {
		combined += "/" + subresource
	}
	switch {
	case spec == "*" || spec == combined:
		return true
	case subresource != "" && strings.HasPrefix(spec, "*/"):
		return spec[2:] == subresource
	case strings.HasSuffix(spec, "/*"):
		return strings.TrimSuffix(spec, "/*") == resource
	}
	return false
}

// pathMatches reports whether a non-resource path matches a rule's spec:
// "*" every path, "/x" exactly, "/x*" every path beginning /x.
func pathMatches(path, spec string) bool {
	if spec == "*" || spec == path {
		return true
	}
	prefix, ok := strings.CutSuffix(spec, "*")
	return ok && strings.HasPrefix(path, prefix)
}
