package rbac

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// Covers reports whether the rules owned allow everything the rules
// requested allow, and if not, which parts of requested they miss.
//
// This is escalation prevention's question: a user may write a role, or
// bind one, only when the rules in it are already theirs. Each requested
// rule is broken into its smallest pieces (one verb, one group, one
// resource, one name; or one verb and one URL) and every piece must be
// covered by a single owned rule. A wildcard is covered only by a
// wildcard ("*" verbs by "*" verbs), "*/scale" by "*" or "*/scale", a
// rule for every name of a resource only by one that names none, and a
// URL prefix "/logs/*" by "*" or a shorter prefix. So Covers answers
// yes only when owned allows every request requested allows.
//
// The missing pieces come back merged by resource (verbs together), in
// the order of requested, ready to show in an error (see Describe).
func Covers(owned, requested []api.PolicyRule) (bool, []api.PolicyRule) {
	var missing []api.PolicyRule
	for _, piece := range breakdown(requested) {
		if !slices.ContainsFunc(owned, func(o api.PolicyRule) bool { return ruleCovers(o, piece) }) {
			missing = append(missing, piece)
		}
	}
	return len(missing) == 0, compact(missing)
}

// breakdown splits rules into pieces of one verb and one group, resource
// and name, or one verb and one URL. A rule's empty resourceNames stay
// empty (every name).
func breakdown(rules []api.PolicyRule) []api.PolicyRule {
	var out []api.PolicyRule
	for _, r := range rules {
		for _, verb := range r.Verbs {
			for _, group := range r.APIGroups {
				for _, res := range r.Resources {
					if len(r.ResourceNames) == 0 {
						out = append(out, api.PolicyRule{Verbs: []string{verb}, APIGroups: []string{group}, Resources: []string{res}})
					}
					for _, name := range r.ResourceNames {
						out = append(out, api.PolicyRule{Verbs: []string{verb}, APIGroups: []string{group}, Resources: []string{res}, ResourceNames: []string{name}})
					}
				}
			}
			for _, u := range r.NonResourceURLs {
				out = append(out, api.PolicyRule{Verbs: []string{verb}, NonResourceURLs: []string{u}})
			}
		}
	}
	return out
}

// ruleCovers reports whether owner covers piece, one piece of breakdown.
func ruleCovers(owner, piece api.PolicyRule) bool {
	if !has(owner.Verbs, piece.Verbs[0]) {
		return false
	}
	if len(piece.NonResourceURLs) == 1 {
		return slices.ContainsFunc(owner.NonResourceURLs, func(u string) bool { return urlCovers(u, piece.NonResourceURLs[0]) })
	}
	if !has(owner.APIGroups, piece.APIGroups[0]) {
		return false
	}
	if !slices.ContainsFunc(owner.Resources, func(r string) bool { return resourceCovers(r, piece.Resources[0]) }) {
		return false
	}
	if len(owner.ResourceNames) == 0 {
		return true
	}
	return len(piece.ResourceNames) == 1 && slices.Contains(owner.ResourceNames, piece.ResourceNames[0])
}

// resourceCovers: "*" covers every resource string, "*/sub" covers
// "x/sub" and "*/sub", anything else only itself.
func resourceCovers(owner, want string) bool {
	if owner == All || owner == want {
		return true
	}
	sub, ok := strings.CutPrefix(owner, "*/")
	if !ok {
		return false
	}
	_, wantSub, found := strings.Cut(want, "/")
	return found && wantSub == sub
}

// urlCovers: a URL ending in "*" (and "*" itself) stands for every path
// with the part before it as a prefix; it covers want when want's own
// prefix, or want itself, starts with that part.
func urlCovers(owner, want string) bool {
	if owner == All || owner == want {
		return true
	}
	prefix, ok := strings.CutSuffix(owner, "*")
	if !ok {
		return false
	}
	if w, wild := strings.CutSuffix(want, "*"); wild {
		want = w
	}
	return strings.HasPrefix(want, prefix)
}

// compact merges pieces that differ only in their verb into one rule,
// keeping first-seen order.
func compact(pieces []api.PolicyRule) []api.PolicyRule {
	var out []api.PolicyRule
	index := map[string]int{}
	for _, p := range pieces {
		k := fmt.Sprintf("%q|%q|%q|%q", p.APIGroups, p.Resources, p.ResourceNames, p.NonResourceURLs)
		if i, ok := index[k]; ok {
			if !slices.Contains(out[i].Verbs, p.Verbs[0]) {
				out[i].Verbs = append(out[i].Verbs, p.Verbs[0])
			}
			continue
		}
		index[k] = len(out)
		out = append(out, p)
	}
	return out
}

// Describe writes a rule as Kubernetes' escalation errors show one:
//
//	{APIGroups:[""], Resources:["pods"], ResourceNames:["web"], Verbs:["get" "list"]}
//	{NonResourceURLs:["/metrics"], Verbs:["get"]}
//
// Empty lists are left out.
func Describe(r api.PolicyRule) string {
	var parts []string
	add := func(name string, list []string) {
		if len(list) > 0 {
			parts = append(parts, fmt.Sprintf("%s:%q", name, list))
		}
	}
	add("APIGroups", r.APIGroups)
	add("Resources", r.Resources)
	add("ResourceNames", r.ResourceNames)
	add("NonResourceURLs", r.NonResourceURLs)
	add("Verbs", r.Verbs)
	return "{" + strings.Join(parts, ", ") + "}"
}
