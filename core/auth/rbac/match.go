package rbac

import (
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/authorizer"
)

// All is the wildcard of every list in a rule.
const All = "*"

// RuleAllows reports whether rule covers the request a.
//
// A rule covers a resource request when its verbs, its API groups and its
// resources each match, and its resourceNames are empty or name the
// object. A rule naming resourceNames never covers a request without a
// name (list, watch, create of a new object). A resource names a
// subresource as "pods/log"; "*/scale" covers the scale subresource of
// every resource. It covers a non-resource request when its verbs match
// and one of its nonResourceURLs is the path, "*", or a prefix ending in
// "*" ("/healthz/*"). Resource rules never cover non-resource requests
// and the other way round.
func RuleAllows(rule api.PolicyRule, a authorizer.Attributes) bool {
	if !has(rule.Verbs, a.Verb) {
		return false
	}
	if !a.ResourceRequest {
		return urlMatches(rule.NonResourceURLs, a.Path)
	}
	return has(rule.APIGroups, a.APIGroup) &&
		resourceMatches(rule.Resources, a.Resource, a.Subresource) &&
		nameMatches(rule.ResourceNames, a.Name)
}

// has reports whether list holds want or the wildcard.
func has(list []string, want string) bool {
	for _, v := range list {
		if v == All || v == want {
			return true
		}
	}
	return false
}

// resourceMatches matches "pods", "pods/log", "*" and "*/log".
func resourceMatches(rules []string, resource, sub string) bool {
	want := resource
	if sub != "" {
		want = resource + "/" + sub
	}
	for _, r := range rules {
		if r == All || r == want {
			return true
		}
		if sub != "" && r == "*/"+sub {
			return true
		}
	}
	return false
}

// nameMatches: an empty list allows every name; otherwise the request
// must name one of them.
func nameMatches(names []string, name string) bool {
	if len(names) == 0 {
		return true
	}
	if name == "" {
		return false
	}
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// urlMatches matches a path against "*", an exact path, or a prefix
// ending in "*".
func urlMatches(urls []string, path string) bool {
	for _, u := range urls {
		if u == All || u == path {
			return true
		}
		if prefix, ok := strings.CutSuffix(u, "*"); ok && strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}
