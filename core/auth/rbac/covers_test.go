package rbac

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/authorizer"
)

func TestCovers(t *testing.T) {
	pods := rule("get", "list").in("").on("pods")
	for _, tc := range []struct {
		name           string
		owned, request []api.PolicyRule
		want           bool
		missing        []api.PolicyRule
	}{
		{"same rules", []api.PolicyRule{pods}, []api.PolicyRule{pods}, true, nil},
		{"fewer verbs", []api.PolicyRule{pods}, []api.PolicyRule{rule("get").in("").on("pods")}, true, nil},
		{"more verbs", []api.PolicyRule{pods}, []api.PolicyRule{rule("get", "delete", "watch").in("").on("pods")}, false,
			[]api.PolicyRule{rule("delete", "watch").in("").on("pods")}},
		{"wildcard verb needs wildcard", []api.PolicyRule{rule("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection").in("").on("pods")},
			[]api.PolicyRule{rule("*").in("").on("pods")}, false, []api.PolicyRule{rule("*").in("").on("pods")}},
		{"cluster-admin covers all", []api.PolicyRule{rule("*").in("*").on("*"), rule("*").urls("*")},
			[]api.PolicyRule{pods, rule("get").urls("/metrics"), rule("*").in("*").on("*/scale")}, true, nil},
		{"a name is covered by every name", []api.PolicyRule{pods}, []api.PolicyRule{named(rule("get").in("").on("pods"), "web")}, true, nil},
		{"every name is not covered by one", []api.PolicyRule{named(pods, "web")}, []api.PolicyRule{rule("get").in("").on("pods")}, false,
			[]api.PolicyRule{rule("get").in("").on("pods")}},
		{"names are checked one by one", []api.PolicyRule{named(pods, "a", "b")}, []api.PolicyRule{named(rule("get").in("").on("pods"), "a", "c")}, false,
			[]api.PolicyRule{named(rule("get").in("").on("pods"), "c")}},
		{"subresource not covered by resource", []api.PolicyRule{pods}, []api.PolicyRule{rule("get").in("").on("pods/log")}, false,
			[]api.PolicyRule{rule("get").in("").on("pods/log")}},
		{"*/scale covers deployments/scale", []api.PolicyRule{rule("get").in("apps").on("*/scale")}, []api.PolicyRule{rule("get").in("apps").on("deployments/scale")}, true, nil},
		{"group matters", []api.PolicyRule{pods}, []api.PolicyRule{rule("get").in("apps").on("pods")}, false,
			[]api.PolicyRule{rule("get").in("apps").on("pods")}},
		{"url prefix covers longer prefix", []api.PolicyRule{rule("get").urls("/logs/*")}, []api.PolicyRule{rule("get").urls("/logs/a/*", "/logs/x")}, true, nil},
		{"url not covered by exact", []api.PolicyRule{rule("get").urls("/logs")}, []api.PolicyRule{rule("get").urls("/logs*")}, false,
			[]api.PolicyRule{rule("get").urls("/logs*")}},
		{"empty request", []api.PolicyRule{}, nil, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, missing := Covers(tc.owned, tc.request)
			if got != tc.want {
				t.Errorf("Covers(%v, %v) = %v, want %v", tc.owned, tc.request, got, tc.want)
			}
			if diff := cmp.Diff(tc.missing, missing); diff != "" {
				t.Errorf("Covers missing (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		r    api.PolicyRule
		want string
	}{
		{named(rule("get", "list").in("").on("pods"), "web"), `{APIGroups:[""], Resources:["pods"], ResourceNames:["web"], Verbs:["get" "list"]}`},
		{rule("get").urls("/metrics"), `{NonResourceURLs:["/metrics"], Verbs:["get"]}`},
	} {
		if got := Describe(tc.r); got != tc.want {
			t.Errorf("Describe(%v) = %s, want %s", tc.r, got, tc.want)
		}
	}
}

// The vocabulary random rules and requests are drawn from. "zzz" stands
// for every value no rule names.
var (
	verbVocab  = []string{"get", "list", "*"}
	groupVocab = []string{"", "apps", "*"}
	resVocab   = []string{"pods", "pods/log", "secrets", "*", "*/log"}
	nameVocab  = []string{"a", "b"}
	urlVocab   = []string{"/healthz", "/logs/*", "/logs/x", "/l*", "*"}
)

func genRule(t *rapid.T, label string) api.PolicyRule {
	sub := func(vocab []string, min int) []string {
		return rapid.SliceOfNDistinct(rapid.SampledFrom(vocab), min, len(vocab), rapid.ID[string]).Draw(t, label)
	}
	r := api.PolicyRule{Verbs: sub(verbVocab, 1)}
	if rapid.Bool().Draw(t, label+"-nonresource") {
		r.NonResourceURLs = sub(urlVocab, 1)
		return r
	}
	r.APIGroups, r.Resources, r.ResourceNames = sub(groupVocab, 1), sub(resVocab, 1), sub(nameVocab, 0)
	return r
}

// every returns every request the vocabulary can tell apart.
func every() []authorizer.Attributes {
	var out []authorizer.Attributes
	for _, verb := range []string{"get", "list", "zzz"} {
		for _, g := range []string{"", "apps", "zzz"} {
			for _, res := range []string{"pods", "secrets", "zzz"} {
				for _, sub := range []string{"", "log", "zzz"} {
					for _, name := range []string{"", "a", "b", "zzz"} {
						out = append(out, authorizer.Attributes{Verb: verb, ResourceRequest: true, APIGroup: g, Resource: res, Subresource: sub, Name: name})
					}
				}
			}
		}
		for _, u := range urlVocab {
			p := strings.TrimSuffix(u, "*")
			for _, path := range []string{p, p + "zzz", "/zzz"} {
				out = append(out, authorizer.Attributes{Verb: verb, Path: path})
			}
		}
	}
	return out
}

// TestCoversMeansAllows: when Covers says owned covers requested, every
// request requested allows, owned allows; when it says not, some request
// tells them apart; and the missing rules are exactly what owned lacks.
func TestCoversMeansAllows(t *testing.T) {
	all := every()
	rapid.Check(t, func(t *rapid.T) {
		owned := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) api.PolicyRule { return genRule(t, "owned") }), 0, 4).Draw(t, "owned")
		requested := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) api.PolicyRule { return genRule(t, "requested") }), 0, 3).Draw(t, "requested")
		ok, missing := Covers(owned, requested)
		var escaped *authorizer.Attributes
		for i, a := range all {
			if anyRuleAllows(requested, a) && !anyRuleAllows(owned, a) {
				escaped = &all[i]
				break
			}
		}
		if ok && escaped != nil {
			t.Fatalf("Covers(%v, %v) = true, but %+v is allowed by the requested rules only", owned, requested, *escaped)
		}
		if !ok && escaped == nil {
			t.Fatalf("Covers(%v, %v) = false (missing %v), but no request tells them apart", owned, requested, missing)
		}
		// The missing rules, added to owned, cover requested.
		if ok2, still := Covers(append(owned, missing...), requested); !ok2 {
			t.Fatalf("owned + missing does not cover requested: still missing %v", still)
		}
		if ok2, _ := Covers(requested, requested); !ok2 {
			t.Fatalf("Covers(r, r) = false for r = %v", requested)
		}
	})
}
